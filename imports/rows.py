"""One row of a file, converted into the values of our records (no database reads here).

Each converter takes the row's cells by field name and returns a dict of clean values, or
raises BadValue naming the column and the problem (never the value itself: a log or a page
listing errors must not repeat health data).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import time, timedelta
from html import unescape

from django.conf import settings
from django.utils import timezone

from imports.values import (
    AmbiguousDate,
    BadValue,
    free_text,
    parse_date,
    parse_datetime,
    parse_email,
    parse_minutes,
    parse_money,
    parse_phone,
    parse_time,
    parse_yes,
    plain_text,
    text,
)

DEFAULT_VISIT_MINUTES = 60
MAX_NOTE_CHARS = 200_000
DESK_NOTES_LIMIT = 300
INACTIVE_WORDS = {"archived", "deceased", "discharged", "deleted", "merged"}
# Statuses as the products write them -> ours.
APPOINTMENT_STATUS = {
    "booked": "booked",
    "scheduled": "booked",
    "confirmed": "booked",
    "unconfirmed": "booked",
    "pending": "booked",
    "requested": "booked",
    "rescheduled": "booked",
    "arrived": "completed",
    "attended": "completed",
    "completed": "completed",
    "complete": "completed",
    "checkedout": "completed",
    "checkedin": "completed",
    "paid": "completed",
    "done": "completed",
    "seen": "completed",
    "noshow": "no_show",
    "didnotarrive": "no_show",
    "dna": "no_show",
    "missed": "no_show",
    "absent": "no_show",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "latecancellation": "cancelled",
    "latecancel": "cancelled",
    "cancelledbyclient": "cancelled",
    "cancelledbypatient": "cancelled",
    "cancelledbyclinic": "cancelled",
    "deleted": "cancelled",
}
TAG = re.compile(r"<[^>]*>")
BREAK = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)


@dataclass
class Row:
    number: int
    cells: dict  # field -> cell
    questions: list = field(default_factory=list)  # (header, cell) of columns imported as questions

    def get(self, name: str, default=""):
        value = self.cells.get(name, default)
        return default if value is None else value


def _label(kind_fields, name):
    return kind_fields[name].label if name in kind_fields else name


def _checked(name: str, label: str, parse, value, **kwargs):
    try:
        return parse(value, **kwargs)
    except AmbiguousDate:
        raise
    except BadValue as problem:
        raise BadValue(f"{label} {problem}") from None


PHONE_SEPARATOR = re.compile(r"[;,\n|]+")
PHONE_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,20}):\s*")


def _phone_parts(value, label: str) -> list[tuple[str, str]]:
    """One cell may hold several typed numbers (Cliniko: "Mobile: 0412 345 678, Home: 02 9876 5432")."""
    if not isinstance(value, str):
        return [(label, value)]
    parts = []
    for piece in PHONE_SEPARATOR.split(value):
        match = PHONE_LABEL.match(piece)
        parts.append((match[1].strip().capitalize(), piece[match.end() :]) if match else (label, piece))
    return [(part_label, piece.strip()) for part_label, piece in parts if piece.strip()]


def split_full_name(full: str) -> tuple[str, str]:
    full = " ".join(full.split())
    if "," in full:  # "Lastname, Firstname"
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    first, _, last = full.rpartition(" ")
    return (first, last) if first else ("", last)


# --- Clients ---------------------------------------------------------------------------------------


def client_values(row: Row, *, date_order: str, system_label: str) -> dict:
    first = plain_text(row.get("first_name"), limit=100, what="First name")
    last = plain_text(row.get("last_name"), limit=100, what="Last name")
    full = plain_text(row.get("full_name"), limit=200, what="Full name")
    if full and not (first and last):
        split_first, split_last = split_full_name(full)
        first, last = first or split_first, last or split_last
    if not first or not last:
        raise BadValue("First and last name: both are needed")
    if len(first) > 100 or len(last) > 100:
        raise BadValue("Name is longer than 100 characters")
    phones = []
    for name, label in (("mobile_phone", "Mobile"), ("phone", "Phone"), ("home_phone", "Home"), ("work_phone", "Work")):
        for part_label, part in _phone_parts(row.get(name), label):
            number = _checked(name, f"{label} phone", parse_phone, part)
            if number and number not in [n for _, n in phones]:
                phones.append((part_label, number))
    street = ", ".join(
        part
        for part in (free_text(row.get(f), limit=200, what="Address") for f in ("street", "street2", "street3"))
        if part
    )
    city_line = " ".join(
        part
        for part in (
            ", ".join(
                p
                for p in (
                    free_text(row.get("city"), limit=100, what="City"),
                    free_text(row.get("province"), limit=100, what="Province"),
                )
                if p
            ),
            free_text(row.get("postal_code"), limit=20, what="Postal code"),
        )
        if part
    )
    country = free_text(row.get("country"), limit=60, what="Country")
    if country.upper() in (settings.CLINIC_COUNTRY, "CANADA" if settings.CLINIC_COUNTRY == "CA" else "-"):
        country = ""
    status_text = str(row.get("status")).strip().casefold()
    archived = bool(str(row.get("archived_at")).strip()) or status_text in INACTIVE_WORDS
    external_id = plain_text(row.get("external_id"), limit=100, what="Id")
    desk = [f"Imported from {system_label}" + (f" (id {external_id})." if external_id else ".")]
    if len(phones) > 1:
        desk.append("Other phones: " + "; ".join(f"{label.lower()} {number}" for label, number in phones[1:]) + ".")
    return {
        "external_id": external_id,
        "first_name": first,
        "last_name": last,
        "preferred_name": plain_text(row.get("preferred_name"), limit=100, what="Preferred name"),
        "pronouns": plain_text(row.get("pronouns"), limit=40, what="Pronouns"),
        "date_of_birth": _checked(
            "date_of_birth", "Date of birth", parse_date, row.get("date_of_birth"), order=date_order
        ),
        "email": _checked("email", "Email", parse_email, row.get("email")),
        "phone": phones[0][1] if phones else "",
        "address": "\n".join(part for part in (street, city_line, country) if part),
        "emergency_contact_name": plain_text(row.get("emergency_name"), limit=200, what="Emergency contact name"),
        "emergency_contact_relationship": plain_text(
            row.get("emergency_relationship"), limit=100, what="Emergency contact relationship"
        ),
        "emergency_contact_phone": _checked(
            "emergency_phone", "Emergency contact phone", parse_phone, row.get("emergency_phone")
        ),
        "referral_source": free_text(row.get("referral_source"), limit=200, what="Referral source"),
        "status": "archived" if archived else "active",
        "desk_notes": " ".join(desk)[:1000],
    }


# --- Appointments ----------------------------------------------------------------------------------


def appointment_values(row: Row, *, date_order: str) -> dict:
    starts_at = _checked(
        "starts_at", "Start", parse_datetime, row.get("starts_at"), order=date_order, time_value=row.get("start_time")
    )
    if starts_at is None:
        raise BadValue("Start: no date")
    ends_at = None
    raw_end = row.get("ends_at")
    if raw_end not in ("", None):
        if _is_bare_time(raw_end):  # "10:30", "10:30 AM", an Excel time cell: on the start's day
            clock = _checked("ends_at", "End", parse_time, raw_end)
            ends_at = timezone.localtime(starts_at).replace(hour=clock.hour, minute=clock.minute, second=0)
        else:
            ends_at = _checked("ends_at", "End", parse_datetime, raw_end, order=date_order)
    minutes = _checked("duration", "Length", parse_minutes, row.get("duration"))
    if ends_at is None and minutes:
        ends_at = starts_at + timedelta(minutes=minutes)
    status = _status(row)
    desk = free_text(row.get("desk_notes"), limit=20_000, what="Notes")
    if len(desk) > DESK_NOTES_LIMIT:
        desk = desk[: DESK_NOTES_LIMIT - 1] + "…"
    return {
        "external_id": plain_text(row.get("external_id"), limit=100, what="Appointment id"),
        "starts_at": starts_at,
        "ends_at": ends_at,  # None: the service's length
        "service": plain_text(row.get("service"), limit=100, what="Service"),
        "fee": _checked("price", "Fee", parse_money, row.get("price")),
        "staff": plain_text(row.get("staff"), limit=150, what="Therapist"),
        "status": status,
        "cancel_reason": free_text(row.get("cancel_reason"), limit=20_000, what="Cancellation reason")[:200],
        "desk_notes": desk,
    }


def _status(row: Row) -> str:
    if str(row.get("cancelled_at")).strip():
        return "cancelled"
    if str(row.get("did_not_arrive")).strip() and parse_yes(row.get("did_not_arrive")):
        return "no_show"
    written = re.sub(r"[^a-z]", "", str(row.get("status")).casefold())
    if written:
        if written in APPOINTMENT_STATUS:
            return APPOINTMENT_STATUS[written]
        for word, status in APPOINTMENT_STATUS.items():
            if written.startswith(word):
                return status
        raise BadValue("Status: not one this importer knows (booked, arrived, no-show, cancelled)")
    if str(row.get("arrived")).strip() and parse_yes(row.get("arrived")):
        return "completed"
    return "booked"


BARE_TIME = re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*([ap]\.?m\.?)?\s*$", re.IGNORECASE)


def _is_bare_time(value) -> bool:
    if isinstance(value, time):
        return True
    if isinstance(value, float) and 0 <= value < 1:
        return True
    return isinstance(value, str) and bool(BARE_TIME.match(value))


def client_reference(row: Row, *, date_order: str) -> dict:
    """Who an appointment or a note belongs to: the id in the other program, or a name (and birth date)."""
    first = plain_text(row.get("client_first_name"), limit=100, what="Client's first name")
    last = plain_text(row.get("client_last_name"), limit=100, what="Client's last name")
    full = plain_text(row.get("client_full_name"), limit=200, what="Client's name")
    if full and not (first and last):
        first, last = split_full_name(full)
    external_id = plain_text(row.get("client_external_id"), limit=100, what="Client's id")
    if not external_id and not (first and last):
        raise BadValue("Client: no id and no name")
    return {
        "client_external_id": external_id,
        "client_first_name": first,
        "client_last_name": last,
        "client_date_of_birth": _checked(
            "client_date_of_birth",
            "Client's date of birth",
            parse_date,
            row.get("client_date_of_birth"),
            order=date_order,
        ),
    }


# --- Treatment notes -------------------------------------------------------------------------------


def note_values(row: Row, *, date_order: str) -> dict | None:
    """The note's values; None for a draft (drafts are not records: they are skipped)."""
    if str(row.get("draft")).strip() and parse_yes(row.get("draft")):
        return None
    sections = _sections(row)
    if not any(question.get("answer") or question.get("answers") for s in sections for question in s["questions"]):
        raise BadValue("Note: no text")
    signed_at = _checked("signed_at", "Signed on", parse_datetime, row.get("signed_at"), order=date_order)
    visit = _checked("visit_date", "Visit date", parse_datetime, row.get("visit_date"), order=date_order)
    return {
        "external_id": plain_text(row.get("external_id"), limit=100, what="Note id"),
        "title": free_text(row.get("title"), limit=200, what="Title"),
        "author_name": plain_text(row.get("author"), limit=200, what="Signed by"),
        "signed_at": signed_at,
        "visit_date": visit.date() if visit else (signed_at.date() if signed_at else None),
        "content": {"sections": sections},
    }


def _sections(row: Row) -> list[dict]:
    sections = []
    raw = row.get("content")
    if str(raw).strip():
        try:
            content = json.loads(str(raw))
        except ValueError:
            raise BadValue("Content: not the JSON of Cliniko's sections and questions") from None
        sections.extend(_cliniko_sections(content))
    body = text(row.get("body"), limit=MAX_NOTE_CHARS, what="Note text")
    questions = [{"name": "Note", "type": "paragraph", "answer": _html_to_text(body)}] if body else []
    questions += [
        {"name": str(header)[:200], "type": "text", "answer": _html_to_text(str(value))}
        for header, value in row.questions
        if str(value).strip()
    ]
    if questions:
        sections.append({"name": "", "questions": questions})
    return sections


def _cliniko_sections(content) -> list[dict]:
    if isinstance(content, dict):
        content = content.get("sections", [])
    if not isinstance(content, list):
        raise BadValue("Content: no sections")
    sections = []
    if len(content) > 200:
        raise BadValue("Content: more than 200 sections")
    for section in content:
        if not isinstance(section, dict):
            raise BadValue("Content: a section is not a list of questions")
        questions = []
        questions_in = section.get("questions") or []
        if not isinstance(questions_in, list) or len(questions_in) > 500:
            raise BadValue("Content: a section's questions are not a list of at most 500")
        for question in questions_in:
            if not isinstance(question, dict):
                raise BadValue("Content: a question is not readable")
            kind = str(question.get("type") or "text")[:30]
            entry = {"name": str(question.get("name") or "")[:500], "type": kind}
            if isinstance(question.get("answers"), list):
                entry["answers"] = [
                    str(answer.get("value") or "")[:500]
                    for answer in question["answers"]
                    if isinstance(answer, dict) and answer.get("selected")
                ]
            else:
                answer = _html_to_text(str(question.get("answer") or ""))
                if len(answer) > MAX_NOTE_CHARS:
                    raise BadValue("Content: an answer is longer than a note may be")
                entry["answer"] = answer
            questions.append(entry)
        sections.append({"name": str(section.get("name") or "")[:500], "questions": questions})
    return sections


def _html_to_text(value: str) -> str:
    """Cliniko's paragraph answers allow basic HTML: kept as the text it shows, line breaks included."""
    if "<" not in value:
        return value.strip()
    return "\n".join(line.strip() for line in unescape(TAG.sub("", BREAK.sub("\n", value))).splitlines()).strip()
