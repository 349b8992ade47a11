"""Review follow-ups: name matching, consent re-agreement, unreviewed alerts, draft purge, queue queries."""

from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.tests.factories import ClientFactory
from intake.models import ConsentText, IntakeLink
from intake.selectors import client_ids_with_alerts
from intake.services import consent_publish
from intake.tests.factories import IntakeFactory, make_link
from intake.tests.helpers import LINK_STEPS, post_step, step_url, verify_identity


def test_identity_check_ignores_hyphens_spaces_and_apostrophes(client, client_record, link_and_token):
    _, token = link_and_token
    response = verify_identity(client, token, client_record, last_name="muller ortega")
    assert response.status_code == 302
    assert "/reason/" in response["Location"] or "/contact/" in response["Location"]


def test_agreement_to_an_old_consent_text_must_be_given_again(client, verified, manager):
    link, token = verified
    for step in LINK_STEPS[:-1]:
        post_step(client, token, step)
    post_step(client, token, "consent", go="later")  # agreed and saved under version 1
    consent_publish(text="New wording: please read again.", by=manager)

    page = client.get(step_url(token, "consent")).content.decode()

    assert "New wording: please read again." in page
    assert 'name="agree"' in page and 'name="agree" checked' not in page
    link.refresh_from_db()
    assert link.submitted_at is None


def test_front_desk_badge_counts_a_contraindication_still_awaiting_review(db):
    reviewed = IntakeFactory()
    awaiting = IntakeFactory(awaiting=True, cautions=["pregnancy"])
    assert client_ids_with_alerts([reviewed.client_id, awaiting.client_id]) == {awaiting.client_id}


def test_client_page_shows_see_therapist_for_unreviewed_alerts(client, front_desk):
    intake = IntakeFactory(awaiting=True, cautions=["dvt"], caution_details={"dvt": "Clot in 2024"})
    client.force_login(front_desk)
    page = client.get(intake.client.get_absolute_url()).content.decode()
    assert "See therapist before booking" in page
    assert "Clot in 2024" not in page


def test_purge_erases_answers_of_links_that_died_long_ago(db, capsys):
    person = ClientFactory()
    old, _ = make_link(client=person, expires_at=timezone.now() - timedelta(days=40), draft={"reason": {"x": ["y"]}})
    recent, _ = make_link(client=person, expires_at=timezone.now() - timedelta(days=2), draft={"reason": {"x": ["y"]}})
    live, _ = make_link(client=person, draft={"reason": {"x": ["y"]}})

    call_command("purge_intake_drafts", days=30)

    for link in (old, recent, live):
        link.refresh_from_db()
    assert old.draft == {}
    assert recent.draft and live.draft
    assert "1 intake link" in capsys.readouterr().out


def test_match_queue_queries_do_not_grow_with_submissions(client, front_desk, django_assert_num_queries):
    client.force_login(front_desk)
    ClientFactory(first_name="Nadia", last_name="Okafor")
    IntakeFactory(unmatched=True)
    client.get(reverse("intake:match_queue"))  # warm up (session, permissions)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("intake:match_queue"))
    for n in range(8):
        IntakeFactory(
            unmatched=True,
            contact={
                "first_name": f"Person{n}",
                "last_name": "Okafor",
                "date_of_birth": "1988-03-14",
                "email": f"p{n}@example.com",
                "phone": f"555-200-{n:04d}",
            },
        )
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("intake:match_queue"))
    assert response.status_code == 200


def test_match_queue_suggests_the_client_with_the_same_phone(client, front_desk):
    existing = ClientFactory(first_name="Nadia", last_name="Okafor-Smith", phone="+1 555 777 8888")
    IntakeFactory(
        unmatched=True,
        contact={"first_name": "N.", "last_name": "Okafor", "date_of_birth": "1990-01-01", "phone": "555-777-8888"},
    )
    client.force_login(front_desk)
    page = client.get(reverse("intake:match_queue")).content.decode()
    assert f"Attach to {existing.display_name}" in page


def test_consent_default_text_exists_after_migrate(db):
    assert ConsentText.objects.current() is not None
    assert IntakeLink.objects.count() == 0
