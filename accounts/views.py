import base64
from binascii import unhexlify

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from accounts import idle, selectors, services
from accounts.access import manager_only
from accounts.forms import AuthenticatorCodeForm, ClinicPolicyForm, DisableTwoFactorForm, StashForm, VerifyForm
from accounts.middleware import with_next
from accounts.models import ClinicPolicy

PENDING_KEY = "two_factor_pending_key"  # session: the secret shown on the set-up page, until confirmed
NEW_CODES = "two_factor_new_recovery_codes"  # session: recovery codes to show once


def _next_url(request: HttpRequest) -> str:
    """Where to go after this step: a ?next= on this site, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return with_next(reverse(url_name), next_url)


def _qr_svg(config_url: str) -> str:
    qr = segno.make(config_url, error="m")
    return qr.svg_inline(scale=5, border=2, light="#fff", title="QR code for your authenticator app")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Two-factor sign-in -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (or move to a new phone): scan, then confirm with a code."""
    user = request.user
    state = selectors.two_factor_state(user)
    next_url = _next_url(request)
    if state.has_device and not user.is_verified():
        return redirect(_with_next("accounts:two_factor_verify", next_url))
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = services.new_authenticator_key()
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.authenticator_enable(user=user, key=key, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            request.session.cycle_key()
            otp_login(request, device)
            request.session[NEW_CODES] = services.recovery_codes_create(user=user)
            messages.success(request, "Two-factor sign-in is on.")
            return redirect(_with_next("accounts:recovery_codes", next_url))
        form.add_error("code", "That code does not match. Check the app shows this clinic's entry and try again.")
    pending = services.pending_authenticator(user=user, key=key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(_qr_svg(pending.config_url)),  # noqa: S308 - segno's own SVG markup
            "secret": _grouped(base64.b32encode(unhexlify(key.encode())).decode()),
            "state": state,
            "replacing": state.has_device,
            "forced": state.required and not state.has_device,
            "next": next_url,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if selectors.authenticator_for(user) is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, wait = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static."):
                left = selectors.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it cannot be used again. {left} left: "
                    "make new ones on the two-factor page if you are running low.",
                )
            return redirect(next_url)
        if wait:
            form.add_error("code", "Too many wrong codes. Wait a few seconds, then try again.")
        else:
            form.add_error("code", "That code is not right (or was already used). Try the code the app shows now.")
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@require_GET
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "device": selectors.authenticator_for(user),
            "codes_left": selectors.recovery_codes_left(user),
            "required": selectors.two_factor_required(user),
            "disable_form": DisableTwoFactorForm(),
        },
    )


@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    if selectors.authenticator_for(request.user) is None:
        return redirect("accounts:two_factor")
    request.session[NEW_CODES] = services.recovery_codes_create(user=request.user)
    messages.success(request, "New recovery codes made; the old ones no longer work.")
    return redirect("accounts:recovery_codes")


@never_cache
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once (they are stored only as used-once tokens)."""
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("accounts:two_factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if selectors.two_factor_required(user):
        messages.error(request, "Two-factor sign-in is required for you; it cannot be turned off.")
        return redirect("accounts:two_factor")
    form = DisableTwoFactorForm(request.POST)
    device = selectors.authenticator_for(user)
    if device is None:
        return redirect("accounts:two_factor")
    if form.is_valid():
        verified, wait = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if verified is not None:
            services.two_factor_disable(user=user)
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("accounts:two_factor")
        form.add_error("code", "Too many wrong codes: wait a few seconds." if wait else "That code is not right.")
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "device": device,
            "codes_left": selectors.recovery_codes_left(user),
            "required": False,
            "disable_form": form,
        },
        status=400,
    )


@manager_only
@require_http_methods(["GET", "POST"])
def security_policy(request: HttpRequest) -> HttpResponse:
    """The manager's page: require two-factor for all staff, and who has set it up."""
    policy = ClinicPolicy.load()
    form = ClinicPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        services.clinic_policy_update(
            policy=policy, require_two_factor=form.cleaned_data["require_two_factor"], by=request.user
        )
        if policy.require_two_factor:
            messages.success(request, "Two-factor sign-in is now required for all staff.")
        else:
            messages.success(request, "Two-factor sign-in is now required for clinic managers only.")
        return redirect("accounts:security")
    return render(
        request,
        "accounts/security_policy.html",
        {
            "form": form,
            "policy": policy,
            "staff": selectors.staff_two_factor_overview(),
            "lockout_limit": settings.AXES_FAILURE_LIMIT,
            "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "idle_minutes": settings.IDLE_TIMEOUT_MINUTES,
        },
    )


@manager_only
@require_POST
def two_factor_reset(request: HttpRequest, user_pk: int) -> HttpResponse:
    """For someone who lost their phone and recovery codes: they set up two-factor again at
    their next sign-in (or sign in without it, if it is not required for them)."""
    person = get_object_or_404(selectors.staff_two_factor_overview(), pk=user_pk)
    services.two_factor_disable(user=person)
    messages.success(request, f"Two-factor sign-in reset for {person}.")
    return redirect("accounts:security")


# --- Idle sign-out: status, keep-alive and the form stash (JSON for static/js/idle.js) ---------


@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds until the idle sign-out. Asking does not count as activity."""
    return JsonResponse({"seconds_left": idle.seconds_left(request.session)})


@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """The "Stay signed in" button: counts as activity."""
    idle.touch(request.session, force=True)
    return JsonResponse({"seconds_left": idle.seconds_left(request.session)})


@never_cache
@require_http_methods(["GET", "POST"])
def stash(request: HttpRequest) -> JsonResponse:
    """GET ?path=: this person's stash for that page; POST: save one (path, values, names)."""
    if request.method == "GET":
        found = selectors.stash_for(user=request.user, path=request.GET.get("path", ""))
        if found is None:
            return JsonResponse({"found": False})  # not an error: most pages have nothing stashed
        return JsonResponse({"found": True, "saved_at": found.saved_at.isoformat(), **found.data})
    form = StashForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"saved": False, "errors": form.errors}, status=400)
    services.stash_save(
        user=request.user,
        path=form.cleaned_data["path"],
        data={"values": form.cleaned_data["values"], "names": form.cleaned_data["names"]},
    )
    return JsonResponse({"saved": True}, status=201)


@require_POST
def stash_discard(request: HttpRequest) -> JsonResponse:
    services.stash_discard(user=request.user, path=request.POST.get("path", ""))
    return JsonResponse({"discarded": True})
