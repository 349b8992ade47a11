"""A visit cancelled, marked a no-show before its time, or moved frees its time: once the change
commits, the `offer_freed_time` job offers it to the waitlist (waitlist.py)."""

from django.db import transaction
from django.utils import timezone

from scheduling.models import Appointment

WATCHED = {"status", "starts_at", "ends_at", "therapist", "therapist_id"}
HOLDING = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN)


def remember_before(sender, instance: Appointment, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and not set(update_fields) & WATCHED):
        instance._held_before = None
        return
    instance._held_before = (
        Appointment.objects.filter(pk=instance.pk, status__in=HOLDING)
        .values("therapist_id", "starts_at", "ends_at")
        .first()
    )


def offer_freed_time(sender, instance: Appointment, created: bool = False, **kwargs) -> None:
    before = getattr(instance, "_held_before", None)
    instance._held_before = None
    if not before or before["starts_at"] <= timezone.now():
        return
    still_holding = instance.status in HOLDING and (
        instance.therapist_id,
        instance.starts_at,
        instance.ends_at,
    ) == (before["therapist_id"], before["starts_at"], before["ends_at"])
    if still_holding:
        return
    from booking import tasks

    therapist_id, starts_at, ends_at = before["therapist_id"], before["starts_at"], before["ends_at"]
    transaction.on_commit(
        lambda: tasks.offer_freed_time.defer(
            therapist_id=therapist_id, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat()
        )
    )
