"""Right-of-access export: one client's complete record as JSON and PDF, for clinicians only."""

import json
import os
import re
import urllib.request
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import THERAPIST
from audit.export import FORMAT, FORMAT_VERSION, html_to_pdf, record_as_html, record_as_json
from audit.models import AccessLog
from audit.record import client_record as select_record
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from intake.tests.factories import IntakeFactory
from scheduling.models import Appointment, Service
from sessions.tests.factories import (
    AssessmentFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    add_addendum,
    signed_note,
)

# A 1x1 PNG, as the signature pad stores it.
SIGNATURE = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
# What only the other client's records say: none of it may appear in this client's export.
OTHER_SECRETS = ["Thaddeus", "Okonkwo", "Sciatica down the right leg", "Rugby tackle"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def weasyprint_ready():
    """WeasyPrint with Pango, or a skip (a failure in CI) saying what to install."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        message = (
            "PDF export tests need Pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core "
            f"({exc})"
        )
        if _in_ci():
            pytest.fail(f"{message} (CI is set, so these tests may not skip)", pytrace=False)
        pytest.skip(message)


@pytest.fixture
def client_record(db):
    return ClientFactory(
        first_name="Zoë",
        last_name="Müller-Ortega",
        preferred_name="Zo",
        date_of_birth=date(1979, 11, 23),
        address="3 Rue de l'Église",
        emergency_contact_name="Jürgen Müller",
    )


@pytest.fixture
def service(db):
    return Service.objects.create(name="Deep tissue 60", duration_minutes=60, fee=Decimal("85.00"))


def _appointment(client, therapist, service, *, days: int, note=None) -> Appointment:
    starts = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return Appointment.objects.create(
        client=client,
        therapist=therapist,
        service=service,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=60),
        fee=service.fee,
        note=note,
    )


def _history(client, therapist, service, *, complaint="Stiff neck after long days at the desk", event="Fell", n=0):
    """An intake, an assessment, a plan, a signed note with an addendum, a draft and appointments.

    Call again with another `n` for more of the same (earlier plans completed, visits on other days).
    """
    intake = IntakeFactory(
        client=client,
        main_complaint=complaint,
        areas=[("neck_back", "both", 6), ("shoulder", "left", 4)],
        events=[("injury", 2019, event)],
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": "Warfarin"},
        signature_drawing=SIGNATURE,
    )
    assessment = AssessmentFactory(
        client=client,
        therapist=therapist,
        rom=[("cervical_rotation", "left", "limited", 60)],
        palpation=[("shoulder", "right")],
        special=[("Spurling", "left", False)],
    )
    plan = TreatmentPlanFactory(client=client, therapist=therapist, status="completed" if n else "active")
    note = signed_note(client=client, therapist=therapist, visit_date=date(2025, 3, 4))
    addendum = add_addendum(note, reason="Side", text="The left side, not the right.")
    draft = SessionNoteFactory(client=client, therapist=therapist, tissue_response="Draft observation")
    visits = [
        _appointment(client, therapist, service, days=-30 - n, note=note),
        _appointment(client, therapist, service, days=14 + n),
    ]
    return {
        "intake": intake,
        "assessment": assessment,
        "plan": plan,
        "note": note,
        "addendum": addendum,
        "draft": draft,
        "visits": visits,
    }


@pytest.fixture
def history(client_record, therapist, service):
    return _history(client_record, therapist, service)


@pytest.fixture
def other_history(db, other_therapist_for_export, service):
    other = ClientFactory(first_name="Thaddeus", last_name="Okonkwo")
    return other, _history(
        other, other_therapist_for_export, service, complaint="Sciatica down the right leg", event="Rugby tackle"
    )


@pytest.fixture
def other_therapist_for_export(db):
    return UserFactory(role=THERAPIST, username="thera-other")


def test_therapist_exports_the_complete_record_as_json(client, therapist, client_record, history):
    client.force_login(therapist)

    response = client.get(reverse("clients:export_json", args=[client_record.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="client-{client_record.pk}-record-{today}.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == FORMAT and data["format_version"] == FORMAT_VERSION
    assert data["exported_by"] == {"id": therapist.pk, "name": str(therapist)}
    assert data["client"]["id"] == client_record.pk
    assert data["client"]["last_name"] == "Müller-Ortega"
    assert data["client"]["date_of_birth"] == "1979-11-23"
    assert data["client"]["emergency_contact"]["name"] == "Jürgen Müller"

    [intake] = data["intakes"]
    assert intake["main_complaint"] == "Stiff neck after long days at the desk"
    assert [(a["region"], a["side"], a["pain"]) for a in intake["areas"]] == [
        ("neck_back", "both", 6),
        ("shoulder", "left", 4),
    ]
    assert intake["history_events"] == [{"kind": "injury", "year": 2019, "description": "Fell"}]
    assert intake["cautions"] == ["blood_thinners"] and intake["caution_details"] == {"blood_thinners": "Warfarin"}
    assert intake["consent"]["version"] == history["intake"].consent.version
    assert intake["consent"]["signature_name"] == history["intake"].signature_name
    assert intake["consent"]["signature_drawing"] == SIGNATURE
    assert {"section": "Health history", "label": "Taking blood thinners", "value": "Yes: Warfarin"} in intake[
        "answers"
    ]

    [assessment] = data["assessments"]
    assert assessment["range_of_motion"] == [
        {
            "movement": "cervical_rotation",
            "label": "Cervical rotation",
            "side": "left",
            "result": "limited",
            "degrees": 60,
        }
    ]
    assert assessment["palpation"][0]["region"] == "shoulder"
    assert assessment["special_tests"] == [{"name": "Spurling", "side": "left", "positive": False}]

    [plan] = data["treatment_plans"]
    assert plan["goals"] == history["plan"].goals and plan["status"] == "active"

    signed, draft = data["session_notes"]
    note = history["note"]
    assert signed["visit_date"] == "2025-03-04"
    assert signed["status"] == "signed"
    assert signed["signature"]["content_hash"] == note.content_hash
    assert signed["signature"]["hash_matches"] is True
    assert signed["signature"]["signed_by"]["id"] == therapist.pk
    assert signed["signature"]["signed_at"] == note.signed_at.isoformat()
    assert [a["region"] for a in signed["areas"]] == ["neck_back"]
    assert signed["addenda"][0]["text"] == "The left side, not the right."
    assert draft["status"] == "draft" and draft["signature"] is None
    assert draft["tissue_response"] == "Draft observation"

    past, future = data["appointments"]
    assert past["session_note_id"] == note.pk and past["fee"] == "85.00"
    assert future["service"]["name"] == "Deep tissue 60"

    log = AccessLog.objects.get()
    assert (log.user, log.client_id, log.page, log.kind, log.allowed) == (
        therapist,
        client_record.pk,
        "clients:export_json",
        AccessLog.Kind.EXPORT,
        True,
    )


def test_export_holds_nothing_of_another_client(client_record, history, other_history, manager):
    record = select_record(client_record.pk)

    data = record_as_json(record, exported_by=manager)
    as_json = json.dumps(data, ensure_ascii=False)
    as_html = record_as_html(record, exported_by=manager)

    for secret in OTHER_SECRETS:
        assert secret not in as_json
        assert secret not in as_html
    assert "Müller-Ortega" in as_json and "Müller-Ortega" in as_html
    assert [i["id"] for i in data["intakes"]] == [history["intake"].pk]
    assert [a["id"] for a in data["assessments"]] == [history["assessment"].pk]
    assert [p["id"] for p in data["treatment_plans"]] == [history["plan"].pk]
    assert [n["id"] for n in data["session_notes"]] == [history["note"].pk, history["draft"].pk]
    assert [a["id"] for a in data["appointments"]] == [v.pk for v in history["visits"]]


def test_client_record_takes_a_fixed_number_of_queries(client_record, therapist, service, django_assert_num_queries):
    _history(client_record, therapist, service)
    with django_assert_num_queries(14):
        small = select_record(client_record.pk)
    for n in range(1, 4):
        _history(client_record, therapist, service, n=n)
    with django_assert_num_queries(14):
        large = select_record(client_record.pk)
    with django_assert_num_queries(0):  # rendering uses only what the selector loaded
        record_as_json(large)
        record_as_html(large)
    assert len(small.notes) == 2 and len(large.notes) == 8


@pytest.mark.parametrize("name", ["clients:export_pdf", "clients:export_json"])
@pytest.mark.parametrize("persona", ["front_desk", "no_role_user"])
def test_staff_without_clinical_access_cannot_export(request, client, client_record, history, name, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse(name, args=[client_record.pk]))

    assert response.status_code == 403
    assert b"Stiff neck" not in response.content
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, allowed=True).exists()


@pytest.mark.parametrize("name", ["clients:export_pdf", "clients:export_json"])
def test_signed_out_visitor_is_sent_to_sign_in(client, client_record, name):
    response = client.get(reverse(name, args=[client_record.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["clients:export_pdf", "clients:export_json"])
def test_export_of_an_unknown_client_is_404(client, therapist, name):
    client.force_login(therapist)

    assert client.get(reverse(name, args=[987654])).status_code == 404
    assert not AccessLog.objects.exists()


def test_manager_exports_the_record_as_pdf(weasyprint_ready, client, manager, client_record, history):
    client.force_login(manager)

    response = client.get(reverse("clients:export_pdf", args=[client_record.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="client-{client_record.pk}-record-\d{{4}}-\d\d-\d\d\.pdf"', disposition)
    assert "no-store" in response["Cache-Control"]
    log = AccessLog.objects.get()
    assert (log.user, log.client_id, log.page, log.kind) == (
        manager,
        client_record.pk,
        "clients:export_pdf",
        AccessLog.Kind.EXPORT,
    )


def test_pdf_shows_profile_intake_assessment_plan_notes_addenda_and_signatures(client_record, history, therapist):
    html = record_as_html(select_record(client_record.pk), exported_by=therapist)

    note = history["note"]
    assert "Client record: Zoë Müller-Ortega" in html
    assert "3 Rue de l&#x27;Église" in html
    assert "Stiff neck after long days at the desk" in html  # intake
    assert f"Consent (version {history['intake'].consent.version})" in html
    assert f'src="{SIGNATURE}"' in html
    assert "Cervical rotation" in html and "Spurling" in html  # assessment
    assert history["plan"].goals in html
    assert note.content_hash in html and "the content matches its signature and seal" in html
    assert "The left side, not the right." in html  # addendum
    assert "Draft: not signed." in html
    assert "Deep tissue 60" in html  # appointments


def test_pdf_rendering_fetches_nothing_but_data_urls(weasyprint_ready, monkeypatch):
    opened = []
    real_open = urllib.request.OpenerDirector.open

    def spy(self, request, *args, **kwargs):
        url = request if isinstance(request, str) else request.full_url
        opened.append(url)
        return real_open(self, request, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        f'<img src="{SIGNATURE}"><p>Zoë</p>'
    )

    pdf = html_to_pdf(html)

    assert pdf.startswith(b"%PDF-")
    assert all(url.startswith("data:") for url in opened), opened


def test_profile_offers_export_to_clinicians_only(client, therapist, front_desk, client_record):
    url = reverse("clients:detail", args=[client_record.pk])
    export_pdf = reverse("clients:export_pdf", args=[client_record.pk])
    export_json = reverse("clients:export_json", args=[client_record.pk])

    client.force_login(therapist)
    page = client.get(url).content.decode()
    assert export_pdf in page and export_json in page

    client.force_login(front_desk)
    page = client.get(url).content.decode()
    assert export_pdf not in page and export_json not in page
