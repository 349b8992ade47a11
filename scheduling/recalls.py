"""Maintenance recalls: who is due for a visit, worked out in one query."""

from datetime import timedelta

from django.db.models import DateField, Exists, F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clients.models import Client
from scheduling.models import Appointment
from sessions.models import SessionNote, TreatmentPlan

RECALL_HORIZON_DAYS = 14


class _DatePlusDays(Func):
    """date + integer days (PostgreSQL date arithmetic)."""

    template = "(%(expressions)s)"
    arg_joiner = " + "
    output_field = DateField()


def due_clients(*, today=None, horizon_days: int = RECALL_HORIZON_DAYS):
    """Active clients whose next visit is overdue or due within the horizon, and who have nothing booked.

    Due date: the last note's recommended date, else its visit date plus its recommended
    interval, else the last visit plus the active plan's interval.
    """
    today = today or timezone.localdate()
    last_note = SessionNote.objects.filter(client=OuterRef("pk")).order_by("-visit_date", "-id")
    active_plan = TreatmentPlan.objects.filter(client=OuterRef("pk"), status=TreatmentPlan.Status.ACTIVE)
    future_booking = Appointment.objects.live().filter(client=OuterRef("pk"), starts_at__gte=timezone.now())
    return (
        Client.objects.active()
        .annotate(
            last_visit=Subquery(last_note.values("visit_date")[:1], output_field=DateField()),
            last_therapist_id=Subquery(last_note.values("therapist_id")[:1], output_field=IntegerField()),
            note_next_date=Subquery(last_note.values("next_visit_date")[:1], output_field=DateField()),
            note_interval=Subquery(last_note.values("next_visit_interval_days")[:1], output_field=IntegerField()),
            plan_interval=Subquery(active_plan.values("visit_interval_days")[:1], output_field=IntegerField()),
            has_future_booking=Exists(future_booking),
        )
        .filter(last_visit__isnull=False, has_future_booking=False)
        .annotate(
            due_on=Coalesce(
                F("note_next_date"),
                _DatePlusDays(F("last_visit"), F("note_interval")),
                _DatePlusDays(F("last_visit"), F("plan_interval")),
                output_field=DateField(),
            )
        )
        .filter(due_on__isnull=False, due_on__lte=today + timedelta(days=horizon_days))
        .only("id", "first_name", "last_name", "preferred_name", "phone", "email", "date_of_birth", "status")
        .order_by("due_on", "last_name", "first_name")
    )
