"""An intake's answers as labelled text, for reading, printing and comparing versions."""

from dataclasses import dataclass

from bodymap.regions import region_label
from intake.models import Intake
from intake.vocabulary import Allergy, Caution

CONTACT_LABELS = {
    "first_name": "Legal first name",
    "last_name": "Legal last name",
    "date_of_birth": "Date of birth",
    "preferred_name": "Preferred name",
    "pronouns": "Pronouns",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "emergency_contact_name": "Emergency contact",
    "emergency_contact_relationship": "Emergency contact relationship",
    "emergency_contact_phone": "Emergency contact phone",
}


@dataclass(frozen=True)
class Answer:
    section: str
    label: str
    value: str


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def answers(intake: Intake) -> list[Answer]:
    """Every answer of the intake, in the order of the form. Uses prefetched areas and events."""
    allergy_labels = dict(Allergy.choices)
    rows: list[Answer] = []

    def add(section, label, value):
        rows.append(Answer(section, label, value if value not in (None, "") else "—"))

    section = "Reason for visit"
    add(section, "What brings them in", intake.main_complaint)
    add(section, "How long", intake.get_duration_display())
    add(section, "How it started", intake.onset)
    add(section, "Better with", intake.better)
    add(section, "Worse with", intake.worse)
    areas = sorted(intake.areas.all(), key=lambda a: a.region)
    add(section, "Areas of concern", "; ".join(f"{a.label}: pain {a.pain}/10" for a in areas) or "None marked")

    section = "Health history"
    events = list(intake.history_events.all())
    add(section, "Injuries, surgeries, accidents", "; ".join(str(e) for e in events) or "None")
    add(section, "Medical conditions", intake.medical_conditions)
    add(section, "Medications", intake.medications)
    allergies = [allergy_labels.get(code, code) for code in intake.allergies]
    if intake.allergies_other:
        allergies.append(intake.allergies_other)
    add(section, "Allergies", ", ".join(allergies) or "None")
    for code, label in Caution.choices:
        answer = "Yes" if code in intake.cautions else "No"
        details = intake.caution_details.get(code, "")
        add(section, label, f"{answer}: {details}" if details else answer)

    section = "Lifestyle"
    add(section, "Occupation", intake.occupation)
    add(section, "Work and daily posture", intake.get_work_posture_display())
    add(section, "Activity level", intake.get_activity_level_display())
    add(section, "Sports and activities", intake.sports)
    add(section, "Sleep quality (1–5)", str(intake.sleep_quality))
    add(section, "Stress level (0–10)", str(intake.stress_level))

    section = "Goals and preferences"
    add(section, "Goals", intake.goals)
    add(section, "Pressure preference", intake.get_pressure_display() or "No preference")
    not_work = [region_label(code) for code in intake.do_not_work]
    if intake.do_not_work_other:
        not_work.append(intake.do_not_work_other)
    add(section, "Do not work on", ", ".join(not_work) or "No restrictions")
    add(section, "Draping", intake.draping)

    section = "Consent"
    for label, given in intake.sensitive_consents():
        add(section, f"Consents to work on {label.lower()}", _yes_no(given))
    return rows


@dataclass(frozen=True)
class Change:
    section: str
    label: str
    before: str
    after: str


def changes(previous: Intake | None, current: Intake) -> list[Change]:
    """Answers that differ between two versions (every answer when there is no previous one)."""
    after = answers(current)
    if previous is None:
        return []
    before = {(a.section, a.label): a.value for a in answers(previous)}
    return [
        Change(a.section, a.label, before.get((a.section, a.label), "—"), a.value)
        for a in after
        if before.get((a.section, a.label), "—") != a.value
    ]


def contact_changes(intake: Intake) -> list[tuple[str, str, str, str]]:
    """(field, label, on profile, given now) for contact details that differ from the profile."""
    client = intake.client
    if client is None:
        return []
    rows = []
    for field, label in CONTACT_LABELS.items():
        if field not in intake.contact:
            continue
        current = getattr(client, field)
        current_text = current.isoformat() if hasattr(current, "isoformat") else (current or "")
        given = intake.contact[field] or ""
        if given and given != current_text:
            rows.append((field, label, current_text, given))
    return rows
