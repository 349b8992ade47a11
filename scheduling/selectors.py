"""Reads of the appointment book for other pages."""

from django.utils import timezone

from scheduling.models import Appointment


def upcoming_appointments(client, limit: int = 5):
    """The client's next live visits (for the profile page)."""
    return list(
        Appointment.objects.live()
        .filter(client=client, starts_at__gte=timezone.now())
        .select_related("therapist", "service")
        .order_by("starts_at")[:limit]
    )
