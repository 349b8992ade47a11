"""POST data the clinical forms accept, built the way a browser would send them."""

from bodymap.regions import REGIONS
from sessions.models import SessionNote

NOTE_TEXT_FIELDS = (
    "update_since_last",
    "client_feedback",
    "tissue_response",
    "home_care_stretches",
    "home_care_strengthening",
    "home_care_posture",
)


def note_form_data(note: SessionNote, *, areas=None, **overrides) -> dict:
    """The edit form as opened for `note` (its current version), with `overrides` typed in.

    `areas` is a list of (region, side, pain, pressure, techniques); by default the note's own areas.
    """
    data = {
        "version": str(note.version),
        "visit_date": note.visit_date.isoformat(),
        "pain_before": "" if note.pain_before is None else str(note.pain_before),
        "pain_after": "" if note.pain_after is None else str(note.pain_after),
        "techniques": list(note.techniques),
        "pressure": note.pressure,
        "next_visit_date": note.next_visit_date.isoformat() if note.next_visit_date else "",
        "next_visit_interval_days": note.next_visit_interval_days or "",
        "duration_minutes": note.duration_minutes or "",
        **{name: getattr(note, name) for name in NOTE_TEXT_FIELDS},
    }
    if note.health_changed:
        data["health_changed"] = "on"
    if areas is None:
        areas = [(a.region, a.side, a.pain, a.pressure, list(a.techniques)) for a in note.areas.all()]
    for region, side, pain, pressure, techniques in areas:
        prefix = f"area_{region}"
        data |= {
            f"{prefix}_side": side,
            f"{prefix}_pain": "" if pain is None else str(pain),
            f"{prefix}_pressure": pressure,
            f"{prefix}_techniques": list(techniques),
        }
    for region in REGIONS:  # the rest of the list: "Not worked"
        data.setdefault(f"area_{region.code}_side", "")
    data.update(overrides)
    return data


def _formset(prefix: str, rows: list[dict], extra: int, blank: dict) -> dict:
    total = max(len(rows), extra)
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for i in range(total):
        row = {**blank, **(rows[i] if i < len(rows) else {})}
        data |= {f"{prefix}-{i}-{name}": value for name, value in row.items()}
    return data


def assessment_form_data(*, rom=(), palpation=(), special=(), **fields) -> dict:
    """The assessment form with the given table rows filled in; other rows left as the browser shows them."""
    data = {
        "assessed_on": "2025-03-04",
        "posture": ["head_forward", "shoulders_rounded"],
        "posture_other": "",
        "gait_notes": "Short stride on the right",
        "summary": "Right upper trapezius guarded",
        **fields,
    }
    data |= _formset("rom", list(rom), 6, {"movement": "", "side": "", "result": "", "degrees": ""})
    data |= _formset(
        "palpation",
        list(palpation),
        4,
        {
            "region": "",
            "side": "",
            "tension": "none",
            "tenderness": "none",
            "texture": "normal",
            "temperature": "normal",
        },
    )
    data |= _formset("special", list(special), 3, {"name": "", "side": "", "positive": ""})
    return data
