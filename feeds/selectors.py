from datetime import datetime, timedelta

from scheduling.models import Appointment

# The stretch of a therapist's book the feed holds, around the moment it is fetched.
DAYS_BACK = 30
DAYS_AHEAD = 180


def feed_appointments(user, *, now: datetime):
    """The user's visits starting from DAYS_BACK before `now` to DAYS_AHEAD after it, cancelled and
    no-shows too (the feed marks them cancelled, so phones drop them). One query, by the
    (therapist, starts_at) index, with only the columns the feed shows."""
    return (
        Appointment.objects.filter(
            therapist=user,
            starts_at__gte=now - timedelta(days=DAYS_BACK),
            starts_at__lt=now + timedelta(days=DAYS_AHEAD),
        )
        .select_related("client", "service")
        .only(
            "id",
            "starts_at",
            "ends_at",
            "status",
            "created_at",
            "updated_at",
            "client__first_name",
            "client__preferred_name",
            "client__last_name",
            "service__name",
        )
        .order_by("starts_at", "id")
    )
