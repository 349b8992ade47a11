"""A client's complete record for the right of access: JSON (machine-readable) and PDF.

The JSON structure is documented in docs/export-format.md; change FORMAT_VERSION when a
field changes meaning or goes away (adding fields keeps the version). The PDF is the same
record rendered by WeasyPrint from templates/audit/record_export.html with its own
stylesheet (static/css/record_export.css) read from disk: it fetches nothing over the
network.
"""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils import timezone

from audit.record import ClientRecord
from intake.answers import answers
from sessions.vocabulary import Movement

FORMAT = "clinic-client-record"
FORMAT_VERSION = 1
PDF_TEMPLATE = "audit/record_export.html"
PDF_STYLESHEET = "css/record_export.css"
# The signature pad stores a PNG data URL; anything else is not drawn in the PDF.
SIGNATURE_PREFIX = "data:image/png;base64,"


def export_filename(client_pk: int, extension: str, on: date | None = None) -> str:
    """client-42-record-2026-05-01.pdf: the client's number and the date, never a name."""
    on = on or timezone.localdate()
    return f"client-{int(client_pk)}-record-{on.isoformat()}.{extension}"


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _staff(user) -> dict | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _money(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def record_as_json(record: ClientRecord, *, exported_by=None, exported_at: datetime | None = None) -> dict:
    """The record as plain JSON data: ISO 8601 dates, codes for choices, stable keys."""
    client = record.client
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(exported_at or timezone.now()),
        "exported_by": _staff(exported_by),
        "clinic": {"name": settings.CLINIC_NAME, "address": settings.CLINIC_ADDRESS, "phone": settings.CLINIC_PHONE},
        "client": {
            "id": client.pk,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "preferred_name": client.preferred_name,
            "pronouns": client.pronouns,
            "date_of_birth": _iso(client.date_of_birth),
            "phone": client.phone,
            "email": client.email,
            "address": client.address,
            "emergency_contact": {
                "name": client.emergency_contact_name,
                "relationship": client.emergency_contact_relationship,
                "phone": client.emergency_contact_phone,
            },
            "preferred_pressure": client.preferred_pressure,
            "referral_source": client.referral_source,
            "desk_notes": client.desk_notes,
            "status": client.status,
            "created_at": _iso(client.created_at),
            "created_by": _staff(client.created_by),
            "updated_at": _iso(client.updated_at),
            "updated_by": _staff(client.updated_by),
        },
        "intakes": [_intake(intake) for intake in record.intakes],
        "assessments": [_assessment(assessment) for assessment in record.assessments],
        "treatment_plans": [_plan(plan) for plan in record.plans],
        "session_notes": [_note(note) for note in record.notes],
        "appointments": [_appointment(appointment) for appointment in record.appointments],
        "imported_notes": [_imported_note(note) for note in record.imported_notes],
    }


def _intake(intake) -> dict:
    return {
        "id": intake.pk,
        "status": intake.status,
        "submitted_at": _iso(intake.submitted_at),
        "entered_by": _staff(intake.entered_by),
        "reviewed_at": _iso(intake.reviewed_at),
        "reviewed_by": _staff(intake.reviewed_by),
        "contact": dict(intake.contact),
        "main_complaint": intake.main_complaint,
        "duration": intake.duration,
        "onset": intake.onset,
        "better": intake.better,
        "worse": intake.worse,
        "areas": [
            {"region": a.region, "side": a.side, "label": a.label, "pain": a.pain}
            for a in sorted(intake.areas.all(), key=lambda a: (a.region, a.pk))
        ],
        "history_events": [
            {"kind": e.kind, "year": e.year, "description": e.description} for e in intake.history_events.all()
        ],
        "medical_conditions": intake.medical_conditions,
        "medications": intake.medications,
        "allergies": list(intake.allergies),
        "allergies_other": intake.allergies_other,
        "cautions": list(intake.cautions),
        "caution_details": dict(intake.caution_details),
        "occupation": intake.occupation,
        "work_posture": intake.work_posture,
        "activity_level": intake.activity_level,
        "sports": intake.sports,
        "sleep_quality": intake.sleep_quality,
        "stress_level": intake.stress_level,
        "goals": intake.goals,
        "pressure": intake.pressure,
        "do_not_work": list(intake.do_not_work),
        "do_not_work_other": intake.do_not_work_other,
        "draping": intake.draping,
        "consent": {
            "version": intake.consent.version,
            "text": intake.consent.text,
            "gluteals": intake.consent_gluteals,
            "chest": intake.consent_chest,
            "inner_thigh": intake.consent_inner_thigh,
            "abdomen": intake.consent_abdomen,
            "signature_name": intake.signature_name,
            "signed_at": _iso(intake.signed_at),
            "signature_drawing": intake.signature_drawing or None,
        },
        "answers": [{"section": a.section, "label": a.label, "value": a.value} for a in answers(intake)],
    }


def _assessment(assessment) -> dict:
    movements = dict(Movement.choices)
    return {
        "id": assessment.pk,
        "assessed_on": _iso(assessment.assessed_on),
        "created_at": _iso(assessment.created_at),
        "therapist": _staff(assessment.therapist),
        "session_note_id": assessment.note_id,
        "posture": list(assessment.posture),
        "posture_other": assessment.posture_other,
        "gait_notes": assessment.gait_notes,
        "summary": assessment.summary,
        "range_of_motion": [
            {
                "movement": t.movement,
                "label": movements.get(t.movement, t.movement),
                "side": t.side,
                "result": t.result,
                "degrees": t.degrees,
            }
            for t in assessment.rom_tests.all()
        ],
        "palpation": [
            {
                "region": f.region,
                "side": f.side,
                "label": f.area,
                "tension": f.tension,
                "tenderness": f.tenderness,
                "texture": f.texture,
                "temperature": f.temperature,
            }
            for f in assessment.palpation_findings.all()
        ],
        "special_tests": [
            {"name": t.name, "side": t.side, "positive": t.positive} for t in assessment.special_tests.all()
        ],
    }


def _plan(plan) -> dict:
    return {
        "id": plan.pk,
        "created_at": _iso(plan.created_at),
        "therapist": _staff(plan.therapist),
        "status": plan.status,
        "completed_at": _iso(plan.completed_at),
        "starts_on": _iso(plan.starts_on),
        "goals": plan.goals,
        "focus_regions": list(plan.focus_regions),
        "visit_interval_days": plan.visit_interval_days,
        "planned_visits": plan.planned_visits,
        "reassess_on": _iso(plan.reassess_on),
        "home_care": plan.home_care,
    }


def _note(note) -> dict:
    signature = None
    if note.is_signed:
        signature = {
            "signed_at": _iso(note.signed_at),
            "signed_by": _staff(note.signed_by),
            "algorithm": "sha256",
            "content_hash": note.content_hash,
            "hash_matches": note.hash_matches(),
            "seal": _seal(note),
        }
    return {
        "id": note.pk,
        "status": "signed" if note.is_signed else "draft",
        "visit_date": _iso(note.visit_date),
        "therapist": _staff(note.therapist),
        "duration_minutes": note.duration_minutes,
        "update_since_last": note.update_since_last,
        "health_changed": note.health_changed,
        "pain_before": note.pain_before,
        "pain_after": note.pain_after,
        "areas": [
            {
                "region": a.region,
                "side": a.side,
                "label": a.label,
                "pain": a.pain,
                "pressure": a.pressure,
                "techniques": list(a.techniques),
            }
            for a in note.areas.all()
        ],
        "techniques": list(note.techniques),
        "pressure": note.pressure,
        "client_feedback": note.client_feedback,
        "tissue_response": note.tissue_response,
        "home_care": {
            "stretches": note.home_care_stretches,
            "strengthening": note.home_care_strengthening,
            "posture": note.home_care_posture,
        },
        "next_visit_date": _iso(note.next_visit_date),
        "next_visit_interval_days": note.next_visit_interval_days,
        "created_at": _iso(note.created_at),
        "updated_at": _iso(note.updated_at),
        "signature": signature,
        "addenda": [
            {
                "id": a.pk,
                "created_at": _iso(a.created_at),
                "author": _staff(a.author),
                "reason": a.reason,
                "text": a.text,
                "seal": _seal(a),
            }
            for a in note.addenda.all()
        ],
    }


def _imported_note(note) -> dict:
    withdrawal = getattr(note, "withdrawal", None)  # None when not withdrawn
    return {
        "id": note.pk,
        "source": note.source,
        "external_id": note.external_id,
        "title": note.title,
        "signed_by": note.author_name,
        "signed_at": _iso(note.signed_at),
        "visit_date": _iso(note.visit_date),
        "content": note.content,
        "content_hash": note.content_hash,
        "replaces_id": note.replaces_id,
        "imported_at": _iso(note.imported_at),
        "withdrawn_at": _iso(withdrawal.withdrawn_at) if withdrawal else None,
        "seal": _seal(note),
    }


def _seal(record) -> dict:
    """Whether the record still matches its seal (sessions/seals.py) at export time."""
    check = record.seal_check()
    return {"intact": check.ok, "problem": check.problem}


def _appointment(appointment) -> dict:
    return {
        "id": appointment.pk,
        "starts_at": _iso(appointment.starts_at),
        "ends_at": _iso(appointment.ends_at),
        "status": appointment.status,
        "service": {
            "id": appointment.service.pk,
            "name": appointment.service.name,
            "duration_minutes": appointment.service.duration_minutes,
        },
        "therapist": _staff(appointment.therapist),
        "fee": _money(appointment.fee),
        "desk_notes": appointment.desk_notes,
        "cancel_reason": appointment.cancel_reason,
        "session_note_id": appointment.note_id,
        "created_at": _iso(appointment.created_at),
    }


# --- PDF ------------------------------------------------------------------------------------


def record_as_html(record: ClientRecord, *, exported_by=None, exported_at: datetime | None = None) -> str:
    """The print template filled in: what the PDF shows, as HTML (also handy in tests)."""
    exported_at = exported_at or timezone.now()
    signatures = {
        intake.pk: intake.signature_drawing
        for intake in record.intakes
        if intake.signature_drawing.startswith(SIGNATURE_PREFIX)
    }
    context = {
        "record": record,
        "client": record.client,
        "intakes": [(intake, answers(intake), signatures.get(intake.pk)) for intake in record.intakes],
        "notes": [(note, note.seal_check() if note.is_signed else None) for note in record.notes],
        "imported_notes": [(note, note.seal_check()) for note in record.imported_notes],
        "exported_at": exported_at,
        "exported_by": exported_by,
        "CLINIC_NAME": settings.CLINIC_NAME,
        "CLINIC_ADDRESS": settings.CLINIC_ADDRESS,
        "CLINIC_PHONE": settings.CLINIC_PHONE,
    }
    return render_to_string(PDF_TEMPLATE, context)


def _stylesheet_path() -> Path:
    found = finders.find(PDF_STYLESHEET)
    if found:
        return Path(found)
    collected = Path(settings.STATIC_ROOT) / PDF_STYLESHEET
    if collected.exists():
        return collected
    raise ImproperlyConfigured(f"The export stylesheet static/{PDF_STYLESHEET} is missing.")


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF with WeasyPrint, fetching nothing but data: URLs (the drawn signatures).

    WeasyPrint is imported here, not at start-up: without Pango on the server the rest of
    the app (the JSON export included) still works.
    """
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # WeasyPrint is installed but Pango is not
        raise ImproperlyConfigured(
            "The PDF export needs Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)"
        ) from exc
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheet = weasyprint.CSS(string=_stylesheet_path().read_text(encoding="utf-8"), url_fetcher=fetcher)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[stylesheet])


def record_as_pdf(record: ClientRecord, *, exported_by=None, exported_at: datetime | None = None) -> bytes:
    return html_to_pdf(record_as_html(record, exported_by=exported_by, exported_at=exported_at))
