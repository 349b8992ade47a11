"""Clinical writes: start, save, sign and amend notes; plans; assessments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from sessions.models import (
    Addendum,
    Assessment,
    NoteArea,
    PalpationFinding,
    RangeOfMotionTest,
    SessionNote,
    SpecialTest,
    TreatmentPlan,
)
from sessions.seals import seal_record

CARRIED_FORWARD = ("home_care_stretches", "home_care_strengthening", "home_care_posture", "techniques", "pressure")


class NoteConflict(Exception):
    """The note changed since the form was opened (another tab or device saved it)."""

    def __init__(self, current: SessionNote):
        super().__init__("The note was saved elsewhere since this form was opened.")
        self.current = current


@transaction.atomic
def note_start(*, client: Client, therapist, carry_forward: bool = False) -> SessionNote:
    """A new draft note. With carry_forward, regions and home care come from the previous note."""
    note = SessionNote(client=client, therapist=therapist)
    previous = None
    if carry_forward:
        # The last signed note is the one worth copying; a forgotten empty draft is not.
        notes = SessionNote.objects.filter(client=client).prefetch_related("areas").order_by("-visit_date", "-id")
        previous = notes.signed().first() or notes.first()
    if previous:
        for field in CARRIED_FORWARD:
            setattr(note, field, getattr(previous, field))
    note.save()
    if previous:
        NoteArea.objects.bulk_create(
            NoteArea(note=note, region=a.region, side=a.side, pressure=a.pressure, techniques=a.techniques)
            for a in previous.areas.all()
        )
    return note


def note_save_draft(*, note: SessionNote, by, version: int, fields: dict, areas: list[dict]) -> SessionNote:
    """Save a draft's values and areas, unless someone saved it since `version` was read.

    The version check and the write are one UPDATE, so two tabs cannot both win.
    """
    if not note.can_edit(by):
        raise PermissionDenied("Only the author edits a draft note.")
    expected = version
    with transaction.atomic():
        updated = SessionNote.objects.filter(pk=note.pk, version=expected, signed_at__isnull=True).update(
            **fields, version=expected + 1, updated_at=timezone.now()
        )
        if not updated:
            raise NoteConflict(SessionNote.objects.with_details().get(pk=note.pk))
        NoteArea.objects.filter(note=note).delete()
        NoteArea.objects.bulk_create(NoteArea(note=note, **area) for area in areas)
    note.refresh_from_db()
    return note


def missing_for_signature(note: SessionNote) -> list[str]:
    """What a note needs before it can be signed."""
    missing = []
    if note.pain_before is None:
        missing.append("pain before")
    if note.pain_after is None:
        missing.append("pain after")
    if not note.duration_minutes:
        missing.append("duration")
    if not note.areas.all() and not note.techniques:
        missing.append("areas worked or techniques")
    return missing


def note_sign(*, note: SessionNote, by) -> SessionNote:
    """Sign a draft: who, when and a SHA-256 of the content, sealed into the client's chain
    (sessions/seals.py). From then on the database refuses changes."""
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.is_signed:
            return note
        if not note.can_edit(by):
            raise PermissionDenied("Only the author signs a note.")
        missing = missing_for_signature(note)
        if missing:
            raise ValidationError(f"Before signing, add: {', '.join(missing)}.")
        signed_at = timezone.now()
        note.content_hash = note.compute_hash(signed_at=signed_at, signed_by_id=by.pk)
        note.signed_at = signed_at
        note.signed_by = by
        note.save(update_fields=["signed_at", "signed_by", "content_hash", "updated_at"])
        seal_record(client_id=note.client_id, note=note)
    return note


@transaction.atomic
def addendum_add(*, note: SessionNote, by, reason: str, text: str, created_at=None) -> Addendum:
    """An addendum to a signed note, sealed into the client's chain with it."""
    if not note.is_signed:
        raise ValidationError("Edit the draft instead: addenda are for signed notes.")
    addendum = Addendum.objects.create(
        note=note, author=by, reason=reason, text=text, created_at=created_at or timezone.now()
    )
    seal_record(client_id=note.client_id, addendum=addendum)
    return addendum


@transaction.atomic
def plan_create(*, client: Client, therapist, **fields) -> TreatmentPlan:
    """A new active plan from validated values; the previous active plan is completed and kept."""
    for plan in TreatmentPlan.objects.select_for_update().filter(client=client).active():
        plan.complete()
    return TreatmentPlan.objects.create(client=client, therapist=therapist, **fields)


@transaction.atomic
def assessment_create(
    *,
    client: Client,
    therapist,
    note: SessionNote | None = None,
    rom_tests: list[dict] = (),
    palpation_findings: list[dict] = (),
    special_tests: list[dict] = (),
    **fields,
) -> Assessment:
    """An assessment from validated values, with its rows of tests and findings."""
    assessment = Assessment.objects.create(client=client, therapist=therapist, note=note, **fields)
    RangeOfMotionTest.objects.bulk_create(RangeOfMotionTest(assessment=assessment, **row) for row in rom_tests)
    PalpationFinding.objects.bulk_create(PalpationFinding(assessment=assessment, **row) for row in palpation_findings)
    SpecialTest.objects.bulk_create(SpecialTest(assessment=assessment, **row) for row in special_tests)
    return assessment
