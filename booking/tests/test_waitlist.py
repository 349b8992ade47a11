"""The waitlist: a freed time goes to the best suited entries, the first to accept gets it."""

import re
import threading
from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from booking import tasks, waitlist
from booking.models import WaitlistEntry, WaitlistOffer
from booking.tests.helpers import BORN, at
from clients.models import Client
from clients.tests.factories import ClientFactory
from scheduling.models import Appointment
from scheduling.services import appointment_cancel
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def wait(client_record, massage, *, therapist=None, priority=0, weekdays=range(7), earliest=time(8), latest=time(20)):
    return WaitlistEntry.objects.create(
        client=client_record,
        service=massage,
        therapist=therapist,
        weekdays=list(weekdays),
        earliest=earliest,
        latest=latest,
        until=timezone.localdate() + timedelta(days=30),
        priority=priority,
    )


def offer_links(outbox) -> list[str]:
    return [re.search(r"/book/offer/[^/\s]+/", m.body)[0] for m in outbox if "A time freed up" in m.subject]


def test_a_cancelled_visit_is_offered_to_the_best_suited_waiting_clients(rules, massage, dana, day, committed):
    visit = AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, 10), ends_at=at(day, 11))
    first = wait(ClientFactory(email="first@example.com"), massage, priority=5)
    second = wait(ClientFactory(email="second@example.com"), massage, therapist=dana)
    wait(ClientFactory(), massage, weekdays=[(day.weekday() + 1) % 7])  # other days only
    wait(ClientFactory(), massage, earliest=time(14))  # afternoons only

    with committed():
        appointment_cancel(appointment=visit, reason="Client ill")

    job = ProcrastinateJob.objects.get(task_name="booking.offer_freed_time")
    assert job.args["therapist_id"] == dana.pk
    with committed():
        offered = tasks.offer_freed_time(**job.args)

    assert offered == 2
    assert [o.entry for o in WaitlistOffer.objects.order_by("id")] == [first, second]  # priority first
    assert sorted(m.to[0] for m in mail.outbox if "A time freed up" in m.subject) == [
        "first@example.com",
        "second@example.com",
    ]


def test_the_first_to_accept_gets_the_time_the_next_hears_it_was_taken(client, rules, massage, dana, day, committed):
    a, b = wait(ClientFactory(email="a@example.com"), massage), wait(ClientFactory(email="b@example.com"), massage)
    with committed():
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 11), offer_url=tasks.offer_url
        )
    link_a, link_b = offer_links(mail.outbox)
    assert "Accept this time" in client.get(link_a).content.decode()

    with committed():
        client.post(link_a)
    taken = client.post(link_b, follow=True).content.decode()

    visit = Appointment.objects.get(starts_at=at(day, 10))
    assert visit.client == a.client and visit.therapist == dana and visit.desk_notes == "Booked from the waitlist"
    assert "Someone else took this time first" in taken or "no longer on offer" in taken
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == ("booked", "waiting")  # b stays on the list
    assert any("Your visit on" in m.subject and m.to == ["a@example.com"] for m in mail.outbox)


@pytest.mark.django_db(transaction=True)
def test_two_acceptors_at_once_one_gets_the_time(rules, massage, dana, day):
    entries = [wait(ClientFactory(), massage), wait(ClientFactory(), massage)]
    offers = waitlist.offer_freed_time(
        therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 11), offer_url=tasks.offer_url
    )
    outcomes, barrier = [], threading.Barrier(2)

    def accept(offer):
        try:
            barrier.wait()
            waitlist.accept_offer(offer=offer)
            outcomes.append("booked")
        except waitlist.OfferClosed:
            outcomes.append("taken")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked", "taken"] and len(entries) == 2
    assert Appointment.objects.filter(starts_at=at(day, 10)).count() == 1


def test_an_expired_offer_books_nothing(client, rules, massage, dana, day, committed):
    entry = wait(ClientFactory(email="late@example.com"), massage)
    with committed():
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 11), offer_url=tasks.offer_url
        )
    WaitlistOffer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tasks.expire_waitlist_offers() == 1

    page = client.post(offer_links(mail.outbox)[0], follow=True).content.decode()

    assert "no longer on offer" in page and Appointment.objects.count() == 0
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_a_time_too_short_for_the_service_or_taken_again_is_not_offered(rules, massage, dana, day):
    wait(ClientFactory(), massage)
    assert (
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 10, 30), offer_url=tasks.offer_url
        )
        == []
    )
    AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, 10), ends_at=at(day, 11))
    assert (
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 11), offer_url=tasks.offer_url
        )
        == []
    )


def test_a_client_joins_the_waitlist_from_the_booking_page(client, rules, massage, dana):
    until = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = client.post(
        reverse("booking:waitlist_join"),
        {
            "service": massage.pk,
            "therapist": "",
            "weekdays": ["0", "2"],
            "earliest": "09:00",
            "latest": "12:00",
            "until": until,
            "first_name": "Ana",
            "last_name": "Silva",
            "email": "ana@example.com",
            "phone": "416 555 0101",
            "date_of_birth": BORN.isoformat(),
        },
    )

    assert response.status_code == 302 and response.url == reverse("booking:waitlist_joined")
    entry = WaitlistEntry.objects.get()
    assert (entry.client.last_name, entry.weekdays, entry.therapist, entry.created_by) == ("Silva", [0, 2], None, None)


def test_the_desk_adds_from_the_profile_lists_and_removes(client, front_desk, rules, massage, dana):
    person = ClientFactory(first_name="Bo", last_name="Chen")
    client.force_login(front_desk)
    assert "Add to the waitlist" in client.get(person.get_absolute_url()).content.decode()

    client.post(
        f"{reverse('booking:waitlist_new')}?client={person.pk}",
        {
            "client": person.pk,
            "service": massage.pk,
            "therapist": dana.pk,
            "weekdays": ["1"],
            "earliest": "09:00",
            "latest": "17:00",
            "until": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "priority": "3",
        },
    )
    entry = WaitlistEntry.objects.get()
    assert (entry.client, entry.priority, entry.created_by) == (person, 3, front_desk)
    page = client.get(reverse("booking:waitlist")).content.decode()
    assert "Bo Chen" in page and "Book by hand" in page

    client.post(reverse("booking:waitlist_remove", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == "removed"


def test_the_desk_form_keeps_what_was_typed_on_an_error(client, front_desk, rules, massage):
    person = ClientFactory()
    client.force_login(front_desk)

    response = client.post(
        f"{reverse('booking:waitlist_new')}?client={person.pk}",
        {
            "client": person.pk,
            "service": massage.pk,
            "weekdays": ["1"],
            "earliest": "17:00",
            "latest": "09:00",
            "until": "2001-01-01",
            "priority": "3",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200 and "must come after" in html and 'value="17:00"' in html
    assert WaitlistEntry.objects.count() == 0


@pytest.mark.parametrize("persona", ["no_role_user"])
def test_waitlist_pages_are_for_staff_who_book(request, client, persona, rules, massage):
    entry = wait(ClientFactory(), massage)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("booking:waitlist")).status_code == 403
    assert client.get(f"{reverse('booking:waitlist_new')}?client={entry.client_id}").status_code == 403
    assert client.post(reverse("booking:waitlist_remove", args=[entry.pk])).status_code == 403


def test_an_unknown_offer_link_is_not_found(client, rules):
    assert client.get(reverse("booking:offer", args=["nope"])).status_code == 404
    assert Client.objects.count() == 0 and date.today()


def test_a_client_who_prefers_texts_gets_the_offer_by_text_too(rules, massage, dana, day, committed, settings):
    import messaging
    from messaging.models import Message
    from messaging.tests.factories import ContactPreferenceFactory

    settings.SMS_URL = "locmem://"
    messaging.outbox = []
    person = ClientFactory(first_name="Tex", email="tex@example.com")
    ContactPreferenceFactory(client=person, reminders="both", text_number="+14165550123")
    wait(person, massage)

    with committed():
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 11), offer_url=tasks.offer_url
        )

    assert [text.to for text in messaging.outbox] == ["+14165550123"]
    assert "/book/offer/" in messaging.outbox[0].body and "Massage" not in messaging.outbox[0].body
    assert WaitlistOffer.objects.get().channel == "text+email"
    assert set(Message.objects.filter(client=person).values_list("medium", flat=True)) == {"text", "email"}
    messaging.outbox = []


def test_a_freed_time_between_two_visits_is_offered(rules, massage, dana, day):
    """The desk books back to back: the online buffer does not keep a freed time from the waitlist."""
    AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, 9), ends_at=at(day, 10))
    AppointmentFactory(therapist=dana, service=massage, starts_at=at(day, 11), ends_at=at(day, 12))
    wait(ClientFactory(), massage)

    offers = waitlist.offer_freed_time(
        therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 11), offer_url=tasks.offer_url
    )

    assert len(offers) == 1


def test_an_offer_closes_with_its_entry(client, rules, massage, dana, day, committed, front_desk):
    entry = wait(ClientFactory(email="w@example.com"), massage)
    with committed():
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 10), ends_at=at(day, 11), offer_url=tasks.offer_url
        )
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 14), ends_at=at(day, 15), offer_url=tasks.offer_url
        )
    first, second = offer_links(mail.outbox)

    client.post(first)  # booked from the first offer
    assert "This offer is closed" in client.post(second, follow=True).content.decode()
    assert Appointment.objects.count() == 1

    other = wait(ClientFactory(email="r@example.com"), massage)
    with committed():
        waitlist.offer_freed_time(
            therapist_id=dana.pk, starts_at=at(day, 15), ends_at=at(day, 16), offer_url=tasks.offer_url
        )
    client.force_login(front_desk)
    client.post(reverse("booking:waitlist_remove", args=[other.pk]))
    client.logout()
    client.post(offer_links(mail.outbox)[-1])
    assert Appointment.objects.count() == 1 and entry.pk != other.pk
