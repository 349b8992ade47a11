"""Dates typed into the schedule's address (?date=) at the edges of the calendar: the pages
show the nearest day they can, never a server error, whatever the clinic's time zone."""

from datetime import timedelta

import pytest
from django.urls import reverse

from scheduling.forms import BOOKABLE_YEARS
from scheduling.tests.factories import AppointmentFactory, at
from timekeeping.dayrange import FIRST_DAY, LAST_DAY
from timekeeping.timeutil import today

pytestmark = pytest.mark.django_db

# The zones furthest ahead of and behind UTC, and UTC: a day's bounds there cross into the
# year before 1 or after 9999 first.
ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]
EDGES = [
    pytest.param("9999-12-31", LAST_DAY, id="last-day"),
    pytest.param("9999-12-30", LAST_DAY, id="day-before-last"),
    pytest.param("0001-01-01", FIRST_DAY, id="first-day"),
    pytest.param("0001-01-02", FIRST_DAY, id="second-day"),
]


@pytest.fixture
def desk(client, front_desk, therapist):
    client.force_login(front_desk)
    return client


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("typed", "shown"), EDGES)
def test_day_view_at_the_edge_of_the_calendar_shows_the_nearest_day_it_can(settings, desk, zone, typed, shown):
    settings.TIME_ZONE = zone

    response = desk.get(reverse("scheduling:day"), {"date": typed})

    assert response.status_code == 200
    assert response.context["day"] == shown
    html = response.content.decode()
    assert f"?date={(shown - timedelta(days=1)).isoformat()}" in html  # previous day
    assert f"?date={(shown + timedelta(days=1)).isoformat()}" in html  # next day


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("typed", "shown"), EDGES)
def test_week_view_at_the_edge_of_the_calendar_shows_the_nearest_week_it_can(
    settings, desk, therapist, zone, typed, shown
):
    settings.TIME_ZONE = zone

    response = desk.get(reverse("scheduling:week"), {"therapist": therapist.pk, "date": typed})

    assert response.status_code == 200
    assert shown in response.context["days"]
    assert response.context["therapist"] == therapist


def test_the_days_at_the_limits_still_list_their_visits(settings, desk, therapist):
    settings.TIME_ZONE = "Pacific/Kiritimati"
    visit = AppointmentFactory(therapist=therapist, starts_at=at(LAST_DAY, "10:00"))

    response = desk.get(reverse("scheduling:day"), {"date": "9999-12-31"})

    assert visit.client.display_name in response.content.decode()


@pytest.mark.parametrize("typed", ["", "tomorrow", "2024-02-30", "99999-01-01", "-2024-01-01"])
def test_a_date_that_is_no_date_shows_today(desk, typed):
    response = desk.get(reverse("scheduling:day"), {"date": typed})

    assert response.status_code == 200
    assert response.context["day"] == today()


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("typed", ["9999-12-31", "0001-01-01"])
def test_booking_link_with_a_date_at_the_edge_opens_the_form_on_the_nearest_bookable_day(
    settings, desk, client_record, therapist, zone, typed
):
    settings.TIME_ZONE = zone
    limit = timedelta(days=BOOKABLE_YEARS * 366)
    nearest = today() + limit if typed.startswith("9999") else today() - limit

    response = desk.get(
        reverse("scheduling:book"),
        {"client": client_record.pk, "therapist": therapist.pk, "date": typed, "time": "23:30"},
    )

    assert response.status_code == 200
    assert f'name="date" value="{nearest.isoformat()}"' in response.content.decode()


def test_a_booking_link_within_the_bookable_years_keeps_its_date(desk, client_record):
    day = today() + timedelta(days=40)

    response = desk.get(reverse("scheduling:book"), {"client": client_record.pk, "date": day.isoformat()})

    assert f'name="date" value="{day.isoformat()}"' in response.content.decode()
