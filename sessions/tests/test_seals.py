"""Seals of signed records: tampering by someone with full database access shows, on the note
page and in `manage.py verify_records`, which names each broken record."""

import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.test import override_settings

from clients.tests.factories import ClientFactory
from sessions import seals, services
from sessions.models import RecordChain, RecordSeal, SessionNote
from sessions.seals import addendum_content_hash
from sessions.tests.factories import SessionNoteFactory, add_addendum, signed_note
from sessions.tests.tampering import ADDENDUM_GUARD, AREA_GUARD, NOTE_GUARD, SEAL_GUARD, tamper

pytestmark = pytest.mark.django_db


def verify_records() -> tuple[int, str]:
    """Run `manage.py verify_records`: (exit status, what it printed)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_records", stdout=out, stderr=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def history(therapist):
    """A client with three signed notes, the second with an addendum: five sealed records."""
    client_record = ClientFactory()
    notes = [signed_note(therapist=therapist, client=client_record) for _ in range(3)]
    addendum = add_addendum(notes[1], by=therapist)
    return client_record, notes, addendum


def test_signing_and_addenda_extend_the_clients_chain(history):
    client_record, notes, addendum = history
    seals = list(RecordSeal.objects.filter(client=client_record).order_by("position"))

    assert [(s.position, s.kind) for s in seals] == [(1, "note"), (2, "note"), (3, "note"), (4, "addendum")]
    assert [s.note_id or s.addendum_id for s in seals] == [notes[0].pk, notes[1].pk, notes[2].pk, addendum.pk]
    assert seals[0].previous == ""
    assert all(later.previous == earlier.seal for earlier, later in zip(seals, seals[1:], strict=False))
    assert seals[3].content_hash == addendum_content_hash(addendum)
    head = RecordChain.objects.get(client=client_record)
    assert (head.length, head.last_seal) == (4, seals[-1].seal)
    assert verify_records() == (0, "All seals and chains are intact.\n")


def test_note_page_shows_an_intact_seal(client, therapist, history):
    _client_record, notes, _addendum = history
    client.force_login(therapist)

    html = client.get(notes[1].get_absolute_url()).content.decode()

    assert "The content matches its signature and seal" in html
    assert "Broken seal" not in html


# --- tampering with full database access ----------------------------------------------------


def test_rewritten_text_with_a_recomputed_sha256_is_caught(client, therapist, history):
    """What an attacker with the database did before seals: change the text and recompute the
    plain SHA-256, so the old check said the content matched its signature."""
    _client_record, notes, _addendum = history
    note = SessionNote.objects.with_details().get(pk=notes[0].pk)
    note.tissue_response = "Nothing remarkable."
    forged_hash = note.compute_hash()
    tamper(
        "UPDATE visits_sessionnote SET tissue_response = %s, content_hash = %s WHERE id = %s",
        ["Nothing remarkable.", forged_hash, note.pk],
    )
    assert SessionNote.objects.with_details().get(pk=note.pk).hash_matches()  # the plain hash is fooled

    status, report = verify_records()

    assert status == 1
    assert f"session note {note.pk} (position 1): its content changed after it was signed" in report
    client.force_login(therapist)
    html = client.get(note.get_absolute_url()).content.decode()
    assert "Broken seal" in html and "its content changed after it was signed" in html
    assert "The content matches its signature and seal" not in html


def test_a_forged_seal_made_without_the_key_is_caught(therapist, history):
    """Rewriting the seal too: without RECORD_SEAL_KEY the new HMAC is wrong."""
    _client_record, notes, _addendum = history
    note = SessionNote.objects.with_details().get(pk=notes[2].pk)
    note.pain_after = 0
    forged_hash = note.compute_hash()
    tamper("UPDATE visits_sessionnote SET pain_after = 0, content_hash = %s WHERE id = %s", [forged_hash, note.pk])
    with override_settings(RECORD_SEAL_KEY="the attackers own guess"):
        forged = seals.make_mac(RecordSeal.objects.get(note=note).payload() | {"content": forged_hash})
    tamper(
        "UPDATE visits_recordseal SET content_hash = %s, seal = %s WHERE note_id = %s",
        [forged_hash, forged, note.pk],
        guards=[SEAL_GUARD],
    )

    status, report = verify_records()

    assert status == 1
    assert f"session note {note.pk} (position 3): it was sealed with a key this server does not have" in report


def test_a_deleted_note_is_named(therapist, history):
    client_record, notes, _addendum = history
    victim = notes[2]
    tamper("DELETE FROM visits_notearea WHERE note_id = %s", [victim.pk], guards=[AREA_GUARD])
    tamper("DELETE FROM visits_sessionnote WHERE id = %s", [victim.pk], guards=[NOTE_GUARD])

    status, report = verify_records()

    assert status == 1
    assert f"client {client_record.pk}: session note {victim.pk} (position 3): the record was deleted" in report


def test_a_deleted_addendum_is_named(therapist, history):
    client_record, _notes, addendum = history
    tamper("DELETE FROM visits_addendum WHERE id = %s", [addendum.pk], guards=[ADDENDUM_GUARD])

    status, report = verify_records()

    assert status == 1
    assert f"client {client_record.pk}: addendum {addendum.pk} (position 4): the record was deleted" in report


def test_a_note_deleted_with_its_seal_leaves_a_gap_in_the_chain(therapist, history):
    client_record, notes, _addendum = history
    victim = notes[1]
    tamper("DELETE FROM visits_recordseal WHERE note_id = %s", [victim.pk], guards=[SEAL_GUARD])
    tamper("DELETE FROM visits_notearea WHERE note_id = %s", [victim.pk], guards=[AREA_GUARD])
    tamper("DELETE FROM visits_addendum WHERE note_id = %s", [victim.pk], guards=[ADDENDUM_GUARD])
    tamper("DELETE FROM visits_sessionnote WHERE id = %s", [victim.pk], guards=[NOTE_GUARD])

    status, report = verify_records()

    assert status == 1
    assert (
        f"client {client_record.pk}: chain before session note {notes[2].pk} (position 3): position 2 missing" in report
    )


def test_the_last_record_deleted_with_its_seal_shows_at_the_head(therapist, history):
    client_record, _notes, addendum = history
    tamper("DELETE FROM visits_recordseal WHERE addendum_id = %s", [addendum.pk], guards=[SEAL_GUARD])
    tamper("DELETE FROM visits_addendum WHERE id = %s", [addendum.pk], guards=[ADDENDUM_GUARD])

    status, report = verify_records()

    assert status == 1
    assert f"client {client_record.pk}: chain: its head counts 4 records, 3 are there" in report


def test_reordered_records_break_the_chain(therapist, history):
    client_record, notes, _addendum = history
    swap = "UPDATE visits_recordseal SET position = %s WHERE client_id = %s AND position = %s"
    for new, old in ((1000, 1), (1, 2), (2, 1000)):
        tamper(swap, [new, client_record.pk, old], guards=[SEAL_GUARD])

    status, report = verify_records()

    assert status == 1
    assert f"session note {notes[1].pk} (position 1)" in report


def test_a_signed_note_without_a_seal_is_named(therapist, history):
    _client_record, notes, _addendum = history
    tamper("DELETE FROM visits_recordseal WHERE note_id = %s", [notes[0].pk], guards=[SEAL_GUARD])

    status, report = verify_records()

    assert status == 1
    assert f"session note {notes[0].pk}: it is signed but has no seal" in report


def test_seals_are_append_only(history):
    client_record, _notes, _addendum = history
    for sql in (
        "UPDATE visits_recordseal SET seal = 'x' WHERE client_id = %s",
        "DELETE FROM visits_recordseal WHERE client_id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [client_record.pk])


def test_drafts_have_no_seal(therapist):
    note = SessionNoteFactory(therapist=therapist)
    assert not RecordSeal.objects.filter(note=note).exists()
    assert verify_records()[0] == 0


# --- key rotation -------------------------------------------------------------------------------


def test_after_a_key_rotation_old_seals_verify_with_the_old_key(therapist, history):
    client_record, _notes, _addendum = history
    old_key = settings.RECORD_SEAL_KEY
    with override_settings(RECORD_SEAL_KEY="the new key", RECORD_SEAL_OLD_KEYS=[old_key]):
        newer = signed_note(therapist=therapist, client=client_record)
        assert verify_records()[0] == 0
    key_ids = {seal.seal.split(":")[0] for seal in RecordSeal.objects.filter(client=client_record)}
    assert key_ids == {seals.key_id(old_key), seals.key_id("the new key")}
    assert RecordSeal.objects.get(note=newer).position == 5

    with override_settings(RECORD_SEAL_KEY="the new key", RECORD_SEAL_OLD_KEYS=[]):
        status, report = verify_records()
    assert status == 1
    assert "sealed with a key this server does not have" in report


# --- two signatures at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_notes_of_one_client_signed_at_once_take_consecutive_positions(therapist):
    client_record = ClientFactory()
    drafts = [SessionNoteFactory(therapist=therapist, client=client_record) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def sign(note):
        try:
            barrier.wait(timeout=10)
            services.note_sign(note=note, by=therapist)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=sign, args=(note,)) for note in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(RecordSeal.objects.filter(client=client_record).values_list("position", flat=True)) == [1, 2]
    assert verify_records()[0] == 0


def test_the_migration_seals_records_signed_before_seals_existed(therapist, history):
    from importlib import import_module

    from django.apps import apps

    client_record, _notes, _addendum = history
    tamper("DELETE FROM visits_recordseal", guards=[SEAL_GUARD])
    RecordChain.objects.all().delete()
    assert verify_records()[0] == 1

    import_module("sessions.migrations.0008_record_seals").seal_signed_records(apps, None)

    assert RecordSeal.objects.filter(client=client_record).count() == 4
    assert verify_records() == (0, "All seals and chains are intact.\n")


def test_production_refuses_to_start_without_a_seal_key():
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST", "DEBUG"))}
    env |= {"DEBUG": "0", "SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "clinic.example.com"}
    env.pop("RECORD_SEAL_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Set RECORD_SEAL_KEY" in result.stderr
