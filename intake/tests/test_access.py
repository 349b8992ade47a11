"""Who may use which intake page: every staff URL against every persona, and guessed ids."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from clients.tests.factories import ClientFactory
from intake.models import ConsentText, Intake, IntakeLink
from intake.tests.factories import IntakeFactory, make_link
from intake.tests.helpers import CAUTION_DETAIL, MAIN_COMPLAINT

pytestmark = pytest.mark.django_db

DESK, THERAPIST, MANAGER = "front_desk", "therapist", "manager"
EVERY_STAFF_ROLE = {DESK, THERAPIST, MANAGER}
CLINICIANS = {THERAPIST, MANAGER}
ROLES = ["anonymous", "no_role_user", DESK, THERAPIST, MANAGER]
REFUSED = "Your role does not give access to this page."

# name, method, roles allowed
PAGES = [
    pytest.param("intake:link_create", "post", EVERY_STAFF_ROLE, id="link-create"),
    pytest.param("intake:link_revoke", "post", EVERY_STAFF_ROLE, id="link-revoke"),
    pytest.param("intake:in_clinic", "post", CLINICIANS, id="in-clinic"),
    pytest.param("intake:review_queue", "get", CLINICIANS, id="review-queue"),
    pytest.param("intake:detail", "get", CLINICIANS, id="detail"),
    pytest.param("intake:accept", "post", CLINICIANS, id="accept"),
    pytest.param("intake:match_queue", "get", EVERY_STAFF_ROLE, id="match-queue"),
    pytest.param("intake:match_attach", "post", EVERY_STAFF_ROLE, id="match-attach"),
    pytest.param("intake:match_create_client", "post", EVERY_STAFF_ROLE, id="match-create-client"),
    pytest.param("intake:consent", "get", {MANAGER}, id="consent-form"),
    pytest.param("intake:consent", "post", {MANAGER}, id="consent-save"),
]
POST_ONLY = [
    "intake:link_create",
    "intake:link_revoke",
    "intake:in_clinic",
    "intake:accept",
    "intake:match_attach",
    "intake:match_create_client",
]


@pytest.fixture
def world(client_record):
    """One of everything a page may act on."""
    link, _ = make_link(client=client_record)
    awaiting = IntakeFactory(
        client=client_record,
        awaiting=True,
        main_complaint=MAIN_COMPLAINT,
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": CAUTION_DETAIL},
    )
    public_link, _ = make_link(purpose=IntakeLink.Purpose.PUBLIC, submitted_at=timezone.now())
    unmatched = IntakeFactory(unmatched=True, link=public_link, main_complaint=MAIN_COMPLAINT)
    return {"client": client_record, "link": link, "awaiting": awaiting, "unmatched": unmatched}


def url_for(name: str, world: dict) -> str:
    args = {
        "intake:link_create": [world["client"].pk],
        "intake:link_revoke": [world["link"].pk],
        "intake:in_clinic": [world["client"].pk],
        "intake:detail": [world["awaiting"].pk],
        "intake:accept": [world["awaiting"].pk],
        "intake:match_attach": [world["unmatched"].pk],
        "intake:match_create_client": [world["unmatched"].pk],
    }.get(name, [])
    return reverse(name, args=args)


def request_page(http_client, name: str, method: str, world: dict):
    url = url_for(name, world)
    if method == "get":
        return http_client.get(url)
    data = {
        "intake:match_attach": {"client": world["client"].pk},
        "intake:consent": {"text": "A new consent wording."},
    }.get(name, {})
    return http_client.post(url, data)


def snapshot():
    return (
        list(IntakeLink.objects.order_by("id").values_list("id", "client", "revoked_at")),
        list(Intake.objects.order_by("id").values_list("id", "client", "status")),
        ConsentText.objects.count(),
        Client.objects.count(),
    )


def sign_in(request, http_client, role: str):
    if role != "anonymous":
        http_client.force_login(request.getfixturevalue(role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "allowed"), PAGES)
def test_role_matrix_for_every_intake_page(request, client, world, role, name, method, allowed):
    sign_in(request, client, role)
    before = snapshot()

    response = request_page(client, name, method, world)

    html = response.content.decode()
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
        assert snapshot() == before
    elif role not in allowed:
        assert response.status_code == 403
        assert REFUSED in html
        assert MAIN_COMPLAINT not in html and CAUTION_DETAIL not in html
        assert world["client"].last_name not in html
        assert snapshot() == before
    elif method == "get":
        assert response.status_code == 200
        expected = {
            "intake:review_queue": world["client"].display_name,
            "intake:detail": MAIN_COMPLAINT,
            "intake:match_queue": "Nadia Okafor",
            "intake:consent": "Save as a new version",
        }[name]
        assert expected in html
    else:
        assert response.status_code == 302
        assert snapshot() != before
        _assert_effect(name, world, request.getfixturevalue(role))


def _assert_effect(name: str, world: dict, user) -> None:
    """What each permitted POST leaves behind."""
    for key in ("link", "awaiting", "unmatched"):
        world[key].refresh_from_db()
    if name == "intake:link_create":
        assert IntakeLink.objects.filter(client=world["client"], created_by=user).exists()
    elif name == "intake:link_revoke":
        assert world["link"].revoked_by == user
    elif name == "intake:in_clinic":
        assert IntakeLink.objects.get(purpose=IntakeLink.Purpose.IN_CLINIC).created_by == user
    elif name == "intake:accept":
        assert (world["awaiting"].status, world["awaiting"].reviewed_by) == (Intake.Status.ACCEPTED, user)
    elif name == "intake:match_attach":
        assert (world["unmatched"].status, world["unmatched"].client) == (
            Intake.Status.AWAITING_REVIEW,
            world["client"],
        )
    elif name == "intake:match_create_client":
        assert world["unmatched"].client.last_name == "Okafor"
        assert world["unmatched"].client.created_by == user
    elif name == "intake:consent":
        assert ConsentText.objects.current().created_by == user
    else:
        raise AssertionError(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_pages_refuse_get(request, client, world, role, name):
    allowed = next(p.values[2] for p in PAGES if p.values[0] == name)
    sign_in(request, client, role)
    before = snapshot()

    response = client.get(url_for(name, world))

    if role == "anonymous":
        assert response.status_code == 302
    elif role in allowed:
        assert response.status_code == 405
    else:
        assert response.status_code == 403
    assert snapshot() == before


# --- Guessed and stale ids ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [THERAPIST, MANAGER])
def test_unmatched_website_submission_cannot_be_read_or_accepted_by_guessing_its_id(request, client, world, role):
    client.force_login(request.getfixturevalue(role))
    unmatched = world["unmatched"]

    detail = client.get(reverse("intake:detail", args=[unmatched.pk]))
    accept = client.post(reverse("intake:accept", args=[unmatched.pk]))

    assert detail.status_code == 404
    assert accept.status_code == 404
    assert MAIN_COMPLAINT not in detail.content.decode()
    unmatched.refresh_from_db()
    assert unmatched.status == Intake.Status.UNMATCHED


def test_detail_of_an_id_that_does_not_exist_is_404(client, therapist, world):
    client.force_login(therapist)
    assert client.get(reverse("intake:detail", args=[world["unmatched"].pk + 1000])).status_code == 404


def test_an_accepted_intake_cannot_be_accepted_again(client, therapist, front_desk, world):
    accepted = IntakeFactory(client=world["client"], reviewed_by=front_desk)
    client.force_login(therapist)

    response = client.post(reverse("intake:accept", args=[accepted.pk]), {"update_fields": ["phone"]})

    assert response.status_code == 404
    accepted.refresh_from_db()
    assert accepted.reviewed_by == front_desk


@pytest.mark.parametrize("name", ["intake:match_attach", "intake:match_create_client"])
def test_front_desk_cannot_rematch_a_submission_already_matched(client, front_desk, world, name):
    other = ClientFactory()
    awaiting = world["awaiting"]
    clients_before = Client.objects.count()
    client.force_login(front_desk)

    response = client.post(reverse(name, args=[awaiting.pk]), {"client": other.pk})

    assert response.status_code == 404
    awaiting.refresh_from_db()
    assert awaiting.client == world["client"]
    assert Client.objects.count() == clients_before


def test_attaching_to_a_client_that_does_not_exist_is_404(client, front_desk, world):
    client.force_login(front_desk)

    response = client.post(reverse("intake:match_attach", args=[world["unmatched"].pk]), {"client": "999999"})
    no_client = client.post(reverse("intake:match_attach", args=[world["unmatched"].pk]))

    assert response.status_code == 404
    assert no_client.status_code == 404
    world["unmatched"].refresh_from_db()
    assert world["unmatched"].status == Intake.Status.UNMATCHED


def test_a_website_link_cannot_be_revoked_through_the_staff_page(client, front_desk, world):
    public_link = world["unmatched"].link
    client.force_login(front_desk)

    response = client.post(reverse("intake:link_revoke", args=[public_link.pk]))

    assert response.status_code == 404
    public_link.refresh_from_db()
    assert public_link.revoked_at is None


@pytest.mark.parametrize(("name", "role"), [("intake:link_create", DESK), ("intake:in_clinic", THERAPIST)])
def test_no_new_links_for_an_archived_client(request, client, world, name, role):
    world["client"].archive(by=None)
    links_before = IntakeLink.objects.count()
    client.force_login(request.getfixturevalue(role))

    response = client.post(reverse(name, args=[world["client"].pk]))

    assert response.status_code == 404
    assert IntakeLink.objects.count() == links_before


def test_front_desk_client_page_shows_status_but_no_answers(client, front_desk, world):
    client.force_login(front_desk)

    html = client.get(world["client"].get_absolute_url()).content.decode()

    assert "1 awaiting review" in html
    assert "link-status-created" in html
    for secret in (MAIN_COMPLAINT, CAUTION_DETAIL, world["awaiting"].get_absolute_url(), "Fill in intake"):
        assert secret not in html


def test_therapist_client_page_links_to_every_version(client, therapist, world):
    client.force_login(therapist)

    html = client.get(world["client"].get_absolute_url()).content.decode()

    assert f'href="{world["awaiting"].get_absolute_url()}"' in html
    assert "Fill in intake with the client now" in html
    assert f'href="{world["unmatched"].get_absolute_url()}"' not in html
