"""Clients book, move and cancel online on a phone, in a real browser (Debian's Chromium at
390x844 against live_server): a new client, then a returning one recognised by phone and date
of birth; the private link from the confirmation email moves and cancels the visit."""

import re
from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import THERAPIST
from booking.models import BookingRules
from browser_tests.helpers import Axe
from browser_tests.test_intake_phone import check_fits_phone, watch
from clients.models import Client
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from scheduling.models import Appointment, WorkingHours
from scheduling.tests.factories import ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_for_booking():
    therapist = UserFactory(role=THERAPIST, username="dana", first_name="Dana", last_name="Smith")
    for weekday in range(7):
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, starts=time(9), ends=time(17))
    service = ServiceFactory(name="Massage 60", duration_minutes=60)
    rules = BookingRules.current()
    rules.enabled, rules.min_notice_hours = True, 48
    rules.save()
    rules.services.add(service)
    rules.therapists.add(therapist)
    return service


def book_on_phone(
    page: Page, base: str, *, first: str, last: str, email: str, phone: str, born: date, axe: Axe | None = None
) -> None:
    check = axe.check if axe is not None else (lambda page, name: None)
    page.goto(base + reverse("booking:start"))
    check_fits_phone(page)
    check(page, "booking: choose")
    page.get_by_label(re.compile("Massage 60")).check()
    page.get_by_role("button", name="See free times").click()
    expect(page.get_by_role("heading", name="Massage 60")).to_be_visible()
    check_fits_phone(page)
    check(page, "booking: times")
    page.get_by_role("link", name=re.compile(r"^10:00 on ")).first.click()
    expect(page.get_by_role("button", name="Book this visit")).to_be_visible()
    check_fits_phone(page)
    check(page, "booking: details")
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Phone").fill(phone)
    page.get_by_label("Date of birth").fill(born.isoformat())
    page.get_by_role("button", name="Book this visit").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()


def manage_link(to: str) -> str:
    message = [m for m in mail.outbox if m.to == [to] and "Your visit" in m.subject][-1]
    return re.search(r"https?://\S+/book/manage/\S+/", message.body)[0]


def test_a_new_client_books_moves_and_cancels_on_a_phone(live_server, page: Page, open_for_booking):
    errors, axe = watch(page), Axe()
    book_on_phone(
        page,
        live_server.url,
        first="Ana",
        last="Silva",
        email="ana@example.com",
        phone="416 555 0101",
        born=date(1985, 6, 15),
        axe=axe,
    )

    visit = Appointment.objects.get()
    assert (visit.client.last_name, timezone.localtime(visit.starts_at).time()) == ("Silva", time(10))

    page.goto(manage_link("ana@example.com"))
    check_fits_phone(page)
    axe.check(page, "booking: manage")
    page.get_by_role("link", name="Move to another time").click()
    page.get_by_role("button", name=re.compile(r"^14:00 on ")).first.click()
    expect(page.get_by_text("Your visit is moved")).to_be_visible()
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at).time() == time(14)

    page.get_by_role("button", name="Cancel this visit").click()
    expect(page.get_by_text("This visit is cancelled").first).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == "cancelled"
    assert errors == []


def test_a_returning_client_is_recognised_on_a_phone(live_server, page: Page, open_for_booking):
    known = ClientFactory(
        first_name="Bo",
        last_name="Chen",
        phone="(647) 555-0142",
        email="bo@example.com",
        date_of_birth=date(1979, 2, 3),
    )

    book_on_phone(
        page,
        live_server.url,
        first="Bo",
        last="Chen",
        email="bo.chen@work.example",
        phone="647.555.0142",
        born=date(1979, 2, 3),
    )

    assert Client.objects.count() == 1 and Appointment.objects.get().client == known
    assert (timezone.localdate() + timedelta(days=2)) <= timezone.localtime(Appointment.objects.get().starts_at).date()
