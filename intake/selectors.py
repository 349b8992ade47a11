from accounts.access import can_read_clinical
from intake.models import Intake, IntakeLink


def client_intake_panel(*, client, user, new_link: dict | None = None) -> dict:
    """What the client page shows about intake, by role.

    Everyone: whether an intake is on file, link statuses, and a "see therapist"
    flag when the current intake has alerts. Clinicians also get the alerts
    themselves and the history of versions.
    """
    clinical = can_read_clinical(user)
    history = list(
        Intake.objects.filter(client=client).exclude(status=Intake.Status.UNMATCHED).order_by("-submitted_at", "-id")
    )
    current = next((i for i in history if i.status == Intake.Status.ACCEPTED), None)
    alerts = current.alerts() if current else []
    # Front desk's "see therapist" flag also counts an answer still awaiting review.
    newest = history[0] if history else None
    links = (
        list(
            IntakeLink.objects.filter(client=client, purpose=IntakeLink.Purpose.LINK)
            .select_related("intake")
            .order_by("-created_at")[:5]
        )
        if user.has_perm("intake.view_intakelink")
        else []
    )
    panel = {
        "on_file": current is not None,
        "current_date": current.submitted_at if current else None,
        "awaiting_review": sum(1 for i in history if i.status == Intake.Status.AWAITING_REVIEW),
        "has_alerts": bool(alerts) or bool(newest and newest.alerts()),
        "links": links,
        "new_link": new_link if new_link and new_link.get("client") == client.pk else None,
        "clinical": clinical,
    }
    if clinical:
        panel.update({"current": current, "alerts": alerts, "history": history})
    return panel


def client_ids_with_alerts(client_ids) -> set[int]:
    """Of these clients, those whose newest intake has alerts ("see therapist"). One query."""
    ids = set(client_ids)
    if not ids:
        return set()
    # The newest answers count, reviewed or not: a new contraindication must not wait for review.
    current = (
        Intake.objects.filter(status__in=[Intake.Status.ACCEPTED, Intake.Status.AWAITING_REVIEW])
        .filter(client_id__in=ids)
        .order_by("client_id", "-submitted_at", "-id")
        .distinct("client_id")
        .only(
            "id",
            "client_id",
            "cautions",
            "caution_details",
            "do_not_work",
            "do_not_work_other",
            "consent_gluteals",
            "consent_chest",
            "consent_inner_thigh",
            "consent_abdomen",
        )
    )
    return {intake.client_id for intake in current if intake.alerts()}


def profile_panel(request, client) -> dict:
    """The intake panel of the profile page; a new link made on the last page is shown once."""
    return client_intake_panel(client=client, user=request.user, new_link=request.session.pop("new_intake_link", None))
