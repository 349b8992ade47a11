"""A returning client's new intake starts from their last accepted answers that stay true over time."""

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.tests.factories import ClientFactory
from intake.models import IntakeLink
from intake.tests.factories import IntakeFactory, make_link
from intake.tests.helpers import LINK_STEPS, post_step, step_data, step_url, verify_identity

pytestmark = pytest.mark.django_db

PREFILLED = "filled in from your last intake"


def checked(html: str, name: str, value: str) -> bool:
    return bool(re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*checked', html)) or bool(
        re.search(rf'<input[^>]*value="{value}"[^>]*name="{name}"[^>]*checked', html)
    )


def answered(html: str, name: str) -> bool:
    return bool(re.search(rf'<input[^>]*name="{name}"[^>]*checked', html))


@pytest.fixture
def last_intake(client_record):
    """The client's accepted intake of last year: lasting answers and answers of the moment."""
    return IntakeFactory(
        client=client_record,
        submitted_at=timezone.now() - timedelta(days=300),
        main_complaint="Sprained ankle from last winter",
        medical_conditions="Type 2 diabetes",
        medications="Metformin 500 mg",
        allergies=["nuts", "latex"],
        allergies_other="Lavender",
        cautions=["neuropathy", "allergy", "fever", "pregnancy"],
        caution_details={"neuropathy": "Numb toes", "fever": "Flu this week", "pregnancy": "20 weeks"},
        occupation="Baker",
        work_posture="standing",
        activity_level="moderate",
        sports="Swimming",
        sleep_quality=2,
        stress_level=9,
        goals="Walk without ankle pain",
        pressure="deep",
        do_not_work=["ankle_foot", "abdomen"],
        do_not_work_other="Left knee scar",
        draping="Keep socks on",
        consent_abdomen=False,
        events=[("surgery", 2015, "Knee arthroscopy"), ("injury", 2021, "Whiplash")],
    )


@pytest.fixture
def returning(client, client_record, last_intake):
    """The returning client opened a new link and confirmed who they are; returns the token."""
    _, token = make_link(client=client_record, emailed_at=timezone.now())
    assert verify_identity(client, token, client_record).status_code == 302
    return token


def test_health_history_is_offered_from_the_last_accepted_intake(client, returning):
    html = client.get(step_url(returning, "health")).content.decode()

    assert PREFILLED in html
    assert "Type 2 diabetes" in html
    assert "Metformin 500 mg" in html
    assert checked(html, "allergies", "nuts") and checked(html, "allergies", "latex")
    assert 'value="Lavender"' in html
    assert checked(html, "caution_neuropathy", "yes") and 'value="Numb toes"' in html
    assert checked(html, "caution_allergy", "yes")
    assert checked(html, "caution_dvt", "no")
    # The history of injuries and surgeries, newest first.
    assert 'value="Whiplash"' in html and 'value="Knee arthroscopy"' in html
    assert html.index('value="Whiplash"') < html.index('value="Knee arthroscopy"')
    assert 'value="2015"' in html


def test_answers_of_the_moment_are_asked_again(client, returning):
    health = client.get(step_url(returning, "health")).content.decode()
    reason = client.get(step_url(returning, "reason")).content.decode()
    consent = client.get(step_url(returning, "consent")).content.decode()

    for code in ("fever", "pregnancy", "recent_surgery", "skin", "high_bp", "cancer"):
        assert not answered(health, f"caution_{code}"), code
    assert "Flu this week" not in health and "20 weeks" not in health
    assert "Sprained ankle" not in reason
    assert PREFILLED not in reason
    assert not answered(consent, "consent_abdomen")
    assert PREFILLED not in consent


def test_lifestyle_and_preferences_are_offered_but_sleep_stress_and_goals_are_asked_again(client, returning):
    html = client.get(step_url(returning, "lifestyle")).content.decode()

    assert PREFILLED in html
    assert 'value="Baker"' in html
    assert checked(html, "work_posture", "standing")
    assert checked(html, "activity_level", "moderate")
    assert "Swimming" in html
    assert checked(html, "pressure", "deep")
    assert checked(html, "do_not_work", "ankle_foot") and checked(html, "do_not_work", "abdomen")
    assert 'value="Left knee scar"' in html
    assert "Keep socks on" in html
    assert not answered(html, "sleep_quality")
    assert "Walk without ankle pain" not in html
    assert not re.search(r'<option value="9" selected', html)


def test_saved_answers_win_over_the_offered_ones(client, returning):
    client.post(step_url(returning, "health"), {"medications": "Nothing any more", "go": "later"})

    html = client.get(step_url(returning, "health")).content.decode()

    assert "Nothing any more" in html
    assert "Metformin" not in html
    assert PREFILLED not in html


def test_only_an_accepted_intake_is_offered_never_one_awaiting_review(client, client_record, last_intake):
    IntakeFactory(client=client_record, awaiting=True, medications="Unreviewed pills", occupation="Pilot")
    _, token = make_link(client=client_record, emailed_at=timezone.now())
    verify_identity(client, token, client_record)

    html = client.get(step_url(token, "health")).content.decode()

    assert "Metformin 500 mg" in html
    assert "Unreviewed pills" not in html


def test_a_link_shown_to_staff_for_copying_starts_without_the_health_history(client, client_record, last_intake):
    """Front desk saw that link's address and knows the client's name and date of birth: opening
    it must not show them the health history they may not read."""
    _, token = make_link(client=client_record)  # not emailed: its address was shown in the app
    verify_identity(client, token, client_record)

    pages = "".join(client.get(step_url(token, step)).content.decode() for step in LINK_STEPS)

    for secret in ("Type 2 diabetes", "Metformin", "Numb toes", "Whiplash", "Lavender"):
        assert secret not in pages
    assert PREFILLED not in pages


def test_the_newest_accepted_intake_is_offered(client, client_record, last_intake):
    IntakeFactory(client=client_record, medications="Metformin 750 mg", submitted_at=timezone.now() - timedelta(days=5))
    _, token = make_link(client=client_record, emailed_at=timezone.now())
    verify_identity(client, token, client_record)

    html = client.get(step_url(token, "health")).content.decode()

    assert "Metformin 750 mg" in html and "Metformin 500 mg" not in html


def test_a_new_client_never_sees_another_clients_answers(client, last_intake):
    newcomer = ClientFactory(first_name="Ines", last_name="Duarte")
    _, token = make_link(client=newcomer, emailed_at=timezone.now())
    verify_identity(client, token, newcomer)

    pages = "".join(client.get(step_url(token, step)).content.decode() for step in LINK_STEPS)

    for secret in ("Type 2 diabetes", "Metformin", "Baker", "Numb toes", "Whiplash", "Keep socks on", "Lavender"):
        assert secret not in pages
    assert PREFILLED not in pages


def test_the_website_form_offers_nothing_even_for_a_known_name(client, client_record, last_intake):
    contact = step_data(
        "contact",
        identity=True,
        first_name=client_record.first_name,
        last_name=client_record.last_name,
        date_of_birth=client_record.date_of_birth.isoformat(),
    )
    token = client.post(reverse("intake:new"), contact)["Location"].split("/")[3]

    pages = "".join(client.get(step_url(token, step)).content.decode() for step in LINK_STEPS)

    assert "Metformin" not in pages and "Baker" not in pages
    assert PREFILLED not in pages
    assert IntakeLink.objects.get(purpose=IntakeLink.Purpose.PUBLIC).client is None


def test_a_therapist_entering_an_intake_in_the_room_starts_from_the_last_one_too(
    client, therapist, client_record, last_intake
):
    client.force_login(therapist)
    start = client.post(reverse("intake:in_clinic", args=[client_record.pk]))
    token = start["Location"].split("/")[3]

    html = client.get(step_url(token, "health")).content.decode()

    assert "Metformin 500 mg" in html


def test_offered_answers_are_not_saved_until_the_client_moves_on(client, client_record, returning):
    client.get(step_url(returning, "health"))

    link = IntakeLink.objects.get(purpose=IntakeLink.Purpose.LINK)
    assert "health" not in link.draft
    response = post_step(HttpClient(), returning, "health")
    assert response.status_code == 404  # nothing opens without the identity check
