"""Intake factories: complete, accepted intakes and links in any state."""

from datetime import timedelta

import factory
from django.utils import timezone

from clients.tests.factories import ClientFactory
from intake.models import ConsentText, Intake, IntakeArea, IntakeHistoryEvent, IntakeLink
from intake.vocabulary import ActivityLevel, Duration, WorkPosture


class IntakeFactory(factory.django.DjangoModelFactory):
    """A complete intake, accepted into the client's history, signed under the current consent.

    `IntakeFactory(areas=[("lower_back", "both", 6)], events=[("injury", 2019, "Fell")])`
    adds body-map areas and history rows.
    """

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    status = Intake.Status.ACCEPTED
    submitted_at = factory.LazyFunction(timezone.now)
    reviewed_at = factory.LazyAttribute(lambda o: o.submitted_at if o.status == Intake.Status.ACCEPTED else None)
    contact = factory.LazyAttribute(lambda o: {"phone": o.client.phone, "email": o.client.email} if o.client else {})

    main_complaint = "Stiff neck after long days at the desk"
    duration = Duration.MONTHS
    onset = "Gradually, after starting a new job"
    better = "Heat and walking"
    worse = "Sitting for hours"
    medical_conditions = "none"
    medications = "none"
    allergies = factory.LazyFunction(list)
    cautions = factory.LazyFunction(list)
    caution_details = factory.LazyFunction(dict)
    occupation = "Accountant"
    work_posture = WorkPosture.SITTING
    activity_level = ActivityLevel.LIGHT
    sports = "Walking"
    sleep_quality = 3
    stress_level = 5
    goals = "Turn my head without pain"
    pressure = "moderate"
    do_not_work = factory.LazyFunction(list)
    consent = factory.LazyFunction(ConsentText.objects.current)
    consent_gluteals = True
    consent_chest = True
    consent_inner_thigh = True
    consent_abdomen = True
    signature_name = factory.LazyAttribute(lambda o: f"{o.client.first_name} {o.client.last_name}" if o.client else "")
    signed_at = factory.LazyAttribute(lambda o: o.submitted_at)

    class Params:
        awaiting = factory.Trait(status=Intake.Status.AWAITING_REVIEW)
        unmatched = factory.Trait(
            status=Intake.Status.UNMATCHED,
            client=None,
            contact={"first_name": "Nadia", "last_name": "Okafor", "date_of_birth": "1988-03-14"},
            signature_name="Nadia Okafor",
        )

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            IntakeArea.objects.bulk_create(
                IntakeArea(intake=self, region=region, side=side, pain=pain) for region, side, pain in extracted
            )

    @factory.post_generation
    def events(self, create, extracted, **kwargs):
        if create and extracted:
            IntakeHistoryEvent.objects.bulk_create(
                IntakeHistoryEvent(intake=self, kind=kind, year=year, description=description)
                for kind, year, description in extracted
            )


def make_link(*, client=None, purpose: str = IntakeLink.Purpose.LINK, by=None, **changes) -> tuple[IntakeLink, str]:
    """A link and its raw token; `changes` are saved on it (e.g. revoked_at, emailed_at)."""
    link, token = IntakeLink.issue(client=client, purpose=purpose, by=by)
    if changes:
        for name, value in changes.items():
            setattr(link, name, value)
        link.save(update_fields=list(changes))
    return link, token


def expired_link(*, client) -> tuple[IntakeLink, str]:
    return make_link(client=client, expires_at=timezone.now() - timedelta(minutes=1))
