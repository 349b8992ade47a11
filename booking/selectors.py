from accounts import access
from booking.models import WaitlistEntry


def waitlist_panel(request, client) -> dict | None:
    """The client's waitlist entries on the profile page, for whoever books visits."""
    if not request.user.has_perm(access.BOOK_VISITS):
        return None
    entries = list(
        WaitlistEntry.objects.waiting()
        .filter(client=client)
        .select_related("service", "therapist")
        .order_by("created_at")
    )
    return {"client": client, "entries": entries}
