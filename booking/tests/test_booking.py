"""Online booking: the times offered, new and returning clients booking on a phone, the private
link to cancel or move, races for one slot, abuse, the desk's refusal and the manager's rules."""

import threading
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from booking import services
from booking.availability import available_slots
from booking.models import OnlineBooking, TimeOff
from booking.tests.helpers import BORN, at
from clients.models import Client
from clients.tests.factories import ClientFactory
from intake.models import IntakeLink
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def starts(rules, massage, dana, day):
    return [
        s.starts_at
        for s in available_slots(service=massage, therapist_ids=[dana.pk], first_day=day, days=1, rules=rules).get(
            day, []
        )
    ]


# --- What is offered --------------------------------------------------------------------------------


def test_times_follow_working_hours_breaks_and_the_length_of_the_service(rules, massage, dana, day):
    offered = starts(rules, massage, dana, day)

    assert offered[0] == at(day, 9) and at(day, 11) in offered
    assert at(day, 11, 30) not in offered and at(day, 12) not in offered  # would run into the lunch break
    assert at(day, 13) in offered and offered[-1] == at(day, 16)


def test_visits_with_their_buffer_and_time_off_are_not_offered(rules, massage, dana, day):
    AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, 10), ends_at=at(day, 11))
    TimeOff.objects.create(therapist=dana, starts_at=at(day, 14), ends_at=at(day, 17), note="Course")

    offered = starts(rules, massage, dana, day)

    assert at(day, 9) not in offered  # 09:00-10:00 ends inside the 15 minutes before the visit
    assert at(day, 11) not in offered and at(day, 11, 30) not in offered
    assert offered == [at(day, 13)]


def test_cancelled_visits_free_their_time(rules, massage, dana, day):
    AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, 10), ends_at=at(day, 11), status="cancelled")

    assert at(day, 10) in starts(rules, massage, dana, day)


def test_minimum_notice_and_horizon(rules, massage, dana):
    today = timezone.localdate()
    rules.min_notice_hours, rules.horizon_days = 48, 10
    rules.save()

    slots = available_slots(service=massage, therapist_ids=[dana.pk], first_day=today, days=20, rules=rules)

    assert min(slots) >= today + timedelta(days=2) - timedelta(days=1)
    assert all(s.starts_at >= timezone.now() + timedelta(hours=48) for day_slots in slots.values() for s in day_slots)
    assert max(slots) <= today + timedelta(days=10)


# --- Booking on a phone -----------------------------------------------------------------------------------


def test_a_new_client_books_online_and_gets_confirmation_calendar_file_and_intake_link(
    client, rules, massage, dana, day, committed
):
    page = client.get(reverse("booking:start"))
    assert (
        page.status_code == 200
        and "Massage 60" in page.content.decode()
        and "Anyone available" in page.content.decode()
    )
    times = client.get(reverse("booking:times"), {"service": massage.pk, "therapist": "any", "from": day.isoformat()})
    assert "09:00" in times.content.decode()
    url = f"{reverse('booking:details')}?service={massage.pk}&therapist=any&start={quote(at(day, 9).isoformat())}"
    assert client.get(url).status_code == 200

    with committed():
        response = client.post(
            url,
            {
                "first_name": "Ana",
                "last_name": "Silva",
                "email": "ana@example.com",
                "phone": "416 555 0101",
                "date_of_birth": BORN.isoformat(),
                "website": "",
            },
        )

    assert response.status_code == 302 and response.url == reverse("booking:booked")
    visit = Appointment.objects.get()
    assert (visit.client.last_name, visit.therapist, visit.starts_at, visit.status) == (
        "Silva",
        dana,
        at(day, 9),
        "booked",
    )
    assert visit.online_booking.new_client and visit.client.referral_source == "Online booking"
    confirmation = next(m for m in mail.outbox if "Your visit" in m.subject)
    assert confirmation.to == ["ana@example.com"]
    event = Calendar.from_ical(confirmation.attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(day, 9) and "Massage 60" in str(event["summary"])
    assert "/book/manage/" in confirmation.body
    assert IntakeLink.objects.filter(client=visit.client).exists()
    assert any("intake form" in m.subject for m in mail.outbox)


def test_a_returning_client_is_recognised_by_phone_and_birth_date(client, rules, massage, dana, day, committed):
    known = ClientFactory(
        first_name="Ana", last_name="Silva", email="old@example.com", phone="(416) 555-0101", date_of_birth=BORN
    )
    url = (
        f"{reverse('booking:details')}?service={massage.pk}&therapist={dana.pk}&start={quote(at(day, 13).isoformat())}"
    )

    with committed():
        client.post(
            url,
            {
                "first_name": "Ana",
                "last_name": "Silva",
                "email": "new@example.com",
                "phone": "4165550101",
                "date_of_birth": BORN.isoformat(),
            },
        )

    assert Client.objects.count() == 1 and Appointment.objects.get().client == known
    assert not OnlineBooking.objects.get().new_client
    assert next(m for m in mail.outbox if "Your visit" in m.subject).to == ["old@example.com"]  # the address on file


def test_when_new_clients_may_not_book_the_page_says_the_same_and_nothing_is_booked(
    client, rules, massage, day, committed
):
    rules.new_clients = False
    rules.save()
    url = f"{reverse('booking:details')}?service={massage.pk}&therapist=any&start={quote(at(day, 9).isoformat())}"

    with committed():
        response = client.post(
            url,
            {
                "first_name": "Eve",
                "last_name": "Probe",
                "email": "eve@example.com",
                "phone": "416 555 0199",
                "date_of_birth": BORN.isoformat(),
            },
        )

    assert response.status_code == 302 and response.url == reverse("booking:booked")  # as for a real booking
    assert Appointment.objects.count() == 0 and Client.objects.count() == 0
    assert "could not book your visit online" in mail.outbox[0].body and mail.outbox[0].to == ["eve@example.com"]


def test_a_time_taken_meanwhile_sends_back_to_fresh_times(client, rules, massage, dana, day, committed):
    AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, 9), ends_at=at(day, 10))
    url = f"{reverse('booking:details')}?service={massage.pk}&therapist=any&start={quote(at(day, 9).isoformat())}"

    with committed():
        response = client.post(
            url,
            {
                "first_name": "Ana",
                "last_name": "Silva",
                "email": "ana@example.com",
                "phone": "416 555 0101",
                "date_of_birth": BORN.isoformat(),
            },
            follow=True,
        )

    assert "That time was just taken" in response.content.decode()
    assert Appointment.objects.count() == 1 and Client.objects.count() == 1  # nobody added for nothing


@pytest.mark.django_db(transaction=True)
def test_two_people_choosing_one_slot_at_once_one_gets_it(rules, massage, dana, day):
    outcomes = []
    barrier = threading.Barrier(2)

    def book(name):
        try:
            barrier.wait()
            book_online(
                massage,
                dana,
                at(day, 9),
                services.Details(name, "Racer", f"{name}@example.com", f"416555{len(name):04d}", BORN),
            )
            outcomes.append("booked")
        except services.SlotTaken:
            outcomes.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(name,)) for name in ("ana", "bruno")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked", "taken"]
    assert Appointment.objects.filter(starts_at=at(day, 9)).count() == 1


# --- The private link -------------------------------------------------------------------------------------------


ANA = services.Details("Ana", "Silva", "ana@example.com", "416 555 0101", BORN)


def book_online(massage, dana, starts_at, details=ANA) -> services.Outcome:
    """What the details page does once the form is valid (its links on an example host)."""
    return services.book_online(
        service=massage,
        therapist_ids=[dana.pk],
        starts_at=starts_at,
        details=details,
        link_url=lambda token: f"https://clinic.example/intake/{token}/",
        manage_url=lambda token: f"https://clinic.example/book/manage/{token}/",
    )


def book(massage, dana, day, hour=9) -> tuple[OnlineBooking, str]:
    outcome = book_online(massage, dana, at(day, hour))
    return outcome.booking, outcome.token


def test_the_client_moves_then_cancels_through_the_private_link(client, rules, massage, dana, day, committed):
    booking, token = book(massage, dana, day)
    manage = reverse("booking:manage", args=[token])
    assert "Move to another time" in client.get(manage).content.decode()

    with committed():
        client.post(reverse("booking:move", args=[token]), {"start": at(day, 14).isoformat()})
    booking.appointment.refresh_from_db()
    assert booking.appointment.starts_at == at(day, 14)
    assert "moved to" in mail.outbox[-1].subject

    client.post(manage, {"action": "cancel"})
    booking.appointment.refresh_from_db()
    assert booking.appointment.status == "cancelled"
    assert "This visit is cancelled" in client.get(manage).content.decode()


def test_inside_the_cancellation_window_the_page_says_to_call(client, rules, massage, dana, day):
    booking, token = book(massage, dana, day)
    rules.cancel_window_hours = 24 * 10
    rules.save()

    page = client.get(reverse("booking:manage", args=[token])).content.decode()
    client.post(reverse("booking:manage", args=[token]), {"action": "cancel"})

    assert "can no longer be changed online" in page
    booking.appointment.refresh_from_db()
    assert booking.appointment.status == "booked"


def test_a_wrong_link_is_not_found(client, rules):
    assert client.get(reverse("booking:manage", args=["not-a-real-token"])).status_code == 404
    assert client.get(reverse("booking:manage", args=["x" * 500])).status_code == 404


# --- Abuse ----------------------------------------------------------------------------------------------------


def test_the_robot_trap_books_nothing_and_says_thank_you(client, rules, massage, day, committed):
    url = f"{reverse('booking:details')}?service={massage.pk}&therapist=any&start={quote(at(day, 9).isoformat())}"

    with committed():
        response = client.post(
            url,
            {
                "first_name": "Bot",
                "last_name": "Bot",
                "email": "bot@example.com",
                "phone": "416 555 0101",
                "date_of_birth": BORN.isoformat(),
                "website": "http://spam",
            },
        )

    assert response.url == reverse("booking:booked") and Appointment.objects.count() == 0


def test_bookings_ahead_per_contact_are_capped_without_the_page_saying_so(rules, massage, dana, day, committed):
    rules.max_future_bookings = 1
    rules.save()
    book(massage, dana, day, hour=9)

    with committed():
        outcome = book_online(
            massage, dana, at(day, 14), services.Details("Ana", "Silva", "ANA@example.com", "+1 416 555 0101", BORN)
        )

    assert outcome.booking is None and Appointment.objects.count() == 1
    assert "1 visits are already booked online" in mail.outbox[-1].body


def test_bookings_sent_from_one_address_are_rate_limited(client, rules, massage, settings, day):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "booking_submit": (1, 3600)}
    url = f"{reverse('booking:details')}?service={massage.pk}&therapist=any&start={quote(at(day, 9).isoformat())}"
    data = {
        "first_name": "Ana",
        "last_name": "Silva",
        "email": "ana@example.com",
        "phone": "416 555 0101",
        "date_of_birth": BORN.isoformat(),
    }

    client.post(url, data)
    second = client.post(url.replace("T09", "T14"), {**data, "email": "other@example.com"})

    assert second.status_code == 429 and Appointment.objects.count() == 1


def test_a_form_with_errors_keeps_what_was_typed(client, rules, massage, day, committed):
    url = f"{reverse('booking:details')}?service={massage.pk}&therapist=any&start={quote(at(day, 9).isoformat())}"

    with committed():
        response = client.post(
            url,
            {
                "first_name": "Ana",
                "last_name": "Silva",
                "email": "not-an-email",
                "phone": "12",
                "date_of_birth": "2999-01-01",
            },
        )

    html = response.content.decode()
    assert response.status_code == 200 and 'value="Ana"' in html and 'value="not-an-email"' in html
    assert "Enter a phone number we can call" in html and "cannot be in the future" in html


def test_closed_online_booking_shows_a_call_us_page(client, rules):
    rules.enabled = False
    rules.save()

    assert client.get(reverse("booking:start")).status_code == 404
    assert client.get(reverse("booking:times")).status_code == 404


def test_services_and_therapists_not_bookable_online_are_refused(client, rules, day):
    other = ServiceFactory(name="Hot stone")
    response = client.get(reverse("booking:times"), {"service": other.pk, "therapist": "any"})

    assert response.status_code == 302 and response.url == reverse("booking:start")


# --- Staff --------------------------------------------------------------------------------------------------------


def test_the_desk_refuses_a_suspicious_online_booking(client, front_desk, rules, massage, dana, day, committed):
    booking, _token = book(massage, dana, day)
    client.force_login(front_desk)
    assert "ana@example.com" in client.get(reverse("booking:desk")).content.decode()

    with committed():
        client.post(reverse("booking:refuse", args=[booking.pk]), {"message": "Please call us to book."})

    booking.refresh_from_db()
    assert booking.suspicious_at and booking.suspicious_by == front_desk
    assert booking.appointment.status == "cancelled"
    assert mail.outbox[-1].body.startswith("Hello,\n\nPlease call us to book.")


@pytest.mark.parametrize("persona", ["no_role_user"])
def test_the_online_bookings_list_is_for_staff_who_book(request, client, persona, rules, massage, dana, day):
    booking, _token = book(massage, dana, day)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("booking:desk")).status_code == 403
    assert client.post(reverse("booking:refuse", args=[booking.pk]), {"message": "x"}).status_code == 403


@pytest.mark.parametrize("persona", ["front_desk", "therapist", "no_role_user"])
def test_only_the_manager_sets_the_rules(request, client, persona, rules):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("booking:rules")).status_code == 403
    assert client.post(reverse("booking:rules"), {"enabled": ""}).status_code == 403


def test_the_manager_sets_the_rules(client, manager, rules, massage, dana):
    client.force_login(manager)
    page = client.get(reverse("booking:rules")).content.decode()
    assert "/book/" in page

    client.post(
        reverse("booking:rules"),
        {
            "enabled": "on",
            "services": [massage.pk],
            "therapists": [dana.pk],
            "min_notice_hours": 4,
            "horizon_days": 30,
            "buffer_minutes": 10,
            "step_minutes": 15,
            "cancel_window_hours": 12,
            "new_clients": "",
            "max_future_bookings": 2,
        },
    )

    rules.refresh_from_db()
    assert (rules.min_notice_hours, rules.step_minutes, rules.new_clients, rules.max_future_bookings) == (
        4,
        15,
        False,
        2,
    )


def test_the_times_page_costs_the_same_queries_for_a_busy_week(
    client, rules, massage, dana, day, django_assert_max_num_queries
):
    for hour in (9, 13, 15):
        AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, hour), ends_at=at(day, hour + 1))
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("booking:times"), {"service": massage.pk, "therapist": "any", "from": day.isoformat()}
        )
    assert response.status_code == 200


def test_a_phone_written_with_the_country_code_is_the_same_phone(client, rules, massage, dana, day):
    known = ClientFactory(phone="(416) 555-0101", email="old@example.com", date_of_birth=BORN)

    book(massage, dana, day)  # typed as "416 555 0101"
    book_online(
        massage, dana, at(day, 14), services.Details("Ana", "Silva", "other@example.com", "+1 416-555-0101", BORN)
    )

    assert set(Appointment.objects.values_list("client", flat=True)) == {known.pk}


def test_whether_someone_is_a_client_never_changes_the_answer(client, rules, massage, day):
    rules.new_clients = False
    rules.save()
    ClientFactory(email="known@example.com", date_of_birth=BORN)
    taken = (timezone.now() - timedelta(days=400)).replace(microsecond=0)
    url = f"{reverse('booking:details')}?service={massage.pk}&therapist=any&start={quote(taken.isoformat())}"
    answers = []
    for email in ("known@example.com", "stranger@example.com"):
        response = client.post(
            url,
            {
                "first_name": "A",
                "last_name": "B",
                "email": email,
                "phone": "416 555 0199",
                "date_of_birth": BORN.isoformat(),
            },
        )
        answers.append((response.status_code, response.get("Location", "").split("?")[0]))

    assert answers[0] == answers[1] == (302, reverse("booking:times"))


def test_a_visit_moves_to_an_hour_later(client, rules, massage, dana, day):
    booking, token = book(massage, dana, day, hour=10)

    client.post(reverse("booking:move", args=[token]), {"start": at(day, 11).isoformat()})

    booking.appointment.refresh_from_db()
    assert booking.appointment.starts_at == at(day, 11)
