"""Clinical dates are days something happened (not in the future) or plans within reach:
a year like 9999 gets a message next to the field and everything typed stays."""

import pytest
from django.urls import reverse

from sessions.models import Assessment, SessionNote, TreatmentPlan
from sessions.tests.factories import SessionNoteFactory
from sessions.tests.helpers import note_form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("visit_date", ["9999-12-31", "2099-01-01", "0001-01-01"])
def test_a_note_cannot_be_dated_in_the_future_or_before_1900(client, therapist, visit_date):
    note = SessionNoteFactory(therapist=therapist)
    client.force_login(therapist)
    data = note_form_data(note, visit_date=visit_date, tissue_response="Kept as typed")

    response = client.post(reverse("visits:note_edit", args=[note.client_id, note.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be in the future" in html or "Check the year" in html
    assert "Kept as typed" in html
    assert SessionNote.objects.get(pk=note.pk).visit_date == note.visit_date


def test_a_plan_far_in_the_future_is_refused(client, therapist, client_record):
    client.force_login(therapist)
    data = {
        "starts_on": "2025-03-01",
        "goals": "Sleep without shoulder pain",
        "visit_interval_days": "14",
        "reassess_on": "9999-12-31",
    }

    response = client.post(reverse("visits:plan_new", args=[client_record.pk]), data)

    assert response.status_code == 200
    assert "Check the year of the reassessment" in response.content.decode()
    assert not TreatmentPlan.objects.exists()


def test_an_assessment_cannot_be_dated_in_the_future(client, therapist, client_record):
    client.force_login(therapist)
    data = {"assessed_on": "9999-12-31", "summary": "Kept as typed"}
    for prefix in ("rom", "palpation", "special"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = client.post(reverse("visits:assessment_new", args=[client_record.pk]), data)

    html = response.content.decode()
    assert "The assessment date cannot be in the future" in html
    assert "Kept as typed" in html
    assert not Assessment.objects.exists()
