"""Clinical-record factories: draft and signed session notes, areas, plans, assessments.

`SessionNoteFactory(areas=[("neck_back", "both", 5)])` adds areas worked (region, side, pain);
`signed_note(...)` makes a draft and signs it through the service, as a therapist would.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.roles import THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from sessions import services
from sessions.models import (
    Addendum,
    Assessment,
    ImportedNote,
    NoteArea,
    PalpationFinding,
    RangeOfMotionTest,
    SessionNote,
    SpecialTest,
    TreatmentPlan,
)

# Distinctive clinical text, so tests can tell where health data went (and where it must not go).
TISSUE_RESPONSE = "Ropy bands along the left levator scapulae softened after ten minutes"
HOME_CARE_STRETCHES = "Chin tucks, ten times every hour at the desk"


class SessionNoteFactory(factory.django.DjangoModelFactory):
    """A complete draft: everything signing needs except the signature."""

    class Meta:
        model = SessionNote
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    therapist = factory.SubFactory(UserFactory, role=THERAPIST)
    visit_date = factory.LazyFunction(timezone.localdate)
    update_since_last = "Neck stiff again after a week of deadlines"
    pain_before = 6
    pain_after = 3
    techniques = factory.LazyFunction(lambda: ["Swedish", "Trigger point therapy"])
    pressure = "moderate"
    client_feedback = "Pressure felt right on the shoulders"
    tissue_response = TISSUE_RESPONSE
    home_care_stretches = HOME_CARE_STRETCHES
    home_care_strengthening = "Band pull-aparts, 2 x 15"
    home_care_posture = "Raise the screen to eye level"
    next_visit_interval_days = 14
    duration_minutes = 60

    class Params:
        empty = factory.Trait(
            update_since_last="",
            pain_before=None,
            pain_after=None,
            techniques=factory.LazyFunction(list),
            pressure="",
            client_feedback="",
            tissue_response="",
            home_care_stretches="",
            home_care_strengthening="",
            home_care_posture="",
            next_visit_interval_days=None,
            duration_minutes=None,
        )
        overdue = factory.Trait(created_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=30)))

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            NoteArea.objects.bulk_create(
                NoteArea(note=self, region=region, side=side, pain=pain, pressure="firm", techniques=["Deep tissue"])
                for region, side, pain in extracted
            )


class NoteAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoteArea

    note = factory.SubFactory(SessionNoteFactory)
    region = "neck_back"
    side = "both"
    pain = 5
    pressure = "firm"
    techniques = factory.LazyFunction(lambda: ["Myofascial release"])


def signed_note(*, areas=(("neck_back", "both", 5),), **kwargs) -> SessionNote:
    """A note signed by its author through services.note_sign."""
    note = SessionNoteFactory(areas=list(areas), **kwargs)
    return services.note_sign(note=note, by=note.therapist)


IMPORTED_ANSWER = "Low back pain for three weeks, worse sitting"


def imported_note(*, client, answer: str = IMPORTED_ANSWER, **kwargs) -> ImportedNote:
    """A treatment note as an import writes it: read-only and sealed in the client's chain."""
    from sessions.seals import seal_record

    note = ImportedNote(
        client=client,
        source=kwargs.pop("source", "Cliniko"),
        external_id=kwargs.pop("external_id", "7001"),
        title=kwargs.pop("title", "Remedial massage note"),
        author_name=kwargs.pop("author_name", "Dana Smith"),
        signed_at=kwargs.pop("signed_at", timezone.now() - timedelta(days=400)),
        visit_date=kwargs.pop("visit_date", timezone.localdate() - timedelta(days=400)),
        content={
            "sections": [
                {"name": "Subjective", "questions": [{"name": "Complaint", "type": "paragraph", "answer": answer}]}
            ]
        },
        import_batch_id=kwargs.pop("import_batch_id", 1),
        **kwargs,
    )
    note.content_hash = note.compute_hash()
    note.save()
    seal_record(client_id=client.pk, imported_note=note)
    return note


def add_addendum(note: SessionNote, *, by=None, reason: str = "Correction", text: str = "Left, not right.") -> Addendum:
    return services.addendum_add(note=note, by=by or note.therapist, reason=reason, text=text)


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentPlan

    client = factory.SubFactory(ClientFactory)
    therapist = factory.SubFactory(UserFactory, role=THERAPIST)
    goals = "Turn the head fully without pain"
    focus_regions = factory.LazyFunction(lambda: ["neck_back", "shoulder"])
    visit_interval_days = 14
    planned_visits = 6
    home_care = "Daily chin tucks"


class AssessmentFactory(factory.django.DjangoModelFactory):
    """`AssessmentFactory(rom=[("cervical_rotation", "left", "limited", 60)])` adds range-of-motion rows."""

    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    therapist = factory.SubFactory(UserFactory, role=THERAPIST)
    posture = factory.LazyFunction(lambda: ["head_forward"])
    gait_notes = "Even stride"
    summary = "Forward head; right upper trapezius tight"

    @factory.post_generation
    def rom(self, create, extracted, **kwargs):
        if create and extracted:
            RangeOfMotionTest.objects.bulk_create(
                RangeOfMotionTest(assessment=self, movement=movement, side=side, result=result, degrees=degrees)
                for movement, side, result, degrees in extracted
            )

    @factory.post_generation
    def palpation(self, create, extracted, **kwargs):
        if create and extracted:
            PalpationFinding.objects.bulk_create(
                PalpationFinding(assessment=self, region=region, side=side, tension="moderate")
                for region, side in extracted
            )

    @factory.post_generation
    def special(self, create, extracted, **kwargs):
        if create and extracted:
            SpecialTest.objects.bulk_create(
                SpecialTest(assessment=self, name=name, side=side, positive=positive)
                for name, side, positive in extracted
            )
