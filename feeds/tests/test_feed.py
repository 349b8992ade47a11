"""The feed itself: what a phone's calendar gets from /feeds/<token>.ics, and what it never gets."""

from datetime import UTC, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.roles import FRONT_DESK, THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from feeds.ical import initials
from feeds.models import RECORD_FETCH_EVERY, CalendarFeed
from feeds.selectors import DAYS_AHEAD, DAYS_BACK
from feeds.services import feed_create
from feeds.tests.factories import make_feed
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at
from timekeeping.timeutil import today

pytestmark = pytest.mark.django_db

SECRET_WORDS = ("Marisol", "Vandenberg", "Mari", "parking", "sciatica", "Felt dizzy")


def feed_url(token: str) -> str:
    return reverse("feeds:feed", args=[token])


def events_of(response) -> dict[str, object]:
    """The feed's events by UID, parsed back with icalendar."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.events}


def uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@testserver"


def day_at(days: int, hh_mm: str = "10:00"):
    return at(today() + timedelta(days=days), hh_mm)


@pytest.fixture
def fetch(client):
    return lambda token, **headers: client.get(feed_url(token), headers=headers)


@pytest.fixture
def visit(therapist):
    """A visit tomorrow whose client's name, desk note and cancellation reason must never leave the clinic."""
    return AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Marisol", preferred_name="Mari", last_name="Vandenberg"),
        service=ServiceFactory(name="Hot stone massage"),
        starts_at=day_at(1),
        desk_notes="Ask about parking; sciatica flare-up",
    )


def test_the_feed_shows_the_clients_initials_and_the_service_and_nothing_else(fetch, therapist, settings):
    settings.TIME_ZONE = "America/Vancouver"  # the clinic's 10:00 is 18:00 (or 17:00) in UTC
    visit = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Marisol", preferred_name="Mari", last_name="Vandenberg"),
        service=ServiceFactory(name="Hot stone massage"),
        starts_at=day_at(1),
        desk_notes="Ask about parking; sciatica flare-up",
    )
    _, token = make_feed(therapist)

    response = fetch(token)

    event = events_of(response)[uid(visit)]
    assert str(event["SUMMARY"]) == "M.V. – Hot stone massage"
    assert event.start == visit.starts_at and event.end == visit.ends_at
    text = response.content.decode()
    assert f"DTSTART:{visit.starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n" in text
    assert f"DTEND:{visit.ends_at.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n" in text
    assert visit.starts_at.astimezone(UTC).hour in (17, 18)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["CLASS"]) == "PRIVATE"
    assert "DESCRIPTION" not in event and "LOCATION" not in event and "ATTENDEE" not in event
    for word in SECRET_WORDS:
        assert word.encode() not in response.content, word


def test_initials_come_from_the_first_letter_or_digit_of_each_name():
    assert initials("jane", "smith") == "J.S."
    assert initials("Émile", "d'Arcy") == "É.D."
    assert initials("  (Jo)", "") == "J."
    assert initials("", "--") == "Client"


def test_a_cancelled_visit_and_a_no_show_are_in_the_feed_as_cancelled(fetch, therapist, visit):
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.CANCELLED, cancel_reason="Felt dizzy")
    no_show = AppointmentFactory(therapist=therapist, starts_at=day_at(-2), status=Appointment.Status.NO_SHOW)
    _, token = make_feed(therapist)

    response = fetch(token)

    events = events_of(response)
    assert str(events[uid(visit)]["STATUS"]) == "CANCELLED"
    assert str(events[uid(no_show)]["STATUS"]) == "CANCELLED"
    assert b"Felt dizzy" not in response.content


def test_another_therapists_visits_are_not_in_the_feed(fetch, therapist, visit):
    colleague = UserFactory(role=THERAPIST, username="colleague")
    theirs = AppointmentFactory(therapist=colleague, starts_at=day_at(1))
    _, token = make_feed(therapist)
    _, their_token = make_feed(colleague)

    assert set(events_of(fetch(token))) == {uid(visit)}
    assert set(events_of(fetch(their_token))) == {uid(theirs)}


def test_the_feed_holds_the_weeks_behind_and_the_months_ahead(fetch, therapist):
    inside = [
        AppointmentFactory(therapist=therapist, starts_at=day_at(-DAYS_BACK + 1), status=Appointment.Status.COMPLETED),
        AppointmentFactory(therapist=therapist, starts_at=day_at(DAYS_AHEAD - 1)),
    ]
    AppointmentFactory(therapist=therapist, starts_at=day_at(-DAYS_BACK - 1), status=Appointment.Status.COMPLETED)
    AppointmentFactory(therapist=therapist, starts_at=day_at(DAYS_AHEAD + 1))
    _, token = make_feed(therapist)

    assert set(events_of(fetch(token))) == {uid(appointment) for appointment in inside}


def test_a_moved_visit_keeps_its_uid_with_a_higher_sequence(fetch, therapist, visit):
    booked_at = timezone.now() - timedelta(hours=2)
    Appointment.objects.filter(pk=visit.pk).update(created_at=booked_at, updated_at=booked_at)
    _, token = make_feed(therapist)
    before = events_of(fetch(token))[uid(visit)]
    assert before["SEQUENCE"] == 0
    visit.refresh_from_db()
    visit.starts_at, visit.ends_at = day_at(2, "11:00"), day_at(2, "12:00")
    visit.save()

    after = events_of(fetch(token))[uid(visit)]

    assert after.start == day_at(2, "11:00")
    assert after["SEQUENCE"] >= 2 * 60 * 60
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt


def test_an_unknown_token_is_not_found(fetch, therapist, visit):
    make_feed(therapist)
    assert fetch("not-a-real-token").status_code == 404
    assert fetch(CalendarFeed.new_token()).status_code == 404


def test_a_revoked_feed_is_not_found_at_once(fetch, therapist, manager, visit):
    feed, token = make_feed(therapist)
    assert fetch(token).status_code == 200

    feed.revoke(by=manager)

    response = fetch(token)
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.content


def test_a_new_feed_revokes_the_old_one(fetch, therapist, visit):
    old, old_token = feed_create(user=therapist)

    new, new_token = feed_create(user=therapist)

    assert fetch(old_token).status_code == 404
    assert uid(visit) in events_of(fetch(new_token))
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_by == therapist
    assert list(CalendarFeed.objects.active().filter(user=therapist)) == [new]


def test_the_feed_of_someone_whose_account_is_off_or_without_a_role_is_not_found(fetch, therapist, visit):
    leaver = UserFactory(role=THERAPIST, username="leaver")
    _, leaver_token = make_feed(leaver)
    leaver.is_active = False
    leaver.save()
    _, token = make_feed(therapist)
    therapist.groups.clear()

    assert fetch(leaver_token).status_code == 404
    assert fetch(token).status_code == 404


def test_front_desk_staff_get_the_visits_booked_with_them(fetch):
    desk = UserFactory(role=FRONT_DESK, username="desk-who-treats")
    visit = AppointmentFactory(therapist=desk, starts_at=day_at(3))
    _, token = make_feed(desk)

    assert set(events_of(fetch(token))) == {uid(visit)}


def test_only_get_and_head_fetch_the_feed(client, therapist, visit):
    _, token = make_feed(therapist)

    assert client.post(feed_url(token)).status_code == 405
    assert client.post(feed_url("not-a-real-token")).status_code == 404
    head = client.head(feed_url(token))
    assert head.status_code == 200 and head["Content-Type"].startswith("text/calendar")


def test_an_unchanged_feed_is_answered_not_modified_by_its_etag(fetch, therapist, visit):
    _, token = make_feed(therapist)
    first = fetch(token)
    etag = first["ETag"]
    assert first["Last-Modified"]

    assert fetch(token, if_none_match=etag).status_code == 304
    assert fetch(token, if_none_match=etag).content == b""
    # If-Modified-Since alone is not trusted (a visit moved to a colleague leaves no newer date).
    assert fetch(token, if_modified_since=first["Last-Modified"]).status_code == 200

    visit.starts_at, visit.ends_at = day_at(4), day_at(4, "11:00")
    visit.save()
    changed = fetch(token, if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_fetch_is_recorded_but_not_on_every_fetch(fetch, therapist, visit, monkeypatch):
    feed, token = make_feed(therapist)
    start = timezone.now()

    fetch(token)
    feed.refresh_from_db()
    assert feed.last_fetched_at is not None and feed.last_fetched_at >= start
    first = feed.last_fetched_at

    monkeypatch.setattr(timezone, "now", lambda: first + RECORD_FETCH_EVERY - timedelta(seconds=1))
    fetch(token)
    feed.refresh_from_db()
    assert feed.last_fetched_at == first

    later = first + RECORD_FETCH_EVERY + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    fetch(token)
    feed.refresh_from_db()
    assert feed.last_fetched_at == later


def _book(therapist, days: range) -> None:
    """A visit a day, each of a client and a service of its own (an N+1 on either would show)."""
    for day in days:
        AppointmentFactory(therapist=therapist, starts_at=day_at(day))


# The rate limit's counter, the feed by its hash (with its owner), the owner's permissions
# (their own and their roles'), and the visits with their clients and services.
FEED_QUERIES = 5


def test_the_feed_costs_the_same_queries_however_many_visits(client, therapist, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("accounts.ratelimit.random", SimpleNamespace(random=lambda: 0.5))  # no clean-up this time
    _, token = make_feed(therapist, last_fetched_at=timezone.now())  # fetched just now: nothing to record
    _book(therapist, range(1, 3))
    with django_assert_num_queries(FEED_QUERIES):
        few = client.get(feed_url(token))
    _book(therapist, range(3, 40))
    with django_assert_num_queries(FEED_QUERIES):
        many = client.get(feed_url(token))

    assert len(events_of(few)) == 2
    assert len(events_of(many)) == 39


def test_the_feed_is_rate_limited_per_address_wrong_tokens_included(client, therapist, visit, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "calendar_feed": (3, 600)}
    _, token = make_feed(therapist)

    assert client.get(feed_url("guess-one")).status_code == 404
    assert client.get(feed_url("guess-two")).status_code == 404
    assert client.get(feed_url(token)).status_code == 200
    refused = client.get(feed_url(token))

    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    assert b"BEGIN:VCALENDAR" not in refused.content
