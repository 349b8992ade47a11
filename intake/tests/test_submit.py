"""Submitting: all or nothing, once only, the signed consent, versions, review, changes and alerts."""

import re
from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import ConsentText, Intake, IntakeArea, IntakeHistoryEvent
from intake.tests.factories import IntakeFactory, make_link
from intake.tests.helpers import (
    CAUTION_DETAIL,
    EVENT_DESCRIPTION,
    LINK_STEPS,
    MAIN_COMPLAINT,
    fill_steps,
    post_step,
    step_data,
    step_url,
    verify_identity,
)

pytestmark = pytest.mark.django_db


def changes_table(html: str) -> str:
    match = re.search(r'<table class="table table-sm table-bordered intake-changes">.*?</table>', html, re.DOTALL)
    return match.group(0) if match else ""


def submit_through_link(client_record, **overrides_by_step) -> Intake:
    """A client fills in and signs the whole form through a link, in a browser of their own."""
    link, token = make_link(client=client_record)
    browser = HttpClient()
    verify_identity(browser, token, client_record)
    fill_steps(browser, token, LINK_STEPS, **overrides_by_step)
    return Intake.objects.get(link=link)


# --- Stored as given -------------------------------------------------------------------------------


def test_submission_stores_every_answer_and_empties_the_draft(client, client_record, verified):
    link, token = verified

    responses = fill_steps(client, token, LINK_STEPS)

    assert responses[-1]["Location"] == reverse("intake:done", args=[token])
    intake = Intake.objects.get()
    assert intake.client == client_record
    assert intake.status == Intake.Status.AWAITING_REVIEW
    assert intake.main_complaint == MAIN_COMPLAINT
    assert intake.duration == "months"
    assert [(a.region, a.side, a.pain) for a in intake.areas.order_by("region")] == [
        ("lower_back", "both", 4),
        ("upper_back", "left", 7),
    ]
    assert [(e.kind, e.year, e.description) for e in intake.history_events.all()] == [
        ("injury", 2016, EVENT_DESCRIPTION)
    ]
    assert intake.cautions == ["blood_thinners", "allergy"]
    assert intake.caution_details == {"blood_thinners": CAUTION_DETAIL}
    assert intake.allergies == ["nuts"]
    assert (intake.sleep_quality, intake.stress_level, intake.pressure) == (4, 6, "firm")
    assert intake.do_not_work == ["ankle_foot"]
    assert (intake.consent_gluteals, intake.consent_chest, intake.consent_inner_thigh, intake.consent_abdomen) == (
        True,
        False,
        False,
        True,
    )
    assert intake.contact["phone"] == "(555) 010-2000"
    assert "first_name" not in intake.contact  # a link's client is known: no identity fields asked
    link.refresh_from_db()
    assert link.submitted_at == intake.submitted_at
    assert link.draft == {}
    assert "Thank you" in client.get(responses[-1]["Location"]).content.decode()


# --- All or nothing, once only -------------------------------------------------------------------


def test_a_failure_in_the_middle_of_submitting_leaves_nothing_behind(client, verified, monkeypatch):
    link, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])

    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(IntakeHistoryEvent.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        post_step(client, token, "consent")

    assert not Intake.objects.exists()
    assert not IntakeArea.objects.exists()
    assert not IntakeHistoryEvent.objects.exists()
    link.refresh_from_db()
    assert link.submitted_at is None
    assert link.draft["reason"]["main_complaint"] == [MAIN_COMPLAINT]  # nothing typed is lost
    assert link.is_usable

    monkeypatch.undo()
    response = post_step(client, token, "consent")
    assert response["Location"] == reverse("intake:done", args=[token])
    assert Intake.objects.count() == 1
    assert IntakeArea.objects.count() == 2


def test_pressing_submit_twice_creates_one_intake(client, verified):
    link, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])

    first = post_step(client, token, "consent")
    second = post_step(client, token, "consent")

    assert first["Location"] == second["Location"] == reverse("intake:done", args=[token])
    assert Intake.objects.count() == 1
    assert IntakeArea.objects.count() == 2
    assert IntakeHistoryEvent.objects.count() == 1


def test_submitting_an_already_submitted_link_returns_the_first_intake(client, verified):
    link, token = verified
    fill_steps(client, token, LINK_STEPS)

    again = services.intake_submit(link=link)

    assert again == Intake.objects.get()


# --- Consent versions ------------------------------------------------------------------------------


def test_manager_edits_of_the_consent_text_each_make_a_new_version(client, manager):
    first = ConsentText.objects.current()
    client.force_login(manager)

    client.post(reverse("intake:consent"), {"text": "Version two wording."})
    response = client.post(reverse("intake:consent"), {"text": "Version three wording."}, follow=True)
    unchanged = client.post(reverse("intake:consent"), {"text": "  Version three wording. "}, follow=True)

    assert "Consent version 3 is now the one clients sign." in response.content.decode()
    assert "Consent version 3 is now the one clients sign." in unchanged.content.decode()
    versions = list(ConsentText.objects.order_by("version").values_list("version", "text", "created_by"))
    assert versions == [
        (first.version, first.text, None),
        (first.version + 1, "Version two wording.", manager.pk),
        (first.version + 2, "Version three wording.", manager.pk),
    ]


def test_intake_keeps_the_consent_version_signed_with_the_name_and_time(client, manager, client_record, therapist):
    staff = HttpClient()
    staff.force_login(manager)
    staff.post(reverse("intake:consent"), {"text": "We explain each technique before we use it."})
    signed_version = ConsentText.objects.current()
    _, token = make_link(client=client_record)
    verify_identity(client, token, client_record)
    fill_steps(client, token, LINK_STEPS[:-1])
    consent_page = client.get(step_url(token, "consent")).content.decode()
    before = timezone.now()

    post_step(client, token, "consent", signature_name="  Zoë   Müller-Ortega ")

    assert "We explain each technique before we use it." in consent_page
    intake = Intake.objects.get()
    assert intake.consent == signed_version
    assert intake.signature_name == "Zoë Müller-Ortega"
    assert before <= intake.signed_at <= timezone.now()

    staff.post(reverse("intake:consent"), {"text": "Entirely new wording."})

    intake.refresh_from_db()
    assert intake.consent == signed_version
    assert ConsentText.objects.get(pk=signed_version.pk).text == "We explain each technique before we use it."
    staff.force_login(therapist)
    detail = staff.get(intake.get_absolute_url()).content.decode()
    assert f"(consent version {signed_version.version})" in detail
    assert "Signed “Zoë Müller-Ortega”" in detail


def test_consent_changed_while_the_client_was_reading_must_be_read_again(client, manager, verified):
    link, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])
    client.get(step_url(token, "consent"))
    services.consent_publish(text="Updated wording the client has not seen.", by=manager)

    response = post_step(client, token, "consent", consent_version="1")

    html = response.content.decode()
    assert response.status_code == 200
    assert "The clinic updated its consent text while you were filling in the form." in html
    assert "Updated wording the client has not seen." in html
    assert not Intake.objects.exists()


def test_a_signature_saved_under_an_older_consent_text_is_not_submitted(client, manager, verified):
    link, token = verified
    fill_steps(client, token, ["contact", "reason", "health", "lifestyle"])
    client.post(step_url(token, "consent"), {**step_data("consent"), "go": "later"})
    services.consent_publish(text="Newer wording.", by=manager)

    with pytest.raises(services.IncompleteIntake) as incomplete:
        services.intake_submit(link=link)

    assert incomplete.value.step == "consent"
    assert not Intake.objects.exists()


# --- Versions and the current intake --------------------------------------------------------------


@pytest.fixture
def earlier_intake(client_record):
    return IntakeFactory(
        client=client_record,
        submitted_at=timezone.now() - timedelta(days=400),
        main_complaint="Tight hamstrings from cycling",
        occupation="Teacher",
        sleep_quality=2,
        areas=[("back_thigh", "both", 5)],
    )


def test_a_new_intake_is_a_new_version_and_never_overwrites_the_earlier_one(
    client, client_record, therapist, earlier_intake
):
    earlier = model_to_dict(earlier_intake)
    earlier_areas = list(earlier_intake.areas.values_list("region", "side", "pain"))

    newer = submit_through_link(client_record)

    assert Intake.objects.current_for(client_record) == earlier_intake  # until it is reviewed
    client.force_login(therapist)
    client.post(reverse("intake:accept", args=[newer.pk]))

    assert Intake.objects.current_for(client_record) == newer
    earlier_intake.refresh_from_db()
    assert model_to_dict(earlier_intake) == earlier
    assert list(earlier_intake.areas.values_list("region", "side", "pain")) == earlier_areas
    page = client.get(client_record.get_absolute_url()).content.decode()
    versions = re.search(r"<h3 class=\"h6 mt-3\">Versions</h3>.*?</ul>", page, re.DOTALL).group(0)
    assert versions.count("<li>") == 2
    assert f'href="{newer.get_absolute_url()}"' in versions
    assert f'href="{earlier_intake.get_absolute_url()}"' in versions
    current_line = re.search(rf'<li><a href="{newer.get_absolute_url()}">.*?</li>', versions).group(0)
    assert "current" in current_line


def test_detail_page_shows_what_changed_since_the_previous_intake_side_by_side(
    client, client_record, therapist, earlier_intake
):
    newer = submit_through_link(client_record)
    client.force_login(therapist)

    html = client.get(newer.get_absolute_url()).content.decode()

    assert f"What changed since the intake of {earlier_intake.submitted_at:%b} " in html
    table = changes_table(html)
    assert re.search(
        r"What brings them in</th><td>Tight hamstrings from cycling</td><td class=\"table-warning\">"
        + re.escape(MAIN_COMPLAINT),
        table,
    )
    assert re.search(r"Sleep quality \(1–5\)</th><td>2</td><td class=\"table-warning\">4</td>", table)
    assert "Back thigh (hamstrings), both sides: pain 5/10" in table
    assert 'Taking blood thinners</th><td>No</td><td class="table-warning">Yes: ' + CAUTION_DETAIL in table
    assert "Occupation" not in table  # the same answer both times
    assert "Draping" not in table


def test_first_intake_has_nothing_to_compare(client, client_record, therapist):
    intake = submit_through_link(client_record)
    client.force_login(therapist)

    html = client.get(intake.get_absolute_url()).content.decode()

    assert "What changed since" not in html
    assert MAIN_COMPLAINT in html
    assert "Upper back (rhomboids), left: pain 7/10" in html


def test_unchanged_answers_say_so(client, client_record, therapist):
    IntakeFactory(client=client_record, submitted_at=timezone.now() - timedelta(days=30))
    again = IntakeFactory(client=client_record)
    client.force_login(therapist)

    html = client.get(again.get_absolute_url()).content.decode()

    assert "No answers changed." in html


# --- Review ---------------------------------------------------------------------------------------


def test_therapist_accepts_and_chooses_which_contact_details_update_the_profile(client, client_record, therapist):
    intake = submit_through_link(client_record)
    client.force_login(therapist)
    review = client.get(intake.get_absolute_url()).content.decode()
    assert 'name="update_fields" value="phone"' in review
    assert 'name="update_fields" value="email"' in review

    response = client.post(
        reverse("intake:accept", args=[intake.pk]), {"update_fields": ["phone", "emergency_contact_name"]}
    )

    assert response["Location"] == client_record.get_absolute_url()
    client_record.refresh_from_db()
    assert client_record.phone == "(555) 010-2000"
    assert client_record.emergency_contact_name == "Chris Rivera"
    assert client_record.email == "zoe.muller@example.com"  # not ticked: unchanged
    assert client_record.preferred_name == ""
    assert client_record.updated_by == therapist
    intake.refresh_from_db()
    assert intake.status == Intake.Status.ACCEPTED
    assert intake.reviewed_by == therapist and intake.reviewed_at is not None
    assert "Accepted into the client&#x27;s health history." in client.get(response["Location"]).content.decode()


def test_accepting_without_ticking_anything_leaves_the_profile_alone(client, client_record, therapist):
    intake = submit_through_link(client_record)
    profile = model_to_dict(client_record)
    client.force_login(therapist)

    client.post(reverse("intake:accept", args=[intake.pk]))

    client_record.refresh_from_db()
    assert model_to_dict(client_record) == profile
    intake.refresh_from_db()
    assert intake.status == Intake.Status.ACCEPTED


def test_accept_refuses_details_that_were_not_offered(client, client_record, therapist):
    intake = submit_through_link(client_record)
    client.force_login(therapist)

    response = client.post(reverse("intake:accept", args=[intake.pk]), {"update_fields": ["last_name"]}, follow=True)

    assert "Choose only details listed on the page." in response.content.decode()
    intake.refresh_from_db()
    assert intake.status == Intake.Status.AWAITING_REVIEW
    client_record.refresh_from_db()
    assert client_record.last_name == "Müller-Ortega"


def test_review_queue_lists_intakes_awaiting_review_oldest_first(client, therapist):
    newest = IntakeFactory(awaiting=True)
    oldest = IntakeFactory(awaiting=True, submitted_at=timezone.now() - timedelta(days=2))
    accepted = IntakeFactory()
    client.force_login(therapist)

    html = client.get(reverse("intake:review_queue")).content.decode()

    assert html.index(oldest.client.display_name) < html.index(newest.client.display_name)
    assert accepted.client.display_name not in html
    assert MAIN_COMPLAINT not in html


# --- Alerts --------------------------------------------------------------------------------------------


@pytest.fixture
def intake_with_alerts(client_record):
    return IntakeFactory(
        client=client_record,
        main_complaint=MAIN_COMPLAINT,
        cautions=["pregnancy", "blood_thinners"],
        caution_details={"blood_thinners": CAUTION_DETAIL},
        do_not_work=["ankle_foot", "chest"],
        do_not_work_other="Scar on the left knee",
        consent_chest=False,
        consent_abdomen=False,
    )


def test_intake_alerts_list_cautions_and_areas_not_to_work(intake_with_alerts):
    assert [(a.kind, a.label, a.details) for a in intake_with_alerts.alerts()] == [
        ("caution", "Pregnancy", ""),
        ("caution", "Taking blood thinners", CAUTION_DETAIL),
        ("do_not_work", "Do not work: Ankle and foot", ""),
        ("do_not_work", "Do not work: Chest (pectorals)", ""),
        ("do_not_work", "Do not work (other)", "Scar on the left knee"),
        ("do_not_work", "No consent to work: Abdomen", ""),
    ]


@pytest.mark.parametrize("role", ["therapist", "manager"])
def test_clinicians_see_the_alerts_on_the_client_page(request, client, client_record, intake_with_alerts, role):
    client.force_login(request.getfixturevalue(role))

    html = client.get(client_record.get_absolute_url()).content.decode()

    assert f"Taking blood thinners: {CAUTION_DETAIL}" in html
    assert "<li>Pregnancy</li>" in html
    assert "Do not work: Ankle and foot" in html
    assert "Do not work (other): Scar on the left knee" in html
    assert "No consent to work: Abdomen" in html
    assert "See therapist before booking" not in html


def test_front_desk_sees_only_a_see_therapist_badge_never_the_answers(
    client, client_record, intake_with_alerts, front_desk
):
    client.force_login(front_desk)

    html = client.get(client_record.get_absolute_url()).content.decode()

    assert "See therapist before booking" in html
    assert "Intake on file" in html
    for answer in (
        MAIN_COMPLAINT,
        CAUTION_DETAIL,
        "blood thinners",
        "Pregnancy",
        "Ankle and foot",
        "Scar on the left knee",
        "No consent",
        intake_with_alerts.get_absolute_url(),
    ):
        assert answer not in html


def test_no_badge_when_the_current_intake_has_no_alerts(client, client_record, front_desk):
    IntakeFactory(client=client_record)
    client.force_login(front_desk)

    html = client.get(client_record.get_absolute_url()).content.decode()

    assert "Intake on file" in html
    assert "See therapist before booking" not in html


def test_alerts_come_from_the_newest_accepted_intake(client, client_record, therapist, intake_with_alerts):
    intake_with_alerts.submitted_at = timezone.now() - timedelta(days=60)
    intake_with_alerts.save()
    IntakeFactory(client=client_record, cautions=["osteoporosis"])
    client.force_login(therapist)

    html = client.get(client_record.get_absolute_url()).content.decode()

    assert "Osteoporosis" in html
    assert "Pregnancy" not in html


def test_after_reading_the_new_consent_text_the_client_can_sign_it(client, manager, verified):
    _, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])
    client.get(step_url(token, "consent"))
    services.consent_publish(text="Updated wording the client has not seen.", by=manager)
    warned = post_step(client, token, "consent", consent_version="1").content.decode()
    shown_version = re.search(r'name="consent_version"[^>]*value="(\d+)"', warned).group(1)

    response = post_step(client, token, "consent", consent_version=shown_version)

    assert response.status_code == 302
    assert Intake.objects.get().consent == ConsentText.objects.current()


def test_a_step_saved_for_later_under_an_older_consent_shows_and_signs_the_new_text(client, manager, verified):
    _, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])
    client.post(step_url(token, "consent"), {**step_data("consent"), "go": "later"})
    services.consent_publish(text="Wording published while the client was away.", by=manager)

    page = client.get(step_url(token, "consent")).content.decode()
    shown_version = re.search(r'name="consent_version"[^>]*value="(\d+)"', page).group(1)
    response = post_step(client, token, "consent", consent_version=shown_version)

    assert "Wording published while the client was away." in page
    assert response.status_code == 302
    assert Intake.objects.get().consent.text == "Wording published while the client was away."
