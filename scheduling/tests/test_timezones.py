"""Clinic-local time across daylight-saving changes (America/New_York, 2027)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.tests.factories import ClientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at
from timekeeping.timeutil import ClockChanges, NonexistentLocalTime, clock_changes, day_bounds, local_datetime

pytestmark = pytest.mark.django_db

SPRING_FORWARD = date(2027, 3, 14)  # 02:00 → 03:00
FALL_BACK = date(2027, 11, 7)  # 02:00 → 01:00


@pytest.fixture(autouse=True)
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"
    with timezone.override("America/New_York"):
        yield


@pytest.fixture
def hour_service(db):
    return ServiceFactory(name="Swedish, 60 minutes", duration_minutes=60)


def row_cells(response, label: str) -> list:
    """The appointments placed in the grid row starting at `label` (e.g. "09:00")."""
    row = next(r for r in response.context["grid"]["rows"] if r["full_label"] == label)
    return [cell["appointment"] for cell in row["cells"] if "appointment" in cell]


def row_html(html: str, label: str) -> str:
    """The HTML of the grid row whose time header reads `label` (hours shown, quarters for screen readers)."""
    headers = (f">{label}<span", f'<span class="visually-hidden">{label}</span>')
    return next(chunk for chunk in html.split("<tr>") if any(h in chunk for h in headers)).split("</tr>")[0]


def test_local_datetime_refuses_the_skipped_hour_and_picks_the_first_of_the_repeated_one():
    with pytest.raises(NonexistentLocalTime, match="02:30 does not exist on Mar 14"):
        local_datetime(SPRING_FORWARD, datetime.strptime("02:30", "%H:%M").time())

    first = local_datetime(FALL_BACK, datetime.strptime("01:30", "%H:%M").time())
    assert first.astimezone(UTC) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


def test_change_days_last_23_and_25_hours():
    spring_start, spring_end = day_bounds(SPRING_FORWARD)
    fall_start, fall_end = day_bounds(FALL_BACK)

    # Subtract in UTC: Python subtracts two datetimes of one zoneinfo on the wall clock.
    assert spring_end.astimezone(UTC) - spring_start.astimezone(UTC) == timedelta(hours=23)
    assert fall_end.astimezone(UTC) - fall_start.astimezone(UTC) == timedelta(hours=25)


def test_booking_a_time_skipped_by_the_clocks_is_refused_with_a_clear_message(
    client, front_desk, therapist, hour_service
):
    patient = ClientFactory()
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:book"),
        {
            "client": patient.pk,
            "therapist": therapist.pk,
            "service": hour_service.pk,
            "date": SPRING_FORWARD.isoformat(),
            "time": "02:30",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["time"] == ["02:30 does not exist on Mar 14 (the clocks change)."]
    assert "02:30 does not exist on Mar 14 (the clocks change)." in response.content.decode()
    assert not Appointment.objects.exists()


def test_an_hour_visit_in_the_repeated_hour_is_stored_at_the_right_instant(client, front_desk, therapist, hour_service):
    patient = ClientFactory(first_name="Ambrose", last_name="Fairweather")
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:book"),
        {
            "client": patient.pk,
            "therapist": therapist.pk,
            "service": hour_service.pk,
            "date": FALL_BACK.isoformat(),
            "time": "01:30",
            "occurrence": "earlier",  # the desk was asked which 01:30 (see the tests below)
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"?date={FALL_BACK.isoformat()}")
    appointment = Appointment.objects.get(client=patient)
    assert appointment.starts_at == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT
    assert appointment.ends_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later

    day = client.get(response["Location"])

    assert day.status_code == 200
    assert row_cells(day, "01:30") == [appointment]
    cell = next(c for r in day.context["grid"]["rows"] for c in r["cells"] if c.get("appointment") == appointment)
    assert cell["rowspan"] == 2  # to 02:00, where the repeated hour ends (not a 15-minute sliver)
    assert "Ambrose Fairweather" in row_html(day.content.decode(), "01:30")


def test_day_view_renders_the_spring_forward_day_with_visits_at_their_local_times(client, front_desk, therapist):
    early = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Early", last_name="Bird"),
        starts_at=at(SPRING_FORWARD, "01:00"),
    )
    after = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="After", last_name="Change"),
        starts_at=at(SPRING_FORWARD, "03:00"),
    )
    assert early.ends_at == after.starts_at  # 01:00 EST + 1 hour is 03:00 EDT
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:day"), {"date": SPRING_FORWARD.isoformat()})

    html = response.content.decode()
    assert response.status_code == 200
    assert row_cells(response, "01:00") == [early]
    assert row_cells(response, "03:00") == [after]
    assert "01:00–03:00" in row_html(html, "01:00")  # an hour that ends at 03:00 on the wall clock
    assert "03:00–04:00" in row_html(html, "03:00")


def test_day_view_puts_nine_oclock_visits_in_the_nine_oclock_row_in_winter_and_summer(client, front_desk, therapist):
    winter_day, summer_day = date(2027, 1, 12), date(2027, 7, 13)
    winter = AppointmentFactory(therapist=therapist, starts_at=at(winter_day, "09:00"))
    summer = AppointmentFactory(therapist=therapist, starts_at=at(summer_day, "09:00"))
    assert (winter.starts_at.astimezone(UTC).hour, summer.starts_at.astimezone(UTC).hour) == (14, 13)
    client.force_login(front_desk)

    for day, appointment in ((winter_day, winter), (summer_day, summer)):
        response = client.get(reverse("scheduling:day"), {"date": day.isoformat()})
        assert row_cells(response, "09:00") == [appointment]
        assert appointment.client.display_name in row_html(response.content.decode(), "09:00")
        assert "09:00–10:00" in response.content.decode()


def test_week_across_the_clock_change_shows_both_nine_oclock_visits_in_one_row(client, front_desk, therapist):
    monday_before = date(2027, 3, 8)  # EST
    sunday_after = SPRING_FORWARD  # EDT from 03:00
    winter = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Winter", last_name="Visit"),
        starts_at=at(monday_before, "09:00"),
    )
    summer = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Summer", last_name="Visit"),
        starts_at=at(sunday_after, "09:00"),
    )
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:week"), {"therapist": therapist.pk, "date": "2027-03-10"})

    assert response.status_code == 200
    assert row_cells(response, "09:00") == [winter, summer]
    row = row_html(response.content.decode(), "09:00")
    assert "Winter Visit" in row
    assert "Summer Visit" in row


def test_day_view_renders_the_fall_back_day_with_visits_on_both_sides_of_the_change(client, front_desk, therapist):
    before = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Before", last_name="Change"),
        starts_at=at(FALL_BACK, "00:15"),
    )
    after = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="After", last_name="Change"),
        starts_at=at(FALL_BACK, "10:00"),
    )
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:day"), {"date": FALL_BACK.isoformat()})

    assert response.status_code == 200
    assert row_cells(response, "00:15") == [before]
    assert row_cells(response, "10:00") == [after]
    assert "10:00–11:00" in row_html(response.content.decode(), "10:00")


def test_fall_back_day_shows_a_visit_across_the_change_and_the_next_one(client, front_desk, therapist):
    long_service = ServiceFactory(name="Two hours", duration_minutes=120)
    across = AppointmentFactory(
        therapist=therapist,
        service=long_service,
        client=ClientFactory(first_name="Across", last_name="Change"),
        starts_at=at(FALL_BACK, "00:30"),  # 00:30 EDT to 01:30 EST
    )
    next_one = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Next", last_name="One"),
        starts_at=at(FALL_BACK, "02:00"),  # half an hour after the first one ends
    )
    assert next_one.starts_at - across.ends_at == timedelta(minutes=30)
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:day"), {"date": FALL_BACK.isoformat()})

    assert row_cells(response, "00:30") == [across]
    assert row_cells(response, "02:00") == [next_one]
    html = response.content.decode()
    assert "00:30–01:30" in row_html(html, "00:30")
    assert "Next One" in row_html(html, "02:00")


# --- Asked, not guessed: the repeated hour; the skipped hour kept off the grid ---------------


def test_clock_changes_name_the_skipped_and_the_repeated_quarter_hours():
    assert clock_changes(SPRING_FORWARD) == ClockChanges(frozenset({120, 135, 150, 165}), frozenset())
    assert clock_changes(FALL_BACK) == ClockChanges(frozenset(), frozenset({60, 75, 90, 105}))
    assert clock_changes(date(2027, 7, 13)) == ClockChanges(frozenset(), frozenset())


def test_booking_a_time_the_clocks_show_twice_asks_which_one_and_keeps_what_was_typed(
    client, front_desk, therapist, hour_service
):
    patient = ClientFactory()
    client.force_login(front_desk)
    typed = {
        "client": patient.pk,
        "therapist": therapist.pk,
        "service": hour_service.pk,
        "date": FALL_BACK.isoformat(),
        "time": "01:30",
        "desk_notes": "Prefers the side door",
    }

    response = client.post(reverse("scheduling:book"), typed)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Appointment.objects.exists()
    assert response.context["form"].errors["occurrence"] == [
        "The clocks show 01:30 twice that night. Choose the earlier or the later one."
    ]
    assert "01:30 happens twice on Nov 7: the clocks go back. Which one?" in html
    assert "01:30 EDT (UTC-04:00), the first time" in html
    assert "01:30 EST (UTC-05:00), after the clocks go back" in html
    assert 'value="Prefers the side door"' in html
    assert f'<option value="{hour_service.pk}" selected>' in html
    assert f'<option value="{therapist.pk}" selected>' in html

    response = client.post(reverse("scheduling:book"), typed | {"occurrence": "later"})

    assert response.status_code == 302
    appointment = Appointment.objects.get(client=patient)
    assert appointment.starts_at == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)  # 01:30 EST
    assert appointment.desk_notes == "Prefers the side door"


def test_moving_a_visit_to_a_time_the_clocks_show_twice_asks_which_one(client, front_desk, therapist):
    visit = AppointmentFactory(therapist=therapist, starts_at=at(date(2027, 11, 5), "10:00"))
    url = reverse("scheduling:appointment_reschedule", args=[visit.pk])
    client.force_login(front_desk)
    typed = {"therapist": therapist.pk, "date": FALL_BACK.isoformat(), "time": "01:15"}

    response = client.post(url, typed)

    assert response.status_code == 200
    assert "01:15 EDT (UTC-04:00), the first time" in response.content.decode()
    visit.refresh_from_db()
    assert visit.starts_at == at(date(2027, 11, 5), "10:00")

    response = client.post(url, typed | {"occurrence": "later"})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.starts_at == datetime(2027, 11, 7, 6, 15, tzinfo=UTC)  # 01:15 EST


def test_moving_a_visit_of_the_second_0130_offers_that_one_already_chosen(client, front_desk, therapist):
    visit = AppointmentFactory(therapist=therapist, starts_at=datetime(2027, 11, 7, 6, 30, tzinfo=UTC))  # 01:30 EST
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:appointment_reschedule", args=[visit.pk]))

    assert response.context["form"]["occurrence"].value() == "later"
    assert re.search(r'value="later"\s+id="id_occurrence_1" checked', response.content.decode())


def test_moving_a_visit_to_a_time_skipped_by_the_clocks_says_so_next_to_the_time(client, front_desk, therapist):
    visit = AppointmentFactory(therapist=therapist, starts_at=at(date(2027, 3, 12), "10:00"))
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:appointment_reschedule", args=[visit.pk]),
        {"therapist": therapist.pk, "date": SPRING_FORWARD.isoformat(), "time": "02:15"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["time"] == ["02:15 does not exist on Mar 14 (the clocks change)."]
    visit.refresh_from_db()
    assert visit.starts_at == at(date(2027, 3, 12), "10:00")


def test_day_view_of_the_spring_forward_day_lists_no_time_that_does_not_exist(client, front_desk, therapist):
    early = AppointmentFactory(therapist=therapist, starts_at=at(SPRING_FORWARD, "01:00"))
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:day"), {"date": SPRING_FORWARD.isoformat()})

    labels = [row["full_label"] for row in response.context["grid"]["rows"]]
    assert labels[:5] == ["01:00", "01:15", "01:30", "01:45", "03:00"]
    html = response.content.decode()
    assert "time=02:" not in html  # no "book at 02:15" link either
    cell = next(c for r in response.context["grid"]["rows"] for c in r["cells"] if c.get("appointment") == early)
    assert cell["rowspan"] == 4  # one hour: 01:00 to 03:00 on the wall clock


def test_week_view_leaves_the_skipped_times_of_the_change_day_blank(client, front_desk, therapist):
    AppointmentFactory(therapist=therapist, starts_at=at(SPRING_FORWARD - timedelta(days=1), "01:00"))
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:week"), {"therapist": therapist.pk, "date": SPRING_FORWARD.isoformat()})

    row = next(r for r in response.context["grid"]["rows"] if r["full_label"] == "02:15")
    sunday = row["cells"][-1]
    assert sunday.get("skipped") and "book_query" not in sunday
    assert "No such time on Sun Mar 14: the clocks go forward" in response.content.decode()
    saturday = row["cells"][-2]
    assert saturday["book_query"].endswith("date=2027-03-13&time=02:15")


def test_day_view_of_the_fall_back_day_names_the_zone_of_times_in_the_repeated_hour(client, front_desk, therapist):
    AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Ambrose", last_name="Fairweather"),
        starts_at=at(FALL_BACK, "01:30"),  # 01:30 EDT, an hour to 01:30 EST
    )
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:day"), {"date": FALL_BACK.isoformat()})

    html = response.content.decode()
    assert "01:30 EDT–01:30 EST" in row_html(html, "01:30")
    assert "Clocks go back: 01:00–02:00 happens twice (EDT then EST)" in row_html(html, "01:30")  # its first row
