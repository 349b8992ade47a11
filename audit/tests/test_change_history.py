"""Every insert, update and delete of a tracked record leaves an event, whatever wrote it."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from audit.models import Change
from audit.tests.helpers import actions, history
from clients.models import Client
from intake.models import Intake
from intake.tests.factories import IntakeFactory, make_link
from intake.tests.helpers import LINK_STEPS, fill_steps, verify_identity
from scheduling.tests.factories import AppointmentFactory
from sessions.models import SessionNote, TreatmentPlan
from sessions.tests.factories import (
    AssessmentFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    add_addendum,
    signed_note,
)

pytestmark = pytest.mark.django_db


# label: (make a record of that client, a column to change, its new value)
TRACKED = {
    "clients.client": (lambda client: client, "desk_notes", "Prefers early mornings"),
    "intake.intake": (lambda client: IntakeFactory(client=client), "occupation", "Night-shift nurse"),
    "intake.intakearea": (
        lambda client: IntakeFactory(client=client, areas=[("knee", "left", 4)]).areas.get(),
        "pain",
        7,
    ),
    "intake.intakehistoryevent": (
        lambda client: IntakeFactory(client=client, events=[("injury", 2015, "Fell skiing")]).history_events.get(),
        "description",
        "Fell skiing, torn meniscus",
    ),
    "visits.assessment": (lambda client: AssessmentFactory(client=client), "gait_notes", "Shortened left stride"),
    "visits.rangeofmotiontest": (
        lambda client: AssessmentFactory(
            client=client, rom=[("cervical_rotation", "left", "limited", 60)]
        ).rom_tests.get(),
        "degrees",
        75,
    ),
    "visits.palpationfinding": (
        lambda client: AssessmentFactory(client=client, palpation=[("neck_back", "left")]).palpation_findings.get(),
        "tenderness",
        "severe",
    ),
    "visits.specialtest": (
        lambda client: AssessmentFactory(client=client, special=[("Spurling", "left", False)]).special_tests.get(),
        "positive",
        True,
    ),
    "visits.treatmentplan": (lambda client: TreatmentPlanFactory(client=client), "visit_interval_days", 21),
    "visits.sessionnote": (lambda client: SessionNoteFactory(client=client), "pain_after", 1),
    "visits.notearea": (
        lambda client: SessionNoteFactory(client=client, areas=[("neck_back", "both", 5)]).areas.get(),
        "pain",
        2,
    ),
    "scheduling.appointment": (lambda client: AppointmentFactory(client=client), "desk_notes", "Parks at the back"),
}


@pytest.mark.parametrize("label", TRACKED)
def test_create_update_and_delete_are_recorded_with_before_and_after(label, client_record):
    make, column, new_value = TRACKED[label]
    record = make(client_record)
    model = apps.get_model(label)
    attname = model._meta.get_field(column).attname
    old_value = getattr(record, attname)
    pk, client_pk = record.pk, client_record.pk

    setattr(record, attname, new_value)
    record.save()
    record.delete()

    events = history(record, pk)
    assert [e.action for e in events] == ["insert", "update", "delete"]
    created, updated, deleted = events
    assert created.data[attname] == old_value
    assert updated.previous[attname] == old_value
    assert updated.data[attname] == new_value
    label_shown = str(model._meta.get_field(column).verbose_name).capitalize()
    assert label_shown in [row[0] for row in updated.field_changes()]
    assert deleted.data[attname] == new_value  # the row as it was when deleted
    assert all(e.client_id == client_pk for e in events)  # child records too
    assert all(e.user_id is None for e in events)  # no request: no user


def test_a_client_change_lists_each_changed_field_before_and_after(client_record):
    client_record.phone = "555-777-9999"
    client_record.preferred_pressure = "firm"
    client_record.save()

    update = history(client_record)[-1]

    assert ("Phone", "555-777-0101", "555-777-9999") in update.field_changes()
    assert ("Preferred pressure", "—", "Firm") in update.field_changes()  # choice labels, not codes
    assert "Updated at" not in [label for label, _, _ in update.field_changes()]


def test_addenda_are_recorded_when_added(client_record):
    note = signed_note(client=client_record)

    addendum = add_addendum(note, text="Worked the right side, not the left.")

    (created,) = history(addendum)
    assert created.action == "insert"
    assert created.data["text"] == "Worked the right side, not the left."
    assert created.client_id == client_record.pk


def test_a_bulk_update_records_every_row(client_record):
    notes = SessionNoteFactory.create_batch(3, client=client_record, pain_after=4)

    changed = SessionNote.objects.filter(client=client_record).update(pain_after=2)

    assert changed == 3
    for note in notes:
        last = history(note)[-1]
        assert last.action == "update"
        assert (last.previous["pain_after"], last.data["pain_after"]) == (4, 2)


def test_raw_sql_is_recorded_without_a_user(client_record):
    plan = TreatmentPlanFactory(client=client_record, goals="Sleep through the night")

    with connection.cursor() as cursor:
        cursor.execute("UPDATE visits_treatmentplan SET goals = %s WHERE id = %s", ["Run 10 km again", plan.pk])

    last = history(plan)[-1]
    assert last.action == "update"
    assert ("Goals", "Sleep through the night", "Run 10 km again") in last.field_changes()
    assert last.user_id is None
    assert last.who.startswith("No user")


def test_an_update_that_changes_nothing_records_nothing(client_record):
    Client.objects.filter(pk=client_record.pk).update(first_name=client_record.first_name)

    assert actions(client_record) == ["insert"]


def test_a_change_made_through_a_page_records_who_and_which_page(client, therapist, client_record):
    plan = TreatmentPlanFactory(client=client_record)
    client.force_login(therapist)

    response = client.post(reverse("visits:plan_complete", args=[client_record.pk, plan.pk]) + "?from=chart")

    assert response.status_code == 302
    last = history(plan)[-1]
    assert last.action == "update"
    assert ("Status", "Active", "Completed") in last.field_changes()
    assert last.user == therapist
    assert last.username == therapist.username
    assert last.url_name == "visits:plan_complete"
    assert last.url == f"/clients/{client_record.pk}/plans/{plan.pk}/complete/"  # no query string
    assert last.context_id is not None


def test_a_client_submitting_their_intake_is_recorded_without_the_links_token(client, client_record):
    link, token = make_link(client=client_record)
    verify_identity(client, token, client_record)  # nobody signed in: the client's own browser

    fill_steps(client, token, LINK_STEPS)

    (submitted,) = history(Intake.objects.get(link=link))
    assert submitted.user_id is None
    assert submitted.who == "the client (online form)"
    assert submitted.url_name == "intake:step"
    assert submitted.url == "/intake/f/<token>/consent/"
    assert token not in str(submitted.data)


def test_the_front_desk_archiving_a_client_is_recorded(client, front_desk, client_record):
    client.force_login(front_desk)

    client.post(reverse("clients:archive", args=[client_record.pk]))

    last = history(client_record)[-1]
    assert last.user == front_desk
    assert ("Status", "Active", "Archived") in last.field_changes()


def test_signing_a_note_is_recorded(client, therapist, client_record):
    note = SessionNoteFactory(client=client_record, therapist=therapist, areas=[("neck_back", "both", 5)])
    client.force_login(therapist)

    client.post(reverse("visits:note_sign", args=[client_record.pk, note.pk]))

    note.refresh_from_db()
    assert note.is_signed
    last = history(note)[-1]
    assert last.action == "update"
    assert last.previous["signed_at"] is None
    assert last.data["signed_at"] is not None
    assert last.data["signed_by_id"] == therapist.pk
    assert last.data["content_hash"] == note.content_hash
    assert last.user == therapist


def test_signed_notes_stay_locked_and_a_refused_change_leaves_no_event(client_record):
    note = signed_note(client=client_record)
    recorded = actions(note)

    with pytest.raises(DatabaseError), transaction.atomic():
        SessionNote.objects.filter(pk=note.pk).update(pain_after=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        note.areas.update(pain=0)
    with pytest.raises(DatabaseError), transaction.atomic():
        SessionNote.objects.filter(pk=note.pk).delete()

    assert actions(note) == recorded


def test_events_of_a_deleted_record_stay(client_record):
    plan = TreatmentPlanFactory(client=client_record)
    pk = plan.pk

    plan.delete()

    assert not TreatmentPlan.objects.filter(pk=pk).exists()
    assert actions(plan, pk) == ["insert", "delete"]


def test_rows_that_existed_before_the_audit_trail_get_a_baseline_snapshot(client_record):
    """Migration 0002 snapshots existing rows, so their first change still shows the values before."""
    migration = importlib.import_module("audit.migrations.0002_append_only_view_baseline")

    # The models as they stood at that migration (the appointment book has moved app since).
    state = MigrationLoader(connection).project_state(("audit", "0002_append_only_view_baseline"))

    migration.snapshot_existing_rows(state.apps, SimpleNamespace(connection=connection))

    baseline = [c for c in history(client_record) if c.action == Change.Action.BASELINE]

    assert len(baseline) == 1
    assert baseline[0].data["last_name"] == "Quarshie"
    assert baseline[0].client_id == client_record.pk
