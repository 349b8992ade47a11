"""Reads of the appointment book for other pages."""

from django.utils import timezone

from accounts import access
from scheduling.models import Appointment


def upcoming_appointments(client, limit: int = 5):
    """The client's next live visits (for the profile page)."""
    return list(
        Appointment.objects.live()
        .filter(client=client, starts_at__gte=timezone.now())
        .select_related("therapist", "service")
        .order_by("starts_at")[:limit]
    )


def profile_panel(request, client) -> dict | None:
    """The client's next visits, on the profile page, for whoever sees the schedule."""
    if not request.user.has_perm(access.VIEW_SCHEDULE):
        return None
    return {"upcoming": upcoming_appointments(client)}
