"""Treatment plans (one active per client, history kept) and assessments (with their test tables)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from sessions.models import Assessment, PalpationFinding, RangeOfMotionTest, SpecialTest, TreatmentPlan
from sessions.tests.factories import AssessmentFactory, SessionNoteFactory, TreatmentPlanFactory, signed_note
from sessions.tests.helpers import assessment_form_data

pytestmark = pytest.mark.django_db

PLAN = {
    "starts_on": "2025-03-01",
    "goals": "Sleep through the night without shoulder pain",
    "focus_regions": ["shoulder", "upper_back"],
    "visit_interval_days": "14",
    "planned_visits": "6",
    "reassess_on": "2025-05-01",
    "home_care": "Doorway pec stretch twice a day",
}


# --- treatment plans -----------------------------------------------------------------------------


def test_new_plan_is_active_and_shown_on_the_chart(client, therapist, client_record):
    client.force_login(therapist)

    response = client.post(reverse("visits:plan_new", args=[client_record.pk]), PLAN, follow=True)

    plan = TreatmentPlan.objects.get(client=client_record)
    assert plan.status == TreatmentPlan.Status.ACTIVE
    assert plan.therapist == therapist
    assert plan.focus_regions == ["shoulder", "upper_back"]
    assert (plan.visit_interval_days, plan.planned_visits) == (14, 6)
    html = response.content.decode()
    assert "Treatment plan saved." in html
    assert "Sleep through the night without shoulder pain" in html
    assert "Visits every 2 weeks, 6 planned" in html


def test_a_new_plan_completes_the_previous_one_and_keeps_both(client, therapist, client_record):
    previous = TreatmentPlanFactory(client=client_record, goals="Old goals")
    client.force_login(therapist)

    client.post(reverse("visits:plan_new", args=[client_record.pk]), PLAN)

    previous.refresh_from_db()
    assert previous.status == TreatmentPlan.Status.COMPLETED
    assert previous.completed_at is not None
    assert previous.goals == "Old goals"
    assert TreatmentPlan.objects.filter(client=client_record).count() == 2
    assert TreatmentPlan.objects.filter(client=client_record).active().get().goals == PLAN["goals"]
    page = client.get(previous.get_absolute_url()).content.decode()
    assert "Completed" in page
    assert "Mark completed" not in page


def test_a_new_plan_leaves_other_clients_plans_alone(client, therapist, client_record, other_client):
    theirs = TreatmentPlanFactory(client=other_client)
    client.force_login(therapist)

    client.post(reverse("visits:plan_new", args=[client_record.pk]), PLAN)

    theirs.refresh_from_db()
    assert theirs.status == TreatmentPlan.Status.ACTIVE


def test_database_allows_one_active_plan_per_client(client_record, other_client):
    TreatmentPlanFactory(client=client_record)

    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlanFactory(client=client_record)

    TreatmentPlanFactory(client=client_record, status=TreatmentPlan.Status.COMPLETED)
    TreatmentPlanFactory(client=other_client)
    assert TreatmentPlan.objects.active().count() == 2


def test_invalid_plan_keeps_what_was_typed(client, therapist, client_record):
    client.force_login(therapist)

    response = client.post(reverse("visits:plan_new", args=[client_record.pk]), {**PLAN, "reassess_on": "2025-01-01"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "The reassessment comes after the plan starts." in html
    assert PLAN["goals"] in html
    assert PLAN["home_care"] in html
    assert not TreatmentPlan.objects.exists()


def test_plan_can_be_marked_completed(client, therapist, client_record):
    plan = TreatmentPlanFactory(client=client_record)
    client.force_login(therapist)

    response = client.post(reverse("visits:plan_complete", args=[client_record.pk, plan.pk]), follow=True)

    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.COMPLETED
    assert "Plan marked completed." in response.content.decode()
    assert "No active plan." in response.content.decode()


def test_plan_detail_shows_the_plan(client, therapist, client_record):
    plan = TreatmentPlanFactory(client=client_record, reassess_on="2025-06-01")
    client.force_login(therapist)

    html = client.get(plan.get_absolute_url()).content.decode()

    assert "Turn the head fully without pain" in html
    assert "Neck, back, Shoulder (trapezius)" in html
    assert "every 2 weeks, 6 planned" in html
    assert "Jun 1, 2025" in html


# --- assessments ---------------------------------------------------------------------------------

ROM_ROWS = [
    {"movement": "cervical_rotation", "side": "left", "result": "limited", "degrees": "55"},
    {"movement": "cervical_rotation", "side": "right", "result": "full", "degrees": "80"},
]
PALPATION_ROWS = [
    {"region": "shoulder", "side": "right", "tension": "severe", "tenderness": "moderate", "texture": "nodular"}
]
SPECIAL_ROWS = [{"name": "Spurling's test", "side": "left", "positive": "yes"}]


def test_standalone_assessment_stores_its_rows(client, therapist, client_record):
    client.force_login(therapist)

    response = client.post(
        reverse("visits:assessment_new", args=[client_record.pk]),
        assessment_form_data(rom=ROM_ROWS, palpation=PALPATION_ROWS, special=SPECIAL_ROWS),
        follow=True,
    )

    assessment = Assessment.objects.get(client=client_record)
    assert assessment.note is None
    assert assessment.therapist == therapist
    assert assessment.posture == ["head_forward", "shoulders_rounded"]
    assert list(assessment.rom_tests.values_list("movement", "side", "result", "degrees")) == [
        ("cervical_rotation", "left", "limited", 55),
        ("cervical_rotation", "right", "full", 80),
    ]
    assert list(
        assessment.palpation_findings.values_list("region", "side", "tension", "tenderness", "texture", "temperature")
    ) == [("shoulder", "right", "severe", "moderate", "nodular", "normal")]
    assert list(assessment.special_tests.values_list("name", "side", "positive")) == [("Spurling's test", "left", True)]
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == assessment.get_absolute_url()
    assert "Assessment saved." in html
    assert "initial / stand-alone" in html
    assert "Cervical rotation" in html and "Limited" in html and "55" in html
    assert "Shoulder (trapezius), right" in html
    assert "Spurling&#x27;s test (left): positive" in html


def test_assessment_attached_to_a_draft_note(client, therapist, client_record):
    note = SessionNoteFactory(client=client_record, therapist=therapist)
    client.force_login(therapist)
    url = reverse("visits:assessment_new", args=[client_record.pk]) + f"?note={note.pk}"

    form_page = client.get(url).content.decode()
    response = client.post(url, {**assessment_form_data(rom=ROM_ROWS[:1]), "note": note.pk}, follow=True)

    assert "for the visit of" in form_page
    assert f'name="note" value="{note.pk}"' in form_page
    assessment = Assessment.objects.get()
    assert assessment.note == note
    assert assessment.rom_tests.count() == 1
    assert response.redirect_chain[-1][0] == note.get_absolute_url()
    assert "Assessment at this visit" in response.content.decode()


@pytest.mark.parametrize("which", ["signed", "other_therapist", "other_client"])
def test_assessment_attaches_only_to_the_therapists_own_draft_of_this_client(
    client, therapist, other_therapist, client_record, other_client, which
):
    note = {
        "signed": lambda: signed_note(client=client_record, therapist=therapist),
        "other_therapist": lambda: SessionNoteFactory(client=client_record, therapist=other_therapist),
        "other_client": lambda: SessionNoteFactory(client=other_client, therapist=therapist),
    }[which]()
    client.force_login(therapist)
    url = reverse("visits:assessment_new", args=[client_record.pk]) + f"?note={note.pk}"

    assert client.get(url).status_code == 404
    assert client.post(url, assessment_form_data(rom=ROM_ROWS)).status_code == 404
    assert not Assessment.objects.exists()


def test_invalid_rom_row_keeps_the_input_and_shows_the_error(client, therapist, client_record):
    client.force_login(therapist)
    rows = [ROM_ROWS[0], {"movement": "hip_flexion", "side": "", "result": "", "degrees": "95"}]

    response = client.post(
        reverse("visits:assessment_new", args=[client_record.pk]),
        assessment_form_data(rom=rows, summary="Typed summary stays"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Some rows need attention" in html
    assert html.count("Needed for this test row.") == 2  # side and result of the second row
    assert '<option value="hip_flexion" selected>' in html
    assert 'name="rom-1-degrees" value="95"' in html
    assert '<option value="cervical_rotation" selected>' in html
    assert "Typed summary stays" in html
    assert not Assessment.objects.exists()
    assert not RangeOfMotionTest.objects.exists()


@pytest.mark.parametrize(
    "rows, error",
    [
        ({"palpation": [{"region": "calf", "side": ""}]}, "Choose the side."),
        ({"special": [{"name": "Phalen's test", "side": "left", "positive": ""}]}, "Positive or negative?"),
        ({"rom": [{"movement": "knee_flexion", "side": "left", "result": "full", "degrees": "400"}]}, "360"),
    ],
    ids=["palpation-side", "special-result", "rom-degrees"],
)
def test_invalid_rows_of_other_tables_are_refused(client, therapist, client_record, rows, error):
    client.force_login(therapist)

    response = client.post(reverse("visits:assessment_new", args=[client_record.pk]), assessment_form_data(**rows))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Assessment.objects.exists()
    assert not PalpationFinding.objects.exists()
    assert not SpecialTest.objects.exists()


def test_assessment_with_only_observations_needs_no_rows(client, therapist, client_record):
    client.force_login(therapist)

    client.post(reverse("visits:assessment_new", args=[client_record.pk]), assessment_form_data())

    assessment = Assessment.objects.get()
    assert assessment.gait_notes == "Short stride on the right"
    assert assessment.rom_tests.count() == 0


def test_assessment_detail_shows_rows_of_the_factory(client, therapist, client_record):
    assessment = AssessmentFactory(
        client=client_record,
        rom=[("lumbar_flexion", "both", "painful", None)],
        palpation=[("lower_back", "left")],
        special=[("Slump test", "right", False)],
    )
    client.force_login(therapist)

    html = client.get(assessment.get_absolute_url()).content.decode()

    assert "Lumbar flexion" in html and "Painful" in html
    assert "Lower back (lumbar), left" in html
    assert "Slump test (right): negative" in html
    assert "Forward head; right upper trapezius tight" in html
