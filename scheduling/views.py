"""Scheduling pages: front desk runs the day here; therapists see theirs.

Nothing clinical is shown on these pages: a client with safety alerts only gets
a "see therapist" badge.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts import access
from accounts.access import clinical_only
from clients.models import Client
from intake.selectors import client_ids_with_alerts
from scheduling import services as booking
from scheduling.calendar import Column, as_local_date, build_grid, week_days
from scheduling.forms import (
    BOOKABLE_YEARS,
    DEFAULT_CLOSING,
    DEFAULT_OPENING,
    BookingForm,
    CancelForm,
    RescheduleForm,
    ServiceForm,
)
from scheduling.models import Appointment, Service, WorkingHours
from scheduling.recalls import due_clients
from sessions.models import SessionNote
from timekeeping.dayrange import day_from
from timekeeping.timeutil import day_bounds, local, today

User = get_user_model()  # the staff user (clinic.User); apps do not import the project package

can_view = permission_required(access.VIEW_SCHEDULE, raise_exception=True)
can_book = permission_required(access.BOOK_VISITS, raise_exception=True)
can_change = permission_required(access.CHANGE_VISITS, raise_exception=True)
can_manage_services = permission_required("scheduling.change_service", raise_exception=True)


def _day_param(request) -> date:
    """The day asked for (?date=), moved into the days the grids can draw; today if none."""
    return day_from(request.GET.get("date"), default=today())


def _bookable_day_param(request) -> str:
    """A booking link's date (?date=), moved into the years the booking form accepts."""
    bookable = timedelta(days=BOOKABLE_YEARS * 366)
    return day_from(
        request.GET.get("date"), default=today(), first=today() - bookable, last=today() + bookable
    ).isoformat()


def _blocks_by(therapist_ids) -> dict[tuple[int, int], list]:
    blocks: dict[tuple[int, int], list] = {}
    for block in WorkingHours.objects.filter(therapist_id__in=therapist_ids):
        blocks.setdefault((block.therapist_id, block.weekday), []).append((block.starts, block.ends))
    return blocks


def _opening_closing(blocks) -> tuple:
    starts = [b[0] for day_blocks in blocks for b in day_blocks]
    ends = [b[1] for day_blocks in blocks for b in day_blocks]
    return (min(starts) if starts else DEFAULT_OPENING), (max(ends) if ends else DEFAULT_CLOSING)


@can_view
def day_view(request: HttpRequest) -> HttpResponse:
    """All therapists side by side for one day."""
    day = _day_param(request)
    start, end = day_bounds(day)
    therapists = list(User.objects.therapists())
    blocks = _blocks_by([t.pk for t in therapists])
    columns = [Column(t.pk, str(t), day, t.pk, blocks.get((t.pk, day.weekday()), [])) for t in therapists]
    appointments = list(Appointment.objects.between(start, end).for_calendar().order_by("starts_at"))
    live = [a for a in appointments if a.is_live and a.therapist_id in {t.pk for t in therapists}]
    opening, closing = _opening_closing([c.blocks for c in columns])
    grid = build_grid(columns, live, column_key=lambda a: a.therapist_id, opening=opening, closing=closing)
    return render(
        request,
        "scheduling/schedule_day.html",
        {
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "today": today(),
            "grid": grid,
            "not_live": [a for a in appointments if not a.is_live],
            "see_therapist": client_ids_with_alerts(a.client_id for a in appointments),
        },
    )


@can_view
def week_view(request: HttpRequest) -> HttpResponse:
    """One therapist's week."""
    therapists = list(User.objects.therapists())
    if not therapists:
        return render(request, "scheduling/schedule_week.html", {"therapists": [], "grid": None})
    therapist_id = request.GET.get("therapist")
    therapist = next((t for t in therapists if str(t.pk) == therapist_id), None)
    if therapist is None:
        therapist = next((t for t in therapists if t.pk == request.user.pk), therapists[0])
    days = week_days(_day_param(request))
    start, end = day_bounds(days[0])[0], day_bounds(days[-1])[1]
    blocks = _blocks_by([therapist.pk])
    columns = [
        Column(d, d.strftime("%a %b %-d"), d, therapist.pk, blocks.get((therapist.pk, d.weekday()), [])) for d in days
    ]
    appointments = list(
        Appointment.objects.live().filter(therapist=therapist).between(start, end).for_calendar().order_by("starts_at")
    )
    opening, closing = _opening_closing([c.blocks for c in columns])
    grid = build_grid(
        columns, appointments, column_key=lambda a: as_local_date(a.starts_at), opening=opening, closing=closing
    )
    return render(
        request,
        "scheduling/schedule_week.html",
        {
            "therapists": therapists,
            "therapist": therapist,
            "days": days,
            "previous_week": days[0] - timedelta(days=7),
            "next_week": days[0] + timedelta(days=7),
            "grid": grid,
            "see_therapist": client_ids_with_alerts(a.client_id for a in appointments),
        },
    )


@can_book
def book(request: HttpRequest) -> HttpResponse:
    """Book a visit. The client is found with the search box, as everywhere."""
    client = None
    client_id = request.POST.get("client") or request.GET.get("client")
    if client_id and str(client_id).isdecimal():
        client = get_object_or_404(Client.objects.active(), pk=client_id)
    query = request.GET.get("client_q", "").strip()[:200]
    matches = list(Client.objects.active().for_list().search(query)[:10]) if query and client is None else []

    initial = {
        "therapist": request.GET.get("therapist"),
        "service": request.GET.get("service"),
        "date": _bookable_day_param(request),
        "time": request.GET.get("time"),
    }
    form = BookingForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and client is None:
        messages.error(request, "Choose the client first.")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at, service = data["starts_at"], data["service"]
        try:
            appointment = booking.appointment_book(
                client=client,
                therapist=data["therapist"],
                service=service,
                starts_at=starts_at,
                desk_notes=data["desk_notes"],
                by=request.user,
                outside_hours_ok=data["outside_hours_ok"],
            )
        except booking.OutsideWorkingHours as error:
            form.add_error("time", error)
        except booking.BookingConflict as error:
            conflict = error
            form.add_error("time", _conflict_message(error, therapist=data["therapist"], client=client))
        else:
            messages.success(
                request,
                f"Booked {client.display_name} with {appointment.therapist} on "
                f"{local(appointment.starts_at):%a %b %-d at %H:%M}.",
            )
            return redirect(f"{reverse('scheduling:day')}?date={as_local_date(appointment.starts_at).isoformat()}")
    return render(
        request,
        "scheduling/book.html",
        {
            "form": form,
            "client": client,
            "query": query,
            "matches": matches,
            "conflict": conflict,
            "see_therapist": client is not None and client.pk in client_ids_with_alerts([client.pk]),
            "has_services": Service.objects.active().exists(),
            "carry": urlencode({k: v for k, v in request.GET.items() if k in ("therapist", "service", "date", "time")}),
        },
    )


def _conflict_message(error: booking.BookingConflict, *, therapist, client: Client) -> str:
    """Whose time is taken (the therapist's or the client's) and by which visit, for the desk."""
    conflict = error.conflicting
    if error.client_busy:
        if conflict is None:
            return f"{client.display_name} already has a visit at that time. Choose another time."
        return (
            f"{client.display_name} already has a visit at that time: with {conflict.therapist} from "
            f"{local(conflict.starts_at):%H:%M} to {local(conflict.ends_at):%H:%M} that day. Choose another time."
        )
    if conflict is None:
        return f"{therapist} already has a visit at that time."
    return (
        f"{therapist} already has {conflict.client.display_name} from "
        f"{local(conflict.starts_at):%H:%M} to {local(conflict.ends_at):%H:%M} that day. Choose another time."
    )


def _appointment(pk: int) -> Appointment:
    return get_object_or_404(Appointment.objects.select_related("client", "therapist", "service", "created_by"), pk=pk)


@can_view
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(pk)
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "client": appointment.client,
            "cancel_form": CancelForm(),
            "see_therapist": appointment.client_id in client_ids_with_alerts([appointment.client_id]),
        },
    )


@can_change
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(pk)
    start = local(appointment.starts_at)
    form = RescheduleForm(
        request.POST or None,
        initial={"therapist": appointment.therapist_id, "date": start.date(), "time": start.time()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking.appointment_reschedule(
                appointment=appointment,
                starts_at=data["starts_at"],
                therapist=data["therapist"],
                by=request.user,
                outside_hours_ok=data["outside_hours_ok"],
            )
        except booking.OutsideWorkingHours as error:
            form.add_error("time", error)
        except booking.BookingConflict as error:
            form.add_error("time", _conflict_message(error, therapist=data["therapist"], client=appointment.client))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Moved to {local(appointment.starts_at):%a %b %-d at %H:%M}.")
            return redirect(appointment)
    return render(request, "scheduling/reschedule.html", {"appointment": appointment, "form": form})


def _act(request, pk: int, action, success: str) -> HttpResponse:
    appointment = _appointment(pk)
    try:
        action(appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(appointment)


@can_change
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)
    if not form.is_valid():
        appointment = _appointment(pk)
        return render(
            request,
            "scheduling/appointment_detail.html",
            {"appointment": appointment, "client": appointment.client, "cancel_form": form, "see_therapist": False},
            status=400,
        )
    return _act(
        request,
        pk,
        lambda a: booking.appointment_cancel(appointment=a, reason=form.cleaned_data["reason"], by=request.user),
        "Visit cancelled.",
    )


@can_change
@require_POST
def appointment_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda a: booking.appointment_no_show(appointment=a, by=request.user), "Marked as no-show."
    )


@can_change
@require_POST
def appointment_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(pk)
    try:
        note = booking.appointment_check_in(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(appointment)
    if request.user.pk == appointment.therapist_id:
        return redirect("visits:note_edit", client_pk=appointment.client_id, pk=note.pk)
    messages.success(
        request, f"{appointment.client.display_name} is checked in; {appointment.therapist} has the note open."
    )
    return redirect(appointment)


@can_change
@require_POST
def appointment_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, lambda a: booking.appointment_complete(appointment=a, by=request.user), "Visit completed.")


@can_view
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    # Only for a visit that happened: completed, and its start time passed (a visit completed
    # ahead of its time before that was refused has no receipt either).
    appointment = get_object_or_404(
        Appointment.objects.select_related("client", "therapist", "service"),
        pk=pk,
        status=Appointment.Status.COMPLETED,
        starts_at__lte=timezone.now(),
    )
    return render(request, "scheduling/receipt.html", {"appointment": appointment})


@can_view
def recalls(request: HttpRequest) -> HttpResponse:
    page = Paginator(due_clients(), 50).get_page(request.GET.get("page"))
    therapist_ids = {c.last_therapist_id for c in page.object_list}
    therapists = User.objects.in_bulk(therapist_ids)
    rows = [(c, therapists.get(c.last_therapist_id)) for c in page.object_list]
    return render(request, "scheduling/recalls.html", {"page": page, "rows": rows, "today": today()})


@can_manage_services
def services(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Service added.")
        return redirect("scheduling:services")
    return render(request, "scheduling/services.html", {"services": Service.objects.all(), "form": form})


@can_manage_services
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=pk)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Service saved. Visits already booked keep their fee.")
        return redirect("scheduling:services")
    return render(request, "scheduling/service_form.html", {"service": service, "form": form})


def todays_visits(user) -> list[Appointment]:
    """A therapist's visits today, for their dashboard."""
    start, end = day_bounds(today())
    return list(
        Appointment.objects.live().filter(therapist=user).between(start, end).for_calendar().order_by("starts_at")
    )


@clinical_only
def dashboard(request: HttpRequest) -> HttpResponse:
    """The therapist's desk: drafts left unsigned, and recent notes."""
    notes = SessionNote.objects.filter(therapist=request.user).select_related("client")
    return render(
        request,
        "scheduling/dashboard.html",
        {
            "overdue": list(
                SessionNote.objects.overdue_drafts(therapist=request.user)
                .select_related("client")
                .order_by("created_at")
            ),
            "drafts": list(notes.drafts().order_by("-created_at")[:20]),
            "recent": list(notes.signed().order_by("-signed_at")[:10]),
            "today_visits": todays_visits(request.user),
        },
    )
