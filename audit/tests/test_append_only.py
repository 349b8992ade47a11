"""The audit tables are evidence: PostgreSQL refuses to change or delete their rows, whatever asks."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from pghistory.models import Context

from audit import models as audit_models
from audit.models import AccessLog
from intake.tests.factories import IntakeFactory
from scheduling.tests.factories import AppointmentFactory
from sessions.tests.factories import AssessmentFactory, TreatmentPlanFactory, add_addendum, signed_note

pytestmark = pytest.mark.django_db

EVENT_MODELS = [
    audit_models.ClientEvent,
    audit_models.IntakeEvent,
    audit_models.IntakeAreaEvent,
    audit_models.IntakeHistoryEventEvent,
    audit_models.AssessmentEvent,
    audit_models.RangeOfMotionTestEvent,
    audit_models.PalpationFindingEvent,
    audit_models.SpecialTestEvent,
    audit_models.TreatmentPlanEvent,
    audit_models.SessionNoteEvent,
    audit_models.NoteAreaEvent,
    audit_models.AddendumEvent,
    audit_models.AppointmentEvent,
]


@pytest.fixture
def every_kind_of_event(client_record):
    """At least one event in every event table."""
    IntakeFactory(client=client_record, areas=[("knee", "left", 4)], events=[("surgery", 2019, "Knee scope")])
    AssessmentFactory(
        client=client_record,
        rom=[("cervical_rotation", "left", "limited", 60)],
        palpation=[("neck_back", "left")],
        special=[("Spurling", "left", False)],
    )
    TreatmentPlanFactory(client=client_record)
    add_addendum(signed_note(client=client_record))
    AppointmentFactory(client=client_record)


def _refused(statement) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


@pytest.mark.parametrize("event_model", EVENT_MODELS, ids=lambda m: m.__name__)
def test_events_cannot_be_updated_or_deleted(event_model, every_kind_of_event):
    event = event_model.objects.order_by("pgh_id").first()
    assert event is not None
    table = event_model._meta.db_table

    _refused(lambda: event_model.objects.filter(pk=event.pk).update(pgh_label="update"))
    _refused(lambda: event_model.objects.filter(pk=event.pk).delete())
    _refused(lambda: connection.cursor().execute(f"UPDATE {table} SET pgh_created_at = now() - interval '1 year'"))
    _refused(lambda: connection.cursor().execute(f"DELETE FROM {table}"))

    assert event_model.objects.filter(pk=event.pk, pgh_label=event.pgh_label).exists()


def test_access_log_lines_cannot_be_updated_or_deleted(therapist, client_record):
    line = AccessLog.objects.create(user=therapist, client=client_record, page="visits:chart")

    _refused(lambda: AccessLog.objects.filter(pk=line.pk).update(allowed=False))
    _refused(lambda: AccessLog.objects.filter(pk=line.pk).delete())
    _refused(lambda: connection.cursor().execute("UPDATE clinic_accesslog SET user_id = NULL"))

    line.refresh_from_db()
    assert line.allowed and line.user == therapist


def test_pghistorys_context_table_is_append_only_too(db):
    context = Context.objects.create(id=uuid.uuid4(), metadata={"user": 1})

    _refused(lambda: Context.objects.filter(pk=context.pk).update(metadata={}))
    _refused(lambda: Context.objects.filter(pk=context.pk).delete())


def test_changes_leave_pghistorys_context_table_empty(client, therapist, client_record):
    """Who and where are kept on each event row: nothing is upserted into a shared table."""
    plan = TreatmentPlanFactory(client=client_record)
    client.force_login(therapist)

    client.post(f"/clients/{client_record.pk}/plans/{plan.pk}/complete/")

    assert not Context.objects.exists()
