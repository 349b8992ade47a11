from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from accounts import access
from accounts.access import manager_only
from accounts.addresses import client_address
from accounts.ratelimit import hit
from clients.models import Client
from messaging import texts
from messaging.forms import PreferenceForm, TemplateForm
from messaging.models import MessageTemplate
from messaging.services import clinic_values, preference_of, preference_set, receive_text, texting_enabled
from messaging.sms_url import parse_sms_url

PAGE_SIZE = 25
# A reply from Twilio is a form of some twenty short fields and a body of at most 1,600
# characters: anything much larger is not Twilio.
MAX_WEBHOOK_BYTES = 16 * 1024
# What Twilio expects back when there is nothing to say (replies go out through the API).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'

can_view_clients = permission_required("clients.view_client", raise_exception=True)
can_change_clients = permission_required("clients.change_client", raise_exception=True)


@can_view_clients
def client_messages(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Every message sent to or received from one client, newest first."""
    client = get_object_or_404(Client, pk=client_pk)
    page = Paginator(client.messages.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/client_messages.html",
        {"client": client, "page": page, "show_free_text": access.can_read_clinical(request.user)},
    )


@can_change_clients
def preference_edit(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=client_pk)
    preference = preference_of(client)
    form = PreferenceForm(request.POST or None, instance=preference, client=client)
    if request.method == "POST" and form.is_valid():
        preference_set(
            client=client,
            reminders=form.cleaned_data["reminders"],
            text_number=form.cleaned_data["text_number"],
            by=request.user,
        )
        messages.success(request, "Reminder preference saved.")
        return redirect(client.get_absolute_url())
    return render(
        request,
        "messaging/preference_form.html",
        {"client": client, "form": form, "preference": preference, "texting_enabled": texting_enabled()},
    )


@manager_only
def template_list(request: HttpRequest) -> HttpResponse:
    stored = dict(MessageTemplate.objects.values_list("key", "body"))
    rows = []
    for text in texts.registered():
        body = stored.get(text.key, text.default)
        filled = texts.fill(text, body, {**text.samples, **clinic_values()})
        rows.append({"text": text, "preview": filled, "segments": texts.segments(filled), "custom": text.key in stored})
    return render(
        request,
        "messaging/template_list.html",
        {"rows": rows, "texting_enabled": texting_enabled(), "quiet_hours": settings.SMS_QUIET_HOURS},
    )


@manager_only
def template_edit(request: HttpRequest, key: str) -> HttpResponse:
    """Reword a text, with a preview filled with sample values and its length in SMS segments."""
    text = texts.get(key)
    if text is None:
        raise Http404("No such text.")
    form = TemplateForm(request.POST or None, text=text, initial={"body": texts.wording(key)})
    action = request.POST.get("action", "preview")
    if request.method == "POST" and action == "reset":
        MessageTemplate.objects.filter(key=key).delete()
        messages.success(request, f"“{text.label}” is back to its default wording.")
        return redirect("messaging:templates")
    preview_body = texts.wording(key)
    if request.method == "POST" and form.is_valid():
        if action == "save":
            with transaction.atomic():
                MessageTemplate.objects.update_or_create(
                    key=key, defaults={"body": form.cleaned_data["body"], "updated_by": request.user}
                )
            messages.success(request, f"“{text.label}” saved.")
            return redirect("messaging:templates")
        preview_body = form.cleaned_data["body"]
    preview = texts.fill(text, preview_body, {**text.samples, **clinic_values()})
    return render(
        request,
        "messaging/template_form.html",
        {
            "text": text,
            "form": form,
            "preview": preview,
            "segments": texts.segments(preview),
            "placeholders": sorted(text.placeholders.items()),
        },
    )


# --- The provider's webhook ------------------------------------------------------------------


def _webhook_url(request: HttpRequest) -> str:
    """The address Twilio was told to call (SITE_URL, README: Text messages), which it signs.
    The request's own host is not trusted: behind a proxy it is not what Twilio saw. SITE_URL
    holds any path the app is served under, which reverse() starts with too."""
    path = reverse("messaging:twilio_inbound").removeprefix(get_script_prefix())
    query = request.META.get("QUERY_STRING", "")
    return settings.SITE_URL.rstrip("/") + "/" + path + (f"?{query}" if query else "")


def _twiml(status: int = 200) -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml", status=status)


@login_not_required
@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """A text a client sent to the clinic's number, as Twilio posts it.

    Checked before anything is read from it: the address's rate, the size, and Twilio's
    signature (X-Twilio-Signature, an HMAC of the URL and the form with the auth token).
    Every accepted request gets the same empty answer, whoever sent the text: nothing tells
    whether a number is a client's (answers go out as texts of their own).
    """
    config = parse_sms_url(settings.SMS_URL)
    if not config.backend.endswith("TwilioBackend"):
        raise Http404("Texts are not received through Twilio here.")
    limit, period = settings.RATE_LIMITS["sms_inbound"]
    if not hit(f"sms_inbound:{client_address(request)}", limit=limit, period=period):
        response = _twiml(429)
        response["Retry-After"] = str(period)
        return response
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_WEBHOOK_BYTES + 1
    if length > MAX_WEBHOOK_BYTES:
        return _twiml(413)
    validator = RequestValidator(config.options["auth_token"])
    signature = request.headers.get("X-Twilio-Signature", "")
    form = request.POST
    if not signature or not validator.validate(_webhook_url(request), form, signature):
        return HttpResponse("Signature refused.", status=403, content_type="text/plain")
    if form.get("AccountSid") != config.options["account_sid"]:
        return HttpResponse("Signature refused.", status=403, content_type="text/plain")
    receive_text(
        from_number=form.get("From", ""),
        to_number=form.get("To", ""),
        body=form.get("Body", ""),
        provider_id=form.get("MessageSid", "") or form.get("SmsSid", ""),
    )
    return _twiml()
