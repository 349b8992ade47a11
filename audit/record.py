"""Reads across apps for one client: the complete record a right-of-access export holds."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from clients.models import Client
from intake.models import Intake
from scheduling.models import Appointment
from sessions.models import Addendum, Assessment, ImportedNote, SessionNote, TreatmentPlan


@dataclass(frozen=True)
class ClientRecord:
    """Everything the clinic holds about one client, oldest first within each kind."""

    client: Client
    intakes: list[Intake]
    assessments: list[Assessment]
    plans: list[TreatmentPlan]
    notes: list[SessionNote]
    appointments: list[Appointment]
    # Notes signed in the software the clinic used before (withdrawn ones too: the record is whole).
    imported_notes: list[ImportedNote]


def client_record(client_pk: int) -> ClientRecord:
    """One client's complete record in a fixed number of queries (14), however long the history.

    Every query filters on the client, so nothing of another client can come along. A
    missing client is a 404.
    """
    client = get_object_or_404(Client.objects.select_related("created_by", "updated_by"), pk=client_pk)
    intakes = list(
        Intake.objects.filter(client=client)
        .select_related("consent", "entered_by", "reviewed_by")
        .prefetch_related("areas", "history_events")
        .order_by("submitted_at", "id")
    )
    assessments = list(
        Assessment.objects.filter(client=client)
        .select_related("therapist")
        .prefetch_related("rom_tests", "palpation_findings", "special_tests")
        .order_by("assessed_on", "id")
    )
    plans = list(TreatmentPlan.objects.filter(client=client).select_related("therapist").order_by("created_at", "id"))
    notes = list(
        SessionNote.objects.filter(client=client)
        .select_related("therapist", "signed_by", "seal")
        .prefetch_related("areas", Prefetch("addenda", queryset=Addendum.objects.select_related("author", "seal")))
        .order_by("visit_date", "id")
    )
    appointments = list(
        Appointment.objects.filter(client=client).select_related("therapist", "service").order_by("starts_at", "id")
    )
    imported_notes = list(
        ImportedNote.objects.filter(client=client)
        .select_related("seal", "withdrawal")
        .order_by("visit_date", "signed_at", "id")
    )
    return ClientRecord(
        client=client,
        intakes=intakes,
        assessments=assessments,
        plans=plans,
        notes=notes,
        appointments=appointments,
        imported_notes=imported_notes,
    )
