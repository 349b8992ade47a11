"""Appointment writes: book, reschedule, cancel, no-show, check in, complete."""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from clients.models import Client
from scheduling.models import Appointment, Service, WorkingHours
from sessions import services
from sessions.models import SessionNote
from timekeeping.timeutil import local

EXCLUSION_VIOLATION = "23P01"
DEADLOCK_DETECTED = "40P01"
SAVE_ATTEMPTS = 3


# Which exclusion constraint refused the save: whose time is already taken.
CLIENT_OVERLAP_CONSTRAINT = "appointment_client_no_overlap"


class BookingConflict(Exception):
    """The therapist (or, when `client_busy`, the client) already has a live appointment
    overlapping this time."""

    def __init__(self, conflicting: Appointment | None, *, client_busy: bool = False):
        super().__init__("client already booked" if client_busy else "double booking")
        self.conflicting = conflicting
        self.client_busy = client_busy


class OutsideWorkingHours(ValidationError):
    """The visit falls outside the therapist's working hours and nobody said to book it anyway."""

    def __init__(self, therapist):
        super().__init__(f"Outside {therapist}'s working hours. Tick the box below to book anyway.")
        self.therapist = therapist


def _check_working_hours(*, therapist, starts_at: datetime, ends_at: datetime, outside_hours_ok: bool) -> None:
    if not outside_hours_ok and not within_working_hours(therapist=therapist, starts_at=starts_at, ends_at=ends_at):
        raise OutsideWorkingHours(therapist)


def conflicting_appointment(
    *, therapist=None, client=None, starts_at: datetime, ends_at: datetime, exclude_pk=None
) -> Appointment | None:
    """The first live visit of the therapist (or of the client) overlapping [starts_at, ends_at)."""
    qs = Appointment.objects.live().between(starts_at, ends_at).select_related("client", "therapist")
    qs = qs.filter(client=client) if client is not None else qs.filter(therapist=therapist)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("starts_at").first()


def within_working_hours(*, therapist, starts_at: datetime, ends_at: datetime) -> bool:
    """True when the visit fits one of the therapist's working blocks (or none are set)."""
    blocks = list(WorkingHours.objects.filter(therapist=therapist))
    if not blocks:
        return True
    start, end = local(starts_at), local(ends_at)
    if start.date() != end.date():
        return False
    return any(b.weekday == start.weekday() and b.starts <= start.time() and end.time() <= b.ends for b in blocks)


def _sqlstate(error: Exception) -> str | None:
    """PostgreSQL's error code behind a Django database error (psycopg 3: sqlstate; psycopg2: pgcode)."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def _save_or_conflict(appointment: Appointment, update_fields: list[str] | None = None) -> Appointment:
    """Save inside a savepoint; PostgreSQL's exclusion constraint decides double bookings."""
    for attempt in range(SAVE_ATTEMPTS):
        try:
            with transaction.atomic():
                appointment.save(update_fields=update_fields)
        except IntegrityError as error:
            if _sqlstate(error) == EXCLUSION_VIOLATION:
                diag = getattr(error.__cause__, "diag", None)
                client_busy = getattr(diag, "constraint_name", None) == CLIENT_OVERLAP_CONSTRAINT
                raise BookingConflict(
                    conflicting_appointment(
                        **({"client": appointment.client} if client_busy else {"therapist": appointment.therapist}),
                        starts_at=appointment.starts_at,
                        ends_at=appointment.ends_at,
                        exclude_pk=appointment.pk,
                    ),
                    client_busy=client_busy,
                ) from error
            raise
        except OperationalError as error:
            # Two overlapping inserts at the same moment each wait for the other inside the
            # exclusion check, and PostgreSQL aborts one of them as a deadlock. By now the other
            # has finished: saving again gives a clean conflict (or succeeds if it rolled back).
            if _sqlstate(error) != DEADLOCK_DETECTED or attempt == SAVE_ATTEMPTS - 1:
                raise
        else:
            return appointment
    raise AssertionError("unreachable")


def appointment_book(
    *,
    client: Client,
    therapist,
    service: Service,
    starts_at: datetime,
    desk_notes: str = "",
    by=None,
    outside_hours_ok: bool = False,
) -> Appointment:
    """Book a visit at the service's current fee (kept even if the fee changes later).

    Outside the therapist's working hours only when `outside_hours_ok` (the desk's tick box):
    OutsideWorkingHours otherwise. A clash with another visit raises BookingConflict.
    """
    starts_at = starts_at.astimezone(UTC)  # exact durations across clock changes (no wall-clock arithmetic)
    ends_at = starts_at + timedelta(minutes=service.duration_minutes)
    _check_working_hours(therapist=therapist, starts_at=starts_at, ends_at=ends_at, outside_hours_ok=outside_hours_ok)
    appointment = Appointment(
        client=client,
        therapist=therapist,
        service=service,
        starts_at=starts_at,
        ends_at=ends_at,
        fee=service.fee,
        desk_notes=desk_notes,
        created_by=by,
    )
    return _save_or_conflict(appointment)


def appointment_reschedule(
    *, appointment: Appointment, starts_at: datetime, therapist=None, by=None, outside_hours_ok: bool = False
) -> Appointment:
    """Move a booked visit (and perhaps to another therapist); the same rules as booking.

    The row is locked and read afresh, and only the time and therapist are written: a cancel
    or check-in that happened since the page was opened is not undone.
    """
    starts_at = starts_at.astimezone(UTC)  # exact durations across clock changes (no wall-clock arithmetic)
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if current.status != Appointment.Status.BOOKED:
            raise ValidationError("Only booked visits can be moved.")
        length = current.ends_at - current.starts_at
        _check_working_hours(
            therapist=therapist or current.therapist,
            starts_at=starts_at,
            ends_at=starts_at + length,
            outside_hours_ok=outside_hours_ok,
        )
        moved = current.starts_at != starts_at
        current.starts_at = starts_at
        current.ends_at = starts_at + length
        if therapist is not None:
            current.therapist = therapist
        if moved:  # the client confirmed the old time, not the new one
            current.confirmed_at = None
        _save_or_conflict(current, update_fields=["starts_at", "ends_at", "therapist", "confirmed_at", "updated_at"])
    # The caller's object (shown on the next page) follows; on a conflict it keeps where the visit still is.
    appointment.starts_at, appointment.ends_at, appointment.therapist, appointment.confirmed_at = (
        current.starts_at,
        current.ends_at,
        current.therapist,
        current.confirmed_at,
    )
    return appointment


def _transition(appointment: Appointment, status: str) -> None:
    if not appointment.can_become(status):
        raise ValidationError(
            f"A visit that is {appointment.get_status_display().lower()} cannot become "
            f"{Appointment.Status(status).label.lower()}."
        )
    if too_early := _too_early(appointment, status):
        raise ValidationError(too_early)
    appointment.status = status


def _too_early(appointment: Appointment, status: str) -> str:
    """Why the visit's time has not come for this change ('' if it has): a client is checked in
    or marked a no-show from the visit's clinic day on, and a visit completed once it started."""
    when = local(appointment.starts_at)
    if status in (Appointment.Status.CHECKED_IN, Appointment.Status.NO_SHOW) and not appointment.day_has_come:
        action = "checked in" if status == Appointment.Status.CHECKED_IN else "marked a no-show"
        return f"This visit is on {when:%A, %B %-d, %Y}: it can be {action} from that day on."
    if status == Appointment.Status.COMPLETED and not appointment.has_started:
        return f"This visit starts at {when:%H:%M} on {when:%A, %B %-d}: it can be completed once it has started."
    return ""


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str, by=None) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not reason.strip():
        raise ValidationError("Give a reason for the cancellation.")
    _transition(appointment, Appointment.Status.CANCELLED)
    appointment.cancel_reason = reason.strip()
    appointment.save(update_fields=["status", "cancel_reason", "updated_at"])
    return appointment


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, at: datetime | None = None) -> Appointment:
    """The client confirmed they are coming (a text reply). Only a booked visit; a second
    confirmation keeps the first time."""
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != Appointment.Status.BOOKED:
        raise ValidationError("Only booked visits can be confirmed.")
    if appointment.confirmed_at is None:
        appointment.confirmed_at = at or timezone.now()
        appointment.save(update_fields=["confirmed_at", "updated_at"])
    return appointment


@transaction.atomic
def appointment_no_show(*, appointment: Appointment, by=None) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    _transition(appointment, Appointment.Status.NO_SHOW)
    appointment.save(update_fields=["status", "updated_at"])
    return appointment


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, by=None) -> SessionNote:
    """The client has arrived: open (or create) the visit's session note for the therapist."""
    appointment = Appointment.objects.select_for_update().select_related("client", "therapist").get(pk=appointment.pk)
    if appointment.status == Appointment.Status.CHECKED_IN and appointment.note_id:
        return appointment.note  # a second press of "Check in"
    _transition(appointment, Appointment.Status.CHECKED_IN)
    if appointment.note_id is None:
        day = local(appointment.starts_at).date()
        minutes = round((appointment.ends_at - appointment.starts_at).total_seconds() / 60)
        # The therapist may have started the note from the chart before the desk checked the
        # client in: that draft is this visit's note (a second one would be a duplicate).
        note = (
            SessionNote.objects.editable_by(appointment.therapist)
            .filter(client=appointment.client, visit_date=day, appointment__isnull=True)
            .order_by("created_at")
            .first()
        )
        if note is None:
            note = services.note_start(client=appointment.client, therapist=appointment.therapist, carry_forward=True)
            note.visit_date = day
        if note.duration_minutes is None:
            note.duration_minutes = minutes
        note.save(update_fields=["visit_date", "duration_minutes"])
        appointment.note = note
    appointment.save(update_fields=["status", "note", "updated_at"])
    return appointment.note


@transaction.atomic
def appointment_complete(*, appointment: Appointment, by=None) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.note_id is None:
        raise ValidationError("Completing a visit needs its session note (draft or signed). Check the client in first.")
    _transition(appointment, Appointment.Status.COMPLETED)
    appointment.save(update_fields=["status", "updated_at"])
    return appointment
