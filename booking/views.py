"""Online booking pages. Public (no account): choose, pick a time, give details, then manage the
visit through a private link. Staff: the desk's list of online bookings; the manager's rules."""

import functools
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import access
from accounts.access import manager_only
from accounts.ratelimit import rate_limited, too_many, within_limit
from booking import services, waitlist
from booking.availability import available_slots
from booking.forms import (
    ANYONE,
    ChooseForm,
    DetailsForm,
    JoinWaitlistForm,
    RefuseForm,
    RulesForm,
    WaitlistForm,
    bookable_services,
    bookable_therapists,
    parse_day,
)
from booking.models import BookingRules, OnlineBooking, WaitlistEntry, WaitlistOffer
from clients.models import Client
from scheduling.models import Service

DAYS_SHOWN = 7
can_book = permission_required(access.BOOK_VISITS, raise_exception=True)


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _closed(request) -> HttpResponse:
    return render(request, "booking/closed.html", status=404)


def open_for_booking(view):
    """The public pages answer only while online booking is open; the view gets the rules."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        rules = BookingRules.current()
        if not rules.enabled:
            return _closed(request)
        return view(request, *args, rules=rules, **kwargs)

    return wrapper


def _choice(request, rules):
    """The service and therapists a request names, when they are bookable online; else None."""
    service = bookable_services(rules).filter(pk=_int(request.GET.get("service"))).first()
    therapists = list(bookable_therapists(rules))
    chosen = request.GET.get("therapist", ANYONE)
    if chosen != ANYONE:
        therapists = [t for t in therapists if str(t.pk) == chosen]
    if service is None or not therapists:
        return None
    return service, therapists, chosen


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_not_required
@never_cache
@rate_limited("public_booking")
@open_for_booking
def start(request: HttpRequest, rules: BookingRules) -> HttpResponse:
    form = ChooseForm(request.GET or None, rules=rules)
    if request.GET and form.is_valid():
        query = f"service={form.cleaned_data['service'].pk}&therapist={form.cleaned_data['therapist']}"
        return redirect(f"{reverse('booking:times')}?{query}")
    return render(request, "booking/start.html", {"form": form})


@login_not_required
@never_cache
@rate_limited("public_booking")
@open_for_booking
def times(request: HttpRequest, rules: BookingRules) -> HttpResponse:
    choice = _choice(request, rules)
    if choice is None:
        return redirect("booking:start")
    service, therapists, chosen = choice
    return render(request, "booking/times.html", _times_context(request, rules, service, therapists, chosen))


def _times_context(
    request, rules, service, therapists, chosen, *, manage_token: str = "", exclude_pk: int | None = None
) -> dict:
    today = timezone.localdate()
    first_day = max(parse_day(request.GET.get("from"), today), today)
    first_day = min(first_day, today + timedelta(days=rules.horizon_days))
    names = {t.pk: t.first_name or t.get_full_name() or t.username for t in therapists}
    slots = available_slots(
        service=service,
        therapist_ids=list(names),
        first_day=first_day,
        days=DAYS_SHOWN,
        rules=rules,
        exclude_pk=exclude_pk,
    )
    return {
        "service": service,
        "chosen": chosen,
        "therapist_name": names.get(_int(chosen), "") if chosen != ANYONE else "",
        "days": [(day, day_slots) for day, day_slots in slots.items()],
        "first_day": first_day,
        "previous_week": first_day - timedelta(days=DAYS_SHOWN) if first_day > today else None,
        "next_week": first_day + timedelta(days=DAYS_SHOWN)
        if first_day + timedelta(days=DAYS_SHOWN) <= today + timedelta(days=rules.horizon_days)
        else None,
        "manage_token": manage_token,
    }


def _start_param(request) -> datetime | None:
    # A "+" of the UTC offset arrives as a space when the link was typed or copied unescaped.
    raw = (request.POST.get("start") or request.GET.get("start") or "").strip().replace(" ", "+")
    moment = parse_datetime(raw[:40])
    return moment if moment is not None and timezone.is_aware(moment) else None


@login_not_required
@never_cache
@rate_limited("public_booking")
@open_for_booking
def details(request: HttpRequest, rules: BookingRules) -> HttpResponse:
    choice = _choice(request, rules)
    starts_at = _start_param(request)
    if choice is None or starts_at is None:
        return redirect("booking:start")
    service, therapists, chosen = choice
    form = DetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.is_robot:  # a robot filled the hidden field: it hears what a person would
            return redirect("booking:booked")
        if not within_limit(request, "booking_submit"):
            return too_many(request, "booking_submit")
        data = form.cleaned_data
        try:
            services.book_online(
                service=service,
                therapist_ids=[t.pk for t in therapists],
                starts_at=starts_at,
                details=services.Details.from_form(data),
                link_url=lambda token: _absolute(request, reverse("intake:open", args=[token])),
                manage_url=lambda token: _absolute(request, reverse("booking:manage", args=[token])),
            )
        except services.SlotTaken:
            messages.warning(request, "That time was just taken by someone else. Here are the times still free.")
            return redirect(
                f"{reverse('booking:times')}?service={service.pk}&therapist={chosen}&from={timezone.localdate(starts_at)}"
            )
        except services.BookingRefused as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("booking:booked")
    return render(
        request,
        "booking/details.html",
        {"form": form, "service": service, "starts_at": starts_at, "chosen": chosen, "rules": rules},
    )


@login_not_required
@never_cache
def booked(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/booked.html", {"rules": BookingRules.current()})


def _booking(token: str) -> OnlineBooking:
    if len(token) > 100:
        raise Http404
    return get_object_or_404(OnlineBooking.by_token(token))


@login_not_required
@never_cache
@rate_limited("public_booking")
def manage(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    rules = BookingRules.current()
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            services.cancel_online(booking=booking)
        except services.BookingRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, "Your visit is cancelled.")
        return redirect("booking:manage", token=token)
    return render(
        request,
        "booking/manage.html",
        {
            "booking": booking,
            "appointment": booking.appointment,
            "can_change": booking.can_change_online(rules),
            "token": token,
            "rules": rules,
        },
    )


@login_not_required
@never_cache
@rate_limited("public_booking")
def move(request: HttpRequest, token: str) -> HttpResponse:
    booking = _booking(token)
    rules = BookingRules.current()
    if not booking.can_change_online(rules):
        return redirect("booking:manage", token=token)
    appointment = booking.appointment
    if request.method == "POST":
        starts_at = _start_param(request)
        if starts_at is not None:
            try:
                services.move_online(
                    booking=booking,
                    starts_at=starts_at,
                    manage=_absolute(request, reverse("booking:manage", args=[token])),
                )
            except services.SlotTaken:
                messages.warning(request, "That time was just taken by someone else. Here are the times still free.")
            except services.BookingRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, "Your visit is moved. We have emailed the new time.")
                return redirect("booking:manage", token=token)
    context = _times_context(
        request,
        rules,
        appointment.service,
        [appointment.therapist],
        str(appointment.therapist_id),
        manage_token=token,
        exclude_pk=appointment.pk,
    )
    return render(request, "booking/move.html", {**context, "appointment": appointment, "token": token})


# --- Staff ---------------------------------------------------------------------------------------------


@can_book
def desk(request: HttpRequest) -> HttpResponse:
    """Online bookings ahead, newest first: the desk checks them and may refuse one."""
    bookings = (
        OnlineBooking.objects.ahead()
        .select_related("appointment__client", "appointment__service", "appointment__therapist")
        .order_by("-created_at")[:200]
    )
    return render(request, "booking/desk.html", {"bookings": bookings, "form": RefuseForm()})


@can_book
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(OnlineBooking, pk=pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        services.refuse_suspicious(booking=booking, by=request.user, message=form.cleaned_data["message"])
        messages.success(request, "The booking is cancelled and the person was told.")
    else:
        messages.error(request, "Write the message to send (up to 1,000 characters).")
    return redirect("booking:desk")


@manager_only
def rules(request: HttpRequest) -> HttpResponse:
    current = BookingRules.current()
    form = RulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Online booking rules saved.")
        return redirect("booking:rules")
    link = request.build_absolute_uri(reverse("booking:start"))
    return render(request, "booking/rules.html", {"form": form, "link": link})


# --- Waitlist ------------------------------------------------------------------------------------------


def _preferences(data: dict, *, desk: bool) -> dict:
    keys = ["service", "therapist", "weekdays", "earliest", "latest", "until"] + (["priority"] if desk else [])
    preferences = {key: data[key] for key in keys}
    if desk:
        preferences["priority"] = preferences["priority"] or 0
    return preferences


@login_not_required
@never_cache
@rate_limited("public_booking")
@open_for_booking
def waitlist_join(request: HttpRequest, rules: BookingRules) -> HttpResponse:
    """The client asks for a time that is not free now: the desk and the offers job see it."""
    initial = {
        "service": _int(request.GET.get("service")) or None,
        "therapist": _int(request.GET.get("therapist")) or None,
    }
    form = JoinWaitlistForm(
        request.POST or None,
        initial=initial,
        services=bookable_services(rules),
        therapists=bookable_therapists(rules),
        desk=False,
    )
    if request.method == "POST" and form.is_valid():
        if form.is_robot:
            return redirect("booking:waitlist_joined")
        if not within_limit(request, "booking_submit"):
            return too_many(request, "booking_submit")
        data = form.cleaned_data
        services.join_waitlist(
            details=services.Details.from_form(data),
            preferences=_preferences(data, desk=False),
            contact_email=data["email"].strip().lower(),
        )
        return redirect("booking:waitlist_joined")  # the same page whether or not anything was added
    return render(request, "booking/waitlist_join.html", {"form": form})


@login_not_required
@never_cache
def waitlist_joined(request: HttpRequest) -> HttpResponse:
    return render(request, "booking/waitlist_joined.html")


@login_not_required
@never_cache
@rate_limited("public_booking")
def offer(request: HttpRequest, token: str) -> HttpResponse:
    """A freed time offered by email: the first to accept gets it."""
    found = waitlist.open_offer(token)
    if found is None:
        raise Http404
    if request.method == "POST":
        try:
            waitlist.accept_offer(offer=found)
        except waitlist.OfferClosed as closed:
            messages.info(request, str(closed))
        else:
            messages.success(request, "The time is yours. We have emailed you the details.")
        return redirect("booking:offer", token=token)
    return render(request, "booking/offer.html", {"offer": found})


@can_book
def waitlist_list(request: HttpRequest) -> HttpResponse:
    entries = (
        WaitlistEntry.objects.waiting()
        .select_related("client", "service", "therapist")
        .prefetch_related(
            Prefetch("offers", queryset=WaitlistOffer.objects.select_related("therapist").order_by("-sent_at"))
        )
        .order_by("-priority", "created_at", "id")[:300]
    )
    return render(request, "booking/waitlist.html", {"entries": entries})


@can_book
def waitlist_new(request: HttpRequest) -> HttpResponse:
    client = get_object_or_404(
        Client.objects.active(), pk=_int(request.GET.get("client") or request.POST.get("client"))
    )
    form = WaitlistForm(
        request.POST or None,
        services=Service.objects.active(),
        therapists=get_user_model().objects.therapists(),
        desk=True,
    )
    if request.method == "POST" and form.is_valid():
        WaitlistEntry.objects.create(
            client=client,
            created_by=request.user,
            contact_email=client.email,
            **_preferences(form.cleaned_data, desk=True),
        )
        messages.success(request, f"{client.display_name} is on the waitlist.")
        return redirect("booking:waitlist")
    return render(request, "booking/waitlist_new.html", {"form": form, "client": client})


@can_book
@require_POST
def waitlist_remove(request: HttpRequest, pk: int) -> HttpResponse:
    waitlist.remove_entry(pk)
    messages.success(request, "Removed from the waitlist.")
    return redirect("booking:waitlist")
