"""The inputs the fuzzers found that used to answer with a server error, kept as plain tests."""

import pytest
from django.urls import reverse

from intake.models import IntakeLink
from intake.tests.helpers import step_data, verify_identity


def test_nul_in_an_intake_answer_is_dropped_not_a_server_error(client, world):
    """The intake keeps every typed value as a draft (JSON), where PostgreSQL refuses NUL."""
    token = world.a.link_token
    verify_identity(client, token, world.a.client)
    data = {**step_data("reason"), "main_complaint": "Stiff\x00 neck", "odd\x00key": "x\x00", "go": "later"}

    response = client.post(reverse("intake:step", args=[token, "reason"]), data)

    assert response.status_code == 200
    link = IntakeLink.objects.get(pk=world.a.link.pk)
    assert link.draft["reason"]["main_complaint"] == ["Stiff neck"]
    assert "oddkey" not in link.draft["reason"]  # only the step's own questions are kept


def test_nul_in_the_website_form_is_dropped(client, db):
    data = {**step_data("contact", identity=True), "address": "12 Elm\x00 Street", "extra\x00": "\x00"}

    response = client.post(reverse("intake:new"), data)

    assert response.status_code == 302
    assert IntakeLink.objects.get().draft["contact"]["address"] == ["12 Elm Street"]


@pytest.mark.parametrize(
    "url",
    [
        "/clients/?q=Mari%00sol",
        "/schedule/book/?client_q=Mari%00sol",
        "/schedule/?date=2025-01-01%00",
        "/audit/?q=%00",
    ],
)
def test_nul_in_a_query_string_is_not_a_server_error(as_manager, world, url):
    assert as_manager.get(url).status_code in (200, 302, 403, 404)


@pytest.mark.parametrize("value", ["²", "٣x", "1²", "abc", "-1", ""])
def test_an_id_that_is_not_a_number_is_not_found_not_a_server_error(as_therapist, as_front_desk, world, value):
    """str.isdigit() accepts "²", which int() refuses; these ids come from query strings and forms."""
    assert as_front_desk.get(reverse("scheduling:book"), {"client": value}).status_code in (200, 404)
    assessment = reverse("visits:assessment_new", args=[world.a.client.pk])
    assert as_therapist.get(assessment, {"note": value}).status_code in (200, 404)
    attach = reverse("intake:match_attach", args=[world.unmatched_intake.pk])
    assert as_front_desk.post(attach, {"client": value}).status_code == 404


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_booking_at_the_end_of_the_calendar_is_refused_not_a_server_error(as_front_desk, world, day):
    """Adding the visit's length (or the time zone) to a date near year 1 or 9999 overflows."""
    book = {
        "client": world.a.client.pk,
        "therapist": world.therapist.pk,
        "service": world.service.pk,
        "date": day,
        "time": "23:45",
        "outside_hours_ok": "on",
    }
    response = as_front_desk.post(reverse("scheduling:book"), book)
    assert response.status_code == 200
    assert b"Choose a date within" in response.content

    move = {"therapist": world.therapist.pk, "date": day, "time": "23:45", "outside_hours_ok": "on"}
    response = as_front_desk.post(reverse("scheduling:appointment_reschedule", args=[world.a.appointment.pk]), move)
    assert response.status_code == 200
    assert b"Choose a date within" in response.content
