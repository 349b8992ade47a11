"""The calendar feed page: staff make, copy and revoke their own feed; the manager revokes anyone's."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.roles import THERAPIST
from clinic.tests.factories import UserFactory
from feeds.models import CalendarFeed, hash_token
from feeds.tests.factories import make_feed

pytestmark = pytest.mark.django_db

HOME = reverse("feeds:home")
CREATE = reverse("feeds:create")
FEED_IN_PAGE = re.compile(r'id="feed-url" class="[^"]*" type="text" readonly value="([^"]+)"')


def shown_address(response) -> str | None:
    found = FEED_IN_PAGE.search(response.content.decode())
    return found.group(1) if found else None


def token_of(address: str) -> str:
    return address.rsplit("/", 1)[1].removesuffix(".ics")


def test_a_therapist_makes_a_feed_and_sees_its_address_once(client, therapist):
    client.force_login(therapist)

    response = client.post(CREATE, follow=True)

    address = shown_address(response)
    assert address and address.startswith("http://testserver/feeds/") and address.endswith(".ics")
    assert f'href="webcal://testserver/feeds/{token_of(address)}.ics"' in response.content.decode()
    assert "shown only now" in response.content.decode()
    feed = CalendarFeed.objects.get(user=therapist)
    assert feed.token_hash == hash_token(token_of(address)) and feed.is_active
    # Only the hash is kept: not in the feed's row, not left in the session once shown.
    assert token_of(address) not in str(CalendarFeed.objects.values_list())
    assert all(token_of(address) not in str(s.get_decoded()) for s in Session.objects.all())
    again = client.get(HOME)
    assert shown_address(again) is None
    assert "Made " in again.content.decode() and "Not fetched by a calendar yet" in again.content.decode()
    assert client.get(address).status_code == 200


def test_making_a_new_address_revokes_the_old_one(client, therapist):
    client.force_login(therapist)
    first = shown_address(client.post(CREATE, follow=True))

    second = shown_address(client.post(CREATE, follow=True))

    assert second and second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert CalendarFeed.objects.active().filter(user=therapist).count() == 1
    assert CalendarFeed.objects.filter(user=therapist).count() == 2


def test_a_therapist_revokes_their_feed(client, therapist):
    feed, token = make_feed(therapist)
    client.force_login(therapist)

    response = client.post(reverse("feeds:revoke", args=[feed.pk]), follow=True)

    assert "no longer works" in response.content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is not None and feed.revoked_by == therapist
    assert client.get(reverse("feeds:feed", args=[token])).status_code == 404
    assert "You have no calendar feed" in response.content.decode()


def test_a_therapist_cannot_revoke_a_colleagues_feed_nor_see_it(client, therapist):
    colleague = UserFactory(role=THERAPIST, username="colleague", first_name="Zebediah", last_name="Colleague")
    theirs, token = make_feed(colleague)
    client.force_login(therapist)

    assert client.post(reverse("feeds:revoke", args=[theirs.pk])).status_code == 404
    assert "Zebediah" not in client.get(HOME).content.decode()
    theirs.refresh_from_db()
    assert theirs.is_active
    assert client.get(reverse("feeds:feed", args=[token])).status_code == 200


def test_front_desk_may_have_a_feed_of_their_own_but_not_revoke_others(client, front_desk, therapist):
    theirs, _ = make_feed(therapist)
    client.force_login(front_desk)

    assert client.get(HOME).status_code == 200
    assert shown_address(client.post(CREATE, follow=True))
    assert client.post(reverse("feeds:revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_the_manager_sees_everyones_feed_and_revokes_a_leavers(client, manager, therapist):
    leaver = UserFactory(role=THERAPIST, username="leaver", first_name="Lorelei", last_name="Leaving")
    feed, token = make_feed(leaver)
    make_feed(therapist)
    client.force_login(manager)

    page = client.get(HOME).content.decode()
    assert "Staff calendar feeds" in page and "Lorelei Leaving" in page and str(therapist) in page

    response = client.post(reverse("feeds:revoke", args=[feed.pk]), follow=True)

    assert "The calendar feed of Lorelei Leaving no longer works." in response.content.decode()
    feed.refresh_from_db()
    assert feed.revoked_at is not None and feed.revoked_by == manager
    assert client.get(reverse("feeds:feed", args=[token])).status_code == 404
    assert "Lorelei Leaving" not in response.content.decode().split('id="staff-feeds"')[1]


def test_the_staff_list_is_for_the_manager_only(client, therapist):
    make_feed(UserFactory(role=THERAPIST, username="colleague"))
    client.force_login(therapist)

    assert "Staff calendar feeds" not in client.get(HOME).content.decode()


def test_revoking_a_revoked_feed_is_not_found(client, therapist):
    feed, _ = make_feed(therapist)
    client.force_login(therapist)
    client.post(reverse("feeds:revoke", args=[feed.pk]))

    assert client.post(reverse("feeds:revoke", args=[feed.pk])).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_account_without_a_role_is_refused_everywhere(client, no_role_user, therapist, method):
    feed, _ = make_feed(therapist)
    client.force_login(no_role_user)

    for url in (HOME, CREATE, reverse("feeds:revoke", args=[feed.pk])):
        assert getattr(client, method)(url).status_code == 403, url
    assert not CalendarFeed.objects.filter(user=no_role_user).exists()
    feed.refresh_from_db()
    assert feed.is_active


def test_anonymous_visitors_are_sent_to_sign_in(client, therapist):
    feed, _ = make_feed(therapist)

    for url in (HOME, CREATE, reverse("feeds:revoke", args=[feed.pk])):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    feed.refresh_from_db()
    assert feed.is_active


def test_the_page_refuses_get_on_actions(client, therapist):
    feed, _ = make_feed(therapist)
    client.force_login(therapist)

    assert client.get(CREATE).status_code == 405
    assert client.get(reverse("feeds:revoke", args=[feed.pk])).status_code == 405
    assert CalendarFeed.objects.filter(user=therapist).count() == 1


def test_the_user_menu_links_the_feed_page_for_staff(client, therapist, no_role_user):
    client.force_login(therapist)
    assert f'href="{HOME}"' in client.get(reverse("clients:list")).content.decode()

    client.force_login(no_role_user)
    assert f'href="{HOME}"' not in client.get(reverse("accounts:two_factor")).content.decode()


def test_the_managers_page_costs_the_same_queries_however_many_feeds(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    make_feed(UserFactory(role=THERAPIST))
    with django_assert_max_num_queries(12) as few:
        client.get(HOME)
    for _ in range(10):
        make_feed(UserFactory(role=THERAPIST))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(HOME)

    assert response.content.decode().count("Revoke<span") == 11
