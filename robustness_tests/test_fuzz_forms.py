"""Every form, fuzzed through its real view as a user allowed to use it.

Each example posts hostile data drawn from a valid baseline (robustness_tests/payloads.py)
inside a savepoint that is rolled back afterwards. Every response must be below 500 and
must not reflect markup unescaped; when the post is accepted, the page that shows the
stored values must show each script payload escaped.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import event, given
from hypothesis import strategies as st

from clinic.tests.factories import PASSWORD
from intake import services as intake_services
from intake.models import ConsentText, Intake, IntakeLink
from intake.tests.helpers import LINK_STEPS, step_data, verify_identity
from robustness_tests.payloads import (
    EDGE_DATES,
    FUZZ,
    RAW_MARKERS,
    Drawn,
    assert_safe_response,
    assert_shown_escaped,
    form_data,
    rolled_back,
)
from scheduling.models import Appointment
from sessions.models import Assessment, TreatmentPlan
from sessions.tests.helpers import NOTE_TEXT_FIELDS, assessment_form_data, note_form_data


def check(http, url: str, drawn, *, shown=(), pages=None) -> None:
    """POST the drawn data; on acceptance, the pages that show it show every payload escaped.

    `pages(response)` lists the URLs that show the stored values; `shown` names the fields
    they display (others may be stored elsewhere or normalised away).
    """
    response = http.post(url, drawn.data)
    assert_safe_response(response, f"POST {url}")
    event(f"HTTP {response.status_code}")
    if response.status_code != 302:
        return
    event("accepted with a script payload" if drawn.injected else "accepted")
    urls = pages(response) if pages else [response["Location"]]
    html = b""
    for page_url in urls:
        page = http.get(page_url)
        assert_safe_response(page, f"GET {page_url} after POST {url}")
        html += page.content
    expected = {payload for name, payload in drawn.injected.items() if name in shown}
    assert_shown_escaped(html, expected, f"after POST {url}")


# --- Client profiles ----------------------------------------------------------------------------

CLIENT_BASELINE = {
    "first_name": "Ana",
    "last_name": "Lopes",
    "preferred_name": "",
    "pronouns": "",
    "date_of_birth": "1990-05-06",
    "phone": "555 010 4000",
    "email": "ana.lopes@example.com",
    "address": "1 Main Street",
    "emergency_contact_name": "",
    "emergency_contact_relationship": "",
    "emergency_contact_phone": "",
    "preferred_pressure": "",
    "referral_source": "",
    "desk_notes": "",
}
# Shown on the client's page (the relationship only next to an emergency contact's name).
CLIENT_SHOWN = {
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "address",
    "emergency_contact_name",
    "referral_source",
    "desk_notes",
}


@FUZZ
@given(data=st.data())
def test_fuzz_client_create(as_front_desk, data):
    http = as_front_desk  # one signed-in client for every example
    drawn = data.draw(form_data({**CLIENT_BASELINE, "confirm_new": "1"}))
    with rolled_back():
        check(http, reverse("clients:new"), drawn, shown=CLIENT_SHOWN)


@FUZZ
@given(data=st.data())
def test_fuzz_client_edit(as_front_desk, world, data):
    http = as_front_desk
    drawn = data.draw(form_data(CLIENT_BASELINE))
    with rolled_back():
        check(http, reverse("clients:edit", args=[world.a.client.pk]), drawn, shown=CLIENT_SHOWN)


# --- The intake form: the client's side ------------------------------------------------------

STEP_SHOWN = {
    "contact": {"preferred_name", "pronouns", "address", "emergency_contact_name", "emergency_contact_relationship"},
    "reason": {"main_complaint", "onset", "better", "worse"},
    "health": {"medical_conditions", "medications", "allergies_other", "event_0_description"},
    "lifestyle": {"occupation", "sports", "goals", "do_not_work_other", "draping"},
    "consent": {"signature_name"},
}


def _as_draft(data: dict) -> dict:
    return {key: value if isinstance(value, list) else [str(value)] for key, value in data.items()}


def _valid_drafts(*, identity: bool, skip: str, steps) -> dict:
    draft = {
        step: _as_draft(step_data(step, identity=identity and step == "contact")) for step in steps if step != skip
    }
    draft["_done"] = sorted(step for step in steps if step != skip)
    return draft


def _intake_pages(link: IntakeLink, world) -> list[str]:
    """Submit the link's answers and list the staff pages that show them."""
    link.refresh_from_db()
    intake = link.intake if link.submitted_at else intake_services.intake_submit(link=link)
    pages = []
    if intake.status == Intake.Status.UNMATCHED:
        pages.append(reverse("intake:match_queue"))
        intake_services.unmatched_attach(intake=intake, client=world.b.client, by=None)
    pages.append(reverse("intake:detail", args=[intake.pk]))
    return pages


@pytest.fixture
def step_link(client, world, purpose):
    """(link, token) the HTTP client `client` may fill in: a client's link after the identity
    check, or a link of the website's new-client form."""
    if purpose == IntakeLink.Purpose.LINK:
        assert verify_identity(client, world.a.link_token, world.a.client).status_code == 302
        return world.a.link, world.a.link_token
    # The website form: this browser starts it (step 1), so it may go on without the identity check.
    response = client.post(reverse("intake:new"), step_data("contact", identity=True))
    assert response.status_code == 302, "the website form's first step was refused"
    token = response["Location"].rstrip("/").split("/")[-2]
    return IntakeLink.objects.by_token(token).get(), token


@pytest.mark.parametrize("purpose", [IntakeLink.Purpose.LINK, IntakeLink.Purpose.PUBLIC])
@pytest.mark.parametrize("step", LINK_STEPS)
@FUZZ
@given(data=st.data())
def test_fuzz_intake_step(client, as_manager, world, step_link, step, purpose, data):
    """Each step of a client's link (identity checked) and of the website's new-client form."""
    identity = purpose == IntakeLink.Purpose.PUBLIC
    link, token = step_link
    url = reverse("intake:step", args=[token, step])
    drawn = data.draw(form_data({**step_data(step, identity=identity), "go": "next"}))
    with rolled_back():
        IntakeLink.objects.filter(pk=link.pk).update(
            draft=_valid_drafts(identity=identity, skip=step, steps=LINK_STEPS)
        )
        response = client.post(url, drawn.data)
        assert_safe_response(response, f"POST {step}")
        link.refresh_from_db()
        if step not in link.draft.get("_done", []) and not link.submitted_at:
            event("refused")
            return  # not accepted: the page said what to fix
        event("accepted with a script payload" if drawn.injected else "accepted")
        if not link.submitted_at:
            assert_safe_response(client.get(url), f"GET {step} again")
        html = b""
        for page_url in _intake_pages(link, world):
            shown = as_manager.get(page_url)
            assert_safe_response(shown, f"GET {page_url}")
            html += shown.content
        expected = {p for name, p in drawn.injected.items() if name in STEP_SHOWN[step]}
        if step == "contact" and purpose == IntakeLink.Purpose.PUBLIC:
            expected |= {p for name, p in drawn.injected.items() if name in ("first_name", "last_name")}
        assert_shown_escaped(html, expected, f"intake step {step}")


@FUZZ
@given(data=st.data())
def test_fuzz_intake_new(client, as_front_desk, data):
    """The website's new-client form, step 1 (contact details with name and date of birth)."""
    staff = as_front_desk
    drawn = data.draw(form_data({**step_data("contact", identity=True)}))
    with rolled_back():
        response = client.post(reverse("intake:new"), drawn.data)
        assert_safe_response(response, "POST intake:new")
        if response.status_code == 302:
            link = IntakeLink.objects.order_by("-pk").first()
            IntakeLink.objects.filter(pk=link.pk).update(
                draft={**link.draft, **_valid_drafts(identity=True, skip="contact", steps=LINK_STEPS[1:])}
                | {"_done": LINK_STEPS}
            )
            link.refresh_from_db()
            intake = intake_services.intake_submit(link=link)
            page = staff.get(reverse("intake:match_queue"))
            assert_safe_response(page, "match queue")
            expected = {p for name, p in drawn.injected.items() if name in ("first_name", "last_name")}
            assert_shown_escaped(page.content, expected, "match queue")
            created = staff.post(reverse("intake:match_create_client", args=[intake.pk]))
            assert_safe_response(created, "create client from the submission")


@FUZZ
@given(data=st.data())
def test_fuzz_identity_check(client, world, data):
    """The link's front door: last name and date of birth."""
    a = world.a.client
    drawn = data.draw(form_data({"last_name": a.last_name, "date_of_birth": a.date_of_birth.isoformat()}))
    with rolled_back():
        response = client.post(reverse("intake:open", args=[world.a.link_token]), drawn.data)
        assert_safe_response(response, "POST intake:open")


# --- Intake: staff -------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_fuzz_consent_text(as_manager, data):
    http = as_manager
    current = ConsentText.objects.current()
    drawn = data.draw(form_data({"text": current.text[:200]}))
    with rolled_back():
        check(http, reverse("intake:consent"), drawn, shown={"text"})


@FUZZ
@given(data=st.data())
def test_fuzz_intake_accept(as_therapist, world, data):
    http = as_therapist
    intake = world.a.awaiting_intake
    Intake.objects.filter(pk=intake.pk).update(contact={"phone": "555 010 7777", "email": "new.address@example.com"})
    drawn = data.draw(form_data({"update_fields": ["phone", "email"]}))
    with rolled_back():
        check(http, reverse("intake:accept", args=[intake.pk]), drawn)


# --- Clinical records ------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_fuzz_session_note(as_therapist, world, data):
    http = as_therapist
    note = world.a.draft_note
    url = reverse("visits:note_edit", args=[note.client_id, note.pk])
    baseline = {**note_form_data(note), "then": "save"}
    drawn = data.draw(form_data({k: v if isinstance(v, list) else str(v) for k, v in baseline.items()}))
    with rolled_back():
        check(
            http,
            url,
            drawn,
            shown=set(NOTE_TEXT_FIELDS),
            pages=lambda r: [reverse("visits:note_detail", args=[note.client_id, note.pk])],
        )


@FUZZ
@given(data=st.data())
def test_fuzz_addendum(as_therapist, world, data):
    http = as_therapist
    note = world.a.signed_note
    drawn = data.draw(form_data({"reason": "Correction", "text": "Left shoulder, not right."}))
    with rolled_back():
        check(http, reverse("visits:addendum_new", args=[note.client_id, note.pk]), drawn, shown={"reason", "text"})


PLAN_BASELINE = {
    "starts_on": "2025-01-06",
    "goals": "Turn the head without pain",
    "focus_regions": ["neck_back", "shoulder"],
    "visit_interval_days": "14",
    "planned_visits": "6",
    "reassess_on": "2025-03-03",
    "home_care": "Chin tucks",
}


@FUZZ
@given(data=st.data())
def test_fuzz_treatment_plan(as_therapist, world, data):
    http = as_therapist
    client_pk = world.a.client.pk

    def pages(response):
        plan = TreatmentPlan.objects.filter(client_id=client_pk).order_by("-pk").first()
        return [response["Location"], reverse("visits:plan_detail", args=[client_pk, plan.pk])]

    drawn = data.draw(form_data(PLAN_BASELINE))
    with rolled_back():
        check(http, reverse("visits:plan_new", args=[client_pk]), drawn, shown={"goals", "home_care"}, pages=pages)


ASSESSMENT_BASELINE = assessment_form_data(
    rom=[{"movement": "cervical_rotation", "side": "left", "result": "limited", "degrees": "60"}],
    palpation=[{"region": "neck_back", "side": "left", "tension": "moderate"}],
    special=[{"name": "Spurling", "side": "right", "positive": "yes"}],
)


@pytest.mark.parametrize("with_note", [False, True], ids=["alone", "from a draft note"])
@FUZZ
@given(data=st.data())
def test_fuzz_assessment(as_therapist, world, with_note, data):
    """The assessment and its three tables (formsets), whose management forms are fuzzed too."""
    http = as_therapist
    client_pk = world.a.client.pk
    url = reverse("visits:assessment_new", args=[client_pk])
    if with_note:
        url += f"?note={world.a.draft_note.pk}"

    def pages(response):
        assessment = Assessment.objects.filter(client_id=client_pk).order_by("-pk").first()
        return [reverse("visits:assessment_detail", args=[client_pk, assessment.pk])]

    drawn = data.draw(form_data({k: v if isinstance(v, list) else str(v) for k, v in ASSESSMENT_BASELINE.items()}))
    with rolled_back():
        check(http, url, drawn, shown={"gait_notes", "summary", "special-0-name"}, pages=pages)


# --- The schedule ----------------------------------------------------------------------------------


def _future_day(days: int = 20) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@FUZZ
@given(data=st.data())
def test_fuzz_booking(as_front_desk, world, data):
    http = as_front_desk
    baseline = {
        "client": str(world.a.client.pk),
        "therapist": str(world.therapist.pk),
        "service": str(world.service.pk),
        "date": _future_day(),
        "time": "10:00",
        "desk_notes": "Prefers mornings",
        "outside_hours_ok": "on",
    }

    def pages(response):
        appointment = Appointment.objects.order_by("-pk").first()
        return [response["Location"], reverse("scheduling:appointment_detail", args=[appointment.pk])]

    drawn = data.draw(form_data(baseline))
    with rolled_back():
        check(http, reverse("scheduling:book"), drawn, shown={"desk_notes"}, pages=pages)


@FUZZ
@given(data=st.data())
def test_fuzz_reschedule(as_front_desk, world, data):
    http = as_front_desk
    appointment = world.a.appointment
    baseline = {
        "therapist": str(world.therapist.pk),
        "date": _future_day(30),
        "time": "11:00",
        "outside_hours_ok": "on",
    }
    drawn = data.draw(form_data(baseline))
    with rolled_back():
        check(http, reverse("scheduling:appointment_reschedule", args=[appointment.pk]), drawn)


@FUZZ
@given(data=st.data())
def test_fuzz_cancel(as_front_desk, world, data):
    http = as_front_desk
    appointment = world.a.appointment
    drawn = data.draw(form_data({"reason": "Client is ill"}))
    with rolled_back():
        check(http, reverse("scheduling:appointment_cancel", args=[appointment.pk]), drawn, shown={"reason"})


SERVICE_BASELINE = {"name": "Hot stone", "duration_minutes": "60", "fee": "95.00", "active": "on", "position": "10"}


@FUZZ
@given(data=st.data())
def test_fuzz_service_create(as_manager, data):
    http = as_manager
    drawn = data.draw(form_data(SERVICE_BASELINE))
    with rolled_back():
        check(http, reverse("scheduling:services"), drawn, shown={"name"})


@FUZZ
@given(data=st.data())
def test_fuzz_service_edit(as_manager, world, data):
    http = as_manager
    drawn = data.draw(form_data(SERVICE_BASELINE))
    with rolled_back():
        check(http, reverse("scheduling:service_edit", args=[world.service.pk]), drawn, shown={"name"})


# --- Dates at the edges of the calendar, in every known dated form ----------------------------------


def _note_data(w, **overrides) -> dict:
    data = {**note_form_data(w.a.draft_note, **overrides), "then": "save"}
    return {k: v if isinstance(v, list) else str(v) for k, v in data.items()}


def _chart_pages(w):
    client_pk = w.a.client.pk
    return lambda response: [
        response["Location"],
        reverse("visits:chart", args=[client_pk]),
        reverse("visits:progress", args=[client_pk]),
        reverse("scheduling:recalls"),
    ]


# Who posts, where, the valid submission, its date fields, and the pages that show what was stored
# (None: where the post redirects to).
DATED_FORMS = {
    "client create": (
        "as_front_desk",
        lambda w: reverse("clients:new"),
        lambda w: {**CLIENT_BASELINE, "confirm_new": "1"},
        ["date_of_birth"],
        None,
    ),
    "client edit": (
        "as_front_desk",
        lambda w: reverse("clients:edit", args=[w.a.client.pk]),
        lambda w: CLIENT_BASELINE,
        ["date_of_birth"],
        None,
    ),
    "session note, next visit on a date": (
        "as_therapist",
        lambda w: reverse("visits:note_edit", args=[w.a.client.pk, w.a.draft_note.pk]),
        lambda w: _note_data(w, next_visit_date=_future_day(), next_visit_interval_days=""),
        ["visit_date", "next_visit_date"],
        _chart_pages,
    ),
    "session note, next visit in days": (
        "as_therapist",
        lambda w: reverse("visits:note_edit", args=[w.a.client.pk, w.a.draft_note.pk]),
        lambda w: _note_data(w, next_visit_date="", next_visit_interval_days="28"),
        ["visit_date"],
        _chart_pages,
    ),
    "treatment plan": (
        "as_therapist",
        lambda w: reverse("visits:plan_new", args=[w.a.client.pk]),
        lambda w: PLAN_BASELINE,
        ["starts_on", "reassess_on"],
        _chart_pages,
    ),
    "assessment": (
        "as_therapist",
        lambda w: reverse("visits:assessment_new", args=[w.a.client.pk]),
        lambda w: {k: v if isinstance(v, list) else str(v) for k, v in ASSESSMENT_BASELINE.items()},
        ["assessed_on"],
        _chart_pages,
    ),
    "booking": (
        "as_front_desk",
        lambda w: reverse("scheduling:book"),
        lambda w: {
            "client": str(w.a.client.pk),
            "therapist": str(w.therapist.pk),
            "service": str(w.service.pk),
            "date": _future_day(),
            "time": "23:45",
            "outside_hours_ok": "on",
        },
        ["date"],
        None,
    ),
    "reschedule": (
        "as_front_desk",
        lambda w: reverse("scheduling:appointment_reschedule", args=[w.a.appointment.pk]),
        lambda w: {
            "therapist": str(w.therapist.pk),
            "date": _future_day(30),
            "time": "23:45",
            "outside_hours_ok": "on",
        },
        ["date"],
        None,
    ),
    "identity check": (
        "client",
        lambda w: reverse("intake:open", args=[w.a.link_token]),
        lambda w: {"last_name": w.a.client.last_name, "date_of_birth": w.a.client.date_of_birth.isoformat()},
        ["date_of_birth"],
        None,
    ),
    "website's new-client form": (
        "client",
        lambda w: reverse("intake:new"),
        lambda w: step_data("contact", identity=True),
        ["date_of_birth"],
        None,
    ),
}


@pytest.mark.parametrize("day", EDGE_DATES)
@pytest.mark.parametrize("form", list(DATED_FORMS))
def test_every_date_field_takes_the_edges_of_the_calendar(request, world, form, day):
    """Each date field of each known form, given each of EDGE_DATES (the rest valid): refused or
    stored, and then every page showing it still opens; never a server error."""
    role, url, baseline, date_fields, pages = DATED_FORMS[form]
    http = request.getfixturevalue(role)
    for name in date_fields:
        with rolled_back():
            response = http.post(url(world), {**baseline(world), name: day})
            assert_safe_response(response, f"POST {form} with {name}={day}")
            if response.status_code == 302:
                for page in pages(world)(response) if pages else [response["Location"]]:
                    assert_safe_response(http.get(page), f"GET {page} after {form} with {name}={day}")


# --- Accounts ------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_fuzz_idle_stash(as_therapist, data):
    """What idle.js posts just before an idle sign-out: a page's typed values, as JSON."""
    baseline = {"path": "/clients/new/", "values": '[["first_name", "Ana"]]', "names": '["first_name"]'}
    drawn = data.draw(form_data(baseline))
    with rolled_back():
        response = as_therapist.post(reverse("accounts:stash"), drawn.data)
        assert_safe_response(response, "POST accounts:stash")
        if response.status_code == 201:
            restored = as_therapist.get(reverse("accounts:stash"), {"path": drawn.data.get("path", "")})
            assert_safe_response(restored, "GET accounts:stash")


@FUZZ
@given(data=st.data())
def test_fuzz_sign_in(therapist, data):
    from django.test import Client as HttpClient

    drawn = data.draw(form_data({"username": therapist.username, "password": PASSWORD}))
    with rolled_back():
        response = HttpClient().post(reverse("login"), drawn.data)
        assert_safe_response(response, "POST login")


@FUZZ
@given(data=st.data())
def test_fuzz_password_change(as_therapist, data):
    http = as_therapist
    new = "a-much-longer-passphrase-2026"
    drawn = data.draw(form_data({"old_password": PASSWORD, "new_password1": new, "new_password2": new}))
    with rolled_back():
        check(http, reverse("password_change"), drawn)


# --- Every free-text field at once: stored, then shown escaped ---------------------------------------


def _payload(index: int) -> str:
    """A payload per field, so each field's own value is looked for on the page."""
    return f'"><img src=x onerror=alert({index})>'


def _all_injected(baseline: dict, fields) -> Drawn:
    data, injected = {**baseline}, {}
    for index, name in enumerate(sorted(fields)):
        injected[name] = _payload(index)
        data[name] = f"{baseline[name]} {injected[name]}".strip()
    return Drawn(data, injected)


def _latest(model, **filters):
    return model.objects.filter(**filters).order_by("-pk").first()


STORED_TEXT = {
    "client": (
        "as_front_desk",
        lambda w: reverse("clients:new"),
        lambda w: {**CLIENT_BASELINE, "confirm_new": "1"},
        CLIENT_SHOWN | {"emergency_contact_relationship"},
        None,
    ),
    "session note": (
        "as_therapist",
        lambda w: reverse("visits:note_edit", args=[w.a.client.pk, w.a.draft_note.pk]),
        lambda w: {k: v if isinstance(v, list) else str(v) for k, v in note_form_data(w.a.draft_note).items()},
        set(NOTE_TEXT_FIELDS),
        lambda w: [
            reverse("visits:note_detail", args=[w.a.client.pk, w.a.draft_note.pk]),
            reverse("visits:note_print", args=[w.a.client.pk, w.a.draft_note.pk]),
        ],
    ),
    "addendum": (
        "as_therapist",
        lambda w: reverse("visits:addendum_new", args=[w.a.client.pk, w.a.signed_note.pk]),
        lambda w: {"reason": "Correction", "text": "Left shoulder"},
        {"reason", "text"},
        lambda w: [
            reverse("visits:note_detail", args=[w.a.client.pk, w.a.signed_note.pk]),
            reverse("visits:note_print", args=[w.a.client.pk, w.a.signed_note.pk]),
        ],
    ),
    "treatment plan": (
        "as_therapist",
        lambda w: reverse("visits:plan_new", args=[w.a.client.pk]),
        lambda w: PLAN_BASELINE,
        {"goals", "home_care"},
        lambda w: [
            reverse("visits:chart", args=[w.a.client.pk]),
            reverse("visits:plan_detail", args=[w.a.client.pk, _latest(TreatmentPlan, client=w.a.client).pk]),
        ],
    ),
    "assessment": (
        "as_therapist",
        lambda w: reverse("visits:assessment_new", args=[w.a.client.pk]),
        lambda w: {k: v if isinstance(v, list) else str(v) for k, v in ASSESSMENT_BASELINE.items()},
        {"gait_notes", "summary", "posture_other", "special-0-name"},
        lambda w: [
            reverse("visits:assessment_detail", args=[w.a.client.pk, _latest(Assessment, client=w.a.client).pk])
        ],
    ),
    "booking": (
        "as_front_desk",
        lambda w: reverse("scheduling:book"),
        lambda w: {
            "client": str(w.a.client.pk),
            "therapist": str(w.therapist.pk),
            "service": str(w.service.pk),
            "date": _future_day(),
            "time": "10:00",
            "desk_notes": "Prefers mornings",
            "outside_hours_ok": "on",
        },
        {"desk_notes"},
        lambda w: [reverse("scheduling:appointment_detail", args=[_latest(Appointment).pk])],
    ),
    "cancellation": (
        "as_front_desk",
        lambda w: reverse("scheduling:appointment_cancel", args=[w.a.appointment.pk]),
        lambda w: {"reason": "Client is ill"},
        {"reason"},
        None,
    ),
    "service": ("as_manager", lambda w: reverse("scheduling:services"), lambda w: SERVICE_BASELINE, {"name"}, None),
    "consent text": (
        "as_manager",
        lambda w: reverse("intake:consent"),
        lambda w: {"text": "I agree to treatment."},
        {"text"},
        None,
    ),
}


@pytest.mark.parametrize("form", list(STORED_TEXT))
def test_markup_in_every_text_field_is_stored_and_shown_escaped(request, world, form):
    role, url, baseline, shown, pages = STORED_TEXT[form]
    http = request.getfixturevalue(role)
    base = baseline(world)
    drawn = _all_injected(base, [name for name in shown if name in base])
    response = http.post(url(world), drawn.data)
    assert response.status_code == 302, response.content.decode()[:3000]
    urls = pages(world) if pages else [response["Location"]]
    html = b"".join(http.get(page).content for page in urls)
    for name, payload in drawn.injected.items():
        assert escape(payload).encode() in html, f"{form}: {name} is not shown escaped on {urls}"
    for marker in RAW_MARKERS:
        assert marker not in html, f"{form}: unescaped markup on {urls}"


@pytest.mark.parametrize("purpose", [IntakeLink.Purpose.LINK, IntakeLink.Purpose.PUBLIC])
def test_markup_in_every_intake_answer_is_shown_escaped_to_staff(client, as_manager, world, purpose):
    """What a client types on the public form is read by staff: every answer shows escaped."""
    identity = purpose == IntakeLink.Purpose.PUBLIC
    injected, index = {}, 0
    if purpose == IntakeLink.Purpose.LINK:
        token = world.a.link_token
        assert verify_identity(client, token, world.a.client).status_code == 302
        steps = LINK_STEPS
    else:
        contact = step_data("contact", identity=True)
        for name in ("first_name", "last_name"):
            injected[name] = _payload(index := index + 1)
            contact[name] = f"{contact[name]} {injected[name]}"
        response = client.post(reverse("intake:new"), contact)
        assert response.status_code == 302, response.content.decode()[:2000]
        token = response["Location"].split("/")[3]
        steps = LINK_STEPS[1:]
    for step in steps:
        data = {**step_data(step, identity=identity), "go": "next"}
        for name in sorted(STEP_SHOWN[step]):
            injected[name] = _payload(index := index + 1)
            data[name] = f"{data.get(name, '')} {injected[name]}".strip()
        if step == "health":
            data |= {"event_0_kind": "injury", "event_0_year": "2016"}
        response = client.post(reverse("intake:step", args=[token, step]), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    intake = Intake.objects.order_by("-pk").first()
    pages = []
    if intake.status == Intake.Status.UNMATCHED:
        pages.append(reverse("intake:match_queue"))
        intake_services.unmatched_attach(intake=intake, client=world.b.client, by=None)
    pages.append(reverse("intake:detail", args=[intake.pk]))
    html = b"".join(as_manager.get(page).content for page in pages)
    for name, payload in injected.items():
        assert escape(payload).encode() in html, f"{name} is not shown escaped on {pages}"
    for marker in RAW_MARKERS:
        assert marker not in html
