"""Signed notes are locked by the database itself; corrections are append-only addenda."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from sessions import services
from sessions.models import Addendum, NoteArea, SessionNote
from sessions.tests.factories import (
    TISSUE_RESPONSE,
    NoteAreaFactory,
    SessionNoteFactory,
    add_addendum,
    signed_note,
)
from sessions.tests.helpers import note_form_data
from sessions.tests.tampering import tamper

pytestmark = pytest.mark.django_db

MATCHES = "The content matches its signature"
MISMATCH = "Broken seal"


def _refused(sql: str, params=()):
    """Run SQL that the triggers must refuse; the test's transaction stays usable."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql: str, params=(), *, table="visits_sessionnote", trigger="visits_sessionnote_protect_signed"):
    tamper(sql, params, guards=[(table, trigger)])


# --- signing ---------------------------------------------------------------------------------


def test_signing_records_who_when_and_a_sha256_of_the_content(client, therapist):
    note = SessionNoteFactory(therapist=therapist, areas=[("neck_back", "both", 5)])
    client.force_login(therapist)
    before = timezone.now()

    response = client.post(reverse("visits:note_sign", args=[note.client_id, note.pk]), follow=True)

    note.refresh_from_db()
    assert note.signed_by == therapist
    assert before <= note.signed_at <= timezone.now()
    assert re.fullmatch(r"[0-9a-f]{64}", note.content_hash)
    assert note.content_hash == note.compute_hash()
    assert note.hash_matches()
    html = response.content.decode()
    assert "Note signed. It is now locked" in html
    assert "Signed and locked" in html
    assert f"Signed by {therapist}" in html


def test_signature_hash_covers_the_content_and_the_areas(therapist):
    note = signed_note(therapist=therapist)
    signed_hash = note.content_hash

    note.tissue_response += " (edited)"
    assert note.compute_hash() != signed_hash

    reloaded = SessionNote.objects.prefetch_related("areas").get(pk=note.pk)
    assert reloaded.compute_hash() == signed_hash
    reloaded.areas.all()[0].pain = 9  # in memory only: the areas are part of what was signed
    assert reloaded.compute_hash() != signed_hash


def test_signing_twice_keeps_the_first_signature(therapist):
    note = signed_note(therapist=therapist)
    again = services.note_sign(note=note, by=therapist)
    assert (again.signed_at, again.content_hash) == (note.signed_at, note.content_hash)


def test_signed_note_edit_page_redirects_to_the_note_with_a_message(client, therapist):
    note = signed_note(therapist=therapist)
    client.force_login(therapist)
    url = reverse("visits:note_edit", args=[note.client_id, note.pk])

    response = client.get(url)
    assert response.status_code == 302
    assert response.url == note.get_absolute_url()

    page = client.get(url, follow=True).content.decode()
    assert "This note is signed and locked. Add an addendum" in page
    assert "Edit draft" not in page


def test_posting_the_edit_form_of_a_signed_note_changes_nothing(client, therapist):
    note = signed_note(therapist=therapist)
    client.force_login(therapist)

    response = client.post(
        reverse("visits:note_edit", args=[note.client_id, note.pk]),
        note_form_data(note, tissue_response="Rewritten after signing"),
    )

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.tissue_response == TISSUE_RESPONSE
    assert note.hash_matches()


# --- the database refuses changes to signed notes ---------------------------------------------


def test_database_refuses_orm_update_of_a_signed_note(therapist):
    note = signed_note(therapist=therapist)

    with pytest.raises(DatabaseError), transaction.atomic():
        SessionNote.objects.filter(pk=note.pk).update(pain_before=1)

    note.refresh_from_db()
    assert note.pain_before == 6


def test_database_refuses_model_save_of_a_signed_note(therapist):
    note = signed_note(therapist=therapist)
    note.tissue_response = "Quietly rewritten"

    with pytest.raises(DatabaseError), transaction.atomic():
        note.save()

    note.refresh_from_db()
    assert note.tissue_response == TISSUE_RESPONSE


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE visits_sessionnote SET tissue_response = 'rewritten' WHERE id = %s",
        "UPDATE visits_sessionnote SET signed_at = NULL, signed_by_id = NULL, content_hash = '' WHERE id = %s",
        "UPDATE visits_sessionnote SET techniques = '{}' WHERE id = %s",
    ],
    ids=["text", "unsign", "techniques"],
)
def test_database_refuses_raw_sql_update_of_a_signed_note(therapist, sql):
    note = signed_note(therapist=therapist)

    _refused(sql, [note.pk])

    note.refresh_from_db()
    assert note.is_signed
    assert note.hash_matches()


def test_database_refuses_deleting_a_signed_note(therapist):
    note = signed_note(therapist=therapist)

    _refused("DELETE FROM visits_sessionnote WHERE id = %s", [note.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        SessionNote.objects.filter(pk=note.pk).delete()

    assert SessionNote.objects.filter(pk=note.pk).exists()
    assert note.areas.count() == 1


def test_database_refuses_adding_changing_or_removing_areas_of_a_signed_note(therapist):
    note = signed_note(therapist=therapist, areas=[("neck_back", "both", 5)])
    area = note.areas.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        NoteArea.objects.create(note=note, region="calf", side="left")
    with pytest.raises(DatabaseError), transaction.atomic():
        NoteArea.objects.filter(pk=area.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        NoteArea.objects.filter(pk=area.pk).update(pain=0)
    _refused("UPDATE visits_notearea SET side = 'left' WHERE id = %s", [area.pk])

    assert list(note.areas.values_list("region", "side", "pain")) == [("neck_back", "both", 5)]


def test_database_refuses_moving_a_draft_area_onto_a_signed_note(therapist):
    locked = signed_note(therapist=therapist)
    area = NoteAreaFactory(note=SessionNoteFactory(therapist=therapist), region="calf")

    with pytest.raises(DatabaseError), transaction.atomic():
        NoteArea.objects.filter(pk=area.pk).update(note=locked)

    assert locked.areas.count() == 1


def test_draft_notes_and_their_areas_can_change(therapist):
    note = SessionNoteFactory(therapist=therapist, areas=[("neck_back", "both", 5)])

    assert SessionNote.objects.filter(pk=note.pk).update(pain_before=1) == 1
    NoteArea.objects.create(note=note, region="calf", side="left")
    NoteArea.objects.filter(note=note, region="neck_back").delete()

    note.refresh_from_db()
    assert note.pain_before == 1
    assert list(note.areas.values_list("region", flat=True)) == ["calf"]
    SessionNote.objects.filter(pk=note.pk).delete()
    assert not SessionNote.objects.filter(pk=note.pk).exists()


# --- addenda ---------------------------------------------------------------------------------


def test_addendum_stores_author_time_reason_and_text_and_shows_under_the_original(client, therapist, manager):
    note = signed_note(therapist=therapist)
    client.force_login(manager)
    before = timezone.now()

    response = client.post(
        reverse("visits:addendum_new", args=[note.client_id, note.pk]),
        {"reason": "Late entry", "text": "Client phoned: headache gone the next day."},
        follow=True,
    )

    addendum = Addendum.objects.get(note=note)
    assert addendum.author == manager
    assert (addendum.reason, addendum.text) == ("Late entry", "Client phoned: headache gone the next day.")
    assert before <= addendum.created_at <= timezone.now()
    html = response.content.decode()
    assert "Addendum added." in html
    assert "Client phoned: headache gone the next day." in html
    assert "Late entry" in html
    assert TISSUE_RESPONSE in html  # the original is still there
    note.refresh_from_db()
    assert note.hash_matches()  # an addendum does not touch the signed content


def test_addenda_are_append_only(therapist):
    addendum = add_addendum(signed_note(therapist=therapist))

    with pytest.raises(DatabaseError), transaction.atomic():
        Addendum.objects.filter(pk=addendum.pk).update(text="Never mind")
    _refused("UPDATE visits_addendum SET reason = 'x' WHERE id = %s", [addendum.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Addendum.objects.filter(pk=addendum.pk).delete()
    _refused("DELETE FROM visits_addendum WHERE id = %s", [addendum.pk])

    addendum.refresh_from_db()
    assert addendum.text == "Left, not right."


def test_a_second_addendum_adds_to_the_first(client, therapist):
    note = signed_note(therapist=therapist)
    add_addendum(note, text="First correction.")
    client.force_login(therapist)

    client.post(
        reverse("visits:addendum_new", args=[note.client_id, note.pk]),
        {"reason": "Correction", "text": "Second correction."},
    )

    assert list(note.addenda.values_list("text", flat=True)) == ["First correction.", "Second correction."]
    html = client.get(note.get_absolute_url()).content.decode()
    assert html.index("First correction.") < html.index("Second correction.")


def test_addendum_only_on_signed_notes(client, therapist):
    draft = SessionNoteFactory(therapist=therapist)
    client.force_login(therapist)

    response = client.post(
        reverse("visits:addendum_new", args=[draft.client_id, draft.pk]),
        {"reason": "Correction", "text": "Too early"},
    )

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert "Addenda are for signed notes" in client.get(response["Location"]).content.decode()
    assert not Addendum.objects.exists()
    with pytest.raises(ValidationError):
        services.addendum_add(note=draft, by=therapist, reason="Correction", text="Too early")


def test_addendum_without_a_reason_is_refused_and_keeps_the_text(client, therapist):
    note = signed_note(therapist=therapist)
    client.force_login(therapist)

    response = client.post(
        reverse("visits:addendum_new", args=[note.client_id, note.pk]), {"reason": "", "text": "Kept text"}
    )

    assert response.status_code == 400
    assert "Kept text" in response.content.decode()
    assert not note.addenda.exists()


# --- the signature check on the note page ------------------------------------------------------


def test_note_page_shows_the_content_matches_its_signature(client, therapist):
    note = signed_note(therapist=therapist)
    client.force_login(therapist)

    html = client.get(note.get_absolute_url()).content.decode()

    assert MATCHES in html
    assert note.content_hash[:12] in html
    assert MISMATCH not in html


def test_note_page_warns_when_a_signed_column_was_tampered_with(client, therapist):
    note = signed_note(therapist=therapist)
    _tamper("UPDATE visits_sessionnote SET pain_after = 0 WHERE id = %s", [note.pk])
    client.force_login(therapist)

    html = client.get(note.get_absolute_url()).content.decode()

    assert MISMATCH in html
    assert MATCHES not in html


def test_note_page_warns_when_a_signed_area_was_tampered_with(client, therapist):
    note = signed_note(therapist=therapist, areas=[("neck_back", "both", 5)])
    _tamper(
        "UPDATE visits_notearea SET pain = 1 WHERE note_id = %s",
        [note.pk],
        table="visits_notearea",
        trigger="visits_notearea_protect_signed",
    )
    client.force_login(therapist)

    html = client.get(note.get_absolute_url()).content.decode()

    assert MISMATCH in html


def test_triggers_are_back_on_after_tampering(therapist):
    note = signed_note(therapist=therapist)
    _tamper("UPDATE visits_sessionnote SET pain_after = 0 WHERE id = %s", [note.pk])

    _refused("UPDATE visits_sessionnote SET pain_after = 1 WHERE id = %s", [note.pk])


def test_signed_at_in_the_hash_cannot_be_backdated(therapist):
    note = signed_note(therapist=therapist)
    _tamper("UPDATE visits_sessionnote SET signed_at = signed_at - %s WHERE id = %s", [timedelta(days=1), note.pk])
    note = SessionNote.objects.with_details().get(pk=note.pk)
    assert not note.hash_matches()
