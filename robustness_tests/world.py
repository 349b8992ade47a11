"""Two clients with one of every record, for the fuzzers and the object-level access sweep."""

from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from accounts.roles import THERAPIST
from archive.tests.factories import ClinicArchiveFactory
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from feeds.tests.factories import make_feed
from intake.models import IntakeLink
from intake.tests.factories import IntakeFactory, make_link
from jobs.models import JobRun
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, WorkingHoursFactory
from sessions.models import Technique
from sessions.tests.factories import (
    AssessmentFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    add_addendum,
    imported_note,
    signed_note,
)


@dataclass
class ClientRecords:
    """One client and one of each record about them."""

    client: object
    signed_note: object
    draft_note: object  # by the persona `therapist`
    other_draft_note: object  # by another therapist
    plan: object
    assessment: object
    intake: object  # accepted
    awaiting_intake: object
    link: object
    link_token: str
    in_clinic_link: object
    in_clinic_token: str
    appointment: object  # booked
    completed_appointment: object
    imported_note: object  # from an earlier program (imports/)


@dataclass
class World:
    a: ClientRecords
    b: ClientRecords
    therapist: object
    other_therapist: object
    unmatched_intake: object
    service: object
    technique: object
    working_hours: object
    archived_client: object
    job_run: object
    archive_run: object  # a whole-clinic export (archive/)
    clinic_archive: object  # and the archive it made
    online_booking: object  # client a's booked visit, as if booked online (booking/)
    online_token: str
    waitlist_entry: object  # client b waiting (booking/)
    offer_token: str  # a freed time offered to b
    import_batch: object  # an import waiting for confirmation (imports/)
    imported_batch: object  # and one imported, which may be undone
    feed: object  # the `therapist` persona's calendar feed (feeds/)
    feed_token: str
    revoked_feed_token: str  # an earlier feed of theirs, revoked
    other_feed: object  # another therapist's feed


def _records(client, *, therapist, other_therapist, service, hour: int) -> ClientRecords:
    note = signed_note(client=client, therapist=therapist)
    add_addendum(note)
    tomorrow = (timezone.now() + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    link, token = make_link(client=client, purpose=IntakeLink.Purpose.LINK)
    in_clinic_link, in_clinic_token = make_link(client=client, purpose=IntakeLink.Purpose.IN_CLINIC, by=therapist)
    completed = AppointmentFactory(
        client=client,
        therapist=therapist,
        service=service,
        starts_at=tomorrow - timedelta(days=3),
        ends_at=tomorrow - timedelta(days=3) + timedelta(hours=1),
        status=Appointment.Status.COMPLETED,
    )
    return ClientRecords(
        client=client,
        signed_note=note,
        draft_note=SessionNoteFactory(client=client, therapist=therapist),
        other_draft_note=SessionNoteFactory(client=client, therapist=other_therapist),
        plan=TreatmentPlanFactory(client=client, therapist=therapist),
        assessment=AssessmentFactory(
            client=client, therapist=therapist, rom=[("cervical_rotation", "left", "limited", 60)]
        ),
        intake=IntakeFactory(client=client, areas=[("lower_back", "both", 6)]),
        awaiting_intake=IntakeFactory(client=client, awaiting=True),
        link=link,
        link_token=token,
        in_clinic_link=in_clinic_link,
        in_clinic_token=in_clinic_token,
        appointment=AppointmentFactory(client=client, therapist=therapist, service=service, starts_at=tomorrow),
        completed_appointment=completed,
        imported_note=imported_note(client=client),
    )


def _authenticator(user) -> None:
    """Two-factor set up, so that resetting it is a change the access sweep would see."""
    if apps.is_installed("django_otp.plugins.otp_static"):
        from django_otp.plugins.otp_static.models import StaticDevice

        StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)


def _online_booking(appointment) -> dict:
    from booking.models import OnlineBooking, token_hash

    token = OnlineBooking.new_token()
    booking = OnlineBooking.objects.create(
        appointment=appointment, token_hash=token_hash(token), contact_email="online@example.com"
    )
    return {"online_booking": booking, "online_token": token}


def _waitlist(client, *, service, therapist) -> dict:
    from booking.models import OnlineBooking, WaitlistEntry, WaitlistOffer, token_hash

    entry = WaitlistEntry.objects.create(
        client=client, service=service, weekdays=list(range(7)), until=timezone.localdate() + timedelta(days=30)
    )
    token = OnlineBooking.new_token()
    starts = timezone.now() + timedelta(days=5)
    WaitlistOffer.objects.create(
        entry=entry,
        therapist=therapist,
        starts_at=starts,
        token_hash=token_hash(token),
        expires_at=timezone.now() + timedelta(hours=2),
    )
    return {"waitlist_entry": entry, "offer_token": token}


def _import_batch(*, status: str):
    """A batch of two rows, previewed (waiting for confirmation) or imported (nothing written)."""
    from imports import services
    from imports.models import ImportBatch

    batch = services.batch_upload(
        data=b"First Name,Last Name\nAna,Silva\n",
        file_name="clients.csv",
        source="csv",
        kind="clients",
        source_name="Sheet",
    )
    services.batch_preview(batch)
    if status == "imported":
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.IMPORTED, imported_at=timezone.now(), content=b""
        )
    batch.refresh_from_db()
    return batch


def build_world(*, therapist) -> World:
    other_therapist = UserFactory(role=THERAPIST, username="thera-other")
    revoked_feed, revoked_feed_token = make_feed(therapist)
    revoked_feed.revoke(by=therapist)
    feed, feed_token = make_feed(therapist)
    _authenticator(other_therapist)
    service = ServiceFactory()
    archived = ClientFactory(first_name="Archie", last_name="Vedd")
    archived.archive(by=therapist)
    archive_run = JobRun.objects.create(kind="export_clinic", status=JobRun.Status.SUCCEEDED)
    b_client = ClientFactory(first_name="Thaddeus", last_name="Okonkwo")
    a = _records(
        ClientFactory(first_name="Marisol", last_name="Vandenberg"),
        therapist=therapist,
        other_therapist=other_therapist,
        service=service,
        hour=10,
    )
    return World(
        a=a,
        b=_records(
            b_client,
            therapist=therapist,
            other_therapist=other_therapist,
            service=service,
            hour=14,
        ),
        therapist=therapist,
        other_therapist=other_therapist,
        unmatched_intake=IntakeFactory(unmatched=True),
        service=service,
        technique=Technique.objects.order_by("pk").first(),
        working_hours=WorkingHoursFactory(therapist=therapist),
        archived_client=archived,
        job_run=JobRun.objects.create(kind="send_reminders", started_by=therapist),
        archive_run=archive_run,
        clinic_archive=ClinicArchiveFactory(run=archive_run),
        **_online_booking(a.appointment),
        **_waitlist(b_client, service=service, therapist=therapist),
        import_batch=_import_batch(status="previewed"),
        imported_batch=_import_batch(status="imported"),
        feed=feed,
        feed_token=feed_token,
        revoked_feed_token=revoked_feed_token,
        other_feed=make_feed(other_therapist)[0],
    )
