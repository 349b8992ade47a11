"""A check over the whole test run: no client name, date of birth or clinical text in the logs.

Loaded by the root conftest.py (``pytest_plugins``). While the tests run, every log record
that reaches the app's handlers (after the same redacting filters) is captured, and every
client, intake, session note, assessment, plan and addendum the tests save is remembered.
After the last test, the captured log text must contain none of those values; otherwise the
run ends with an error naming the leak.
"""

import logging
import re
from datetime import date

import pytest
from django.db.models.signals import post_save

from clients.models import Client
from intake.models import Intake
from sessions.models import Addendum, Assessment, SessionNote, TreatmentPlan

# The free-text fields that hold health data, per model.
TEXT_FIELDS = {
    SessionNote: (
        "update_since_last",
        "client_feedback",
        "tissue_response",
        "home_care_stretches",
        "home_care_strengthening",
        "home_care_posture",
    ),
    Intake: (
        "main_complaint",
        "onset",
        "better",
        "worse",
        "medical_conditions",
        "medications",
        "sports",
        "goals",
        "draping",
        "signature_name",
    ),
    Assessment: ("gait_notes", "summary"),
    TreatmentPlan: ("goals", "home_care"),
    Addendum: ("text",),
}
# Shorter names (and texts) are too likely to be ordinary words in a log line, and values with
# fewer than two letters ("***", "<!--" from the fuzz tests) are not names or notes.
MIN_NAME_LENGTH = 3
MIN_TEXT_LENGTH = 8
MIN_LETTERS = 2
# Django's default date format spells some months out and abbreviates others ("N j, Y").
_AP_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]


def date_spellings(day: date) -> set[str]:
    """The ways a date of birth could appear in a log line (ISO dates: see ``dates``)."""
    return {
        f"{day:%d/%m/%Y}",
        f"{day:%m/%d/%Y}",
        f"{day.month}/{day.day}/{day.year}",
        f"{day:%B} {day.day}, {day.year}",
        f"{day.day} {day:%B} {day.year}",
        f"{_AP_MONTHS[day.month - 1]} {day.day}, {day.year}",
        repr(day),  # datetime.date(1984, 3, 9), as in a logged dict or exception
    }


def _wordy(value: str, min_length: int) -> bool:
    return len(value) >= min_length and sum(char.isalpha() for char in value) >= MIN_LETTERS


class HealthData:
    """The names, dates of birth and clinical texts the tests have saved so far."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.texts: set[str] = set()
        self.dates: set[str] = set()  # ISO, matched only where they are not part of a timestamp

    def record(self, sender, instance, **kwargs) -> None:
        if sender is Client:
            first, last = instance.first_name.strip(), instance.last_name.strip()
            self.names.update(n for n in (first, last, f"{first} {last}") if _wordy(n, MIN_NAME_LENGTH))
            born = instance.date_of_birth
            if isinstance(born, str):  # created from raw form data (services pass ISO strings)
                try:
                    born = date.fromisoformat(born)
                except ValueError:  # not a date: the database refuses it anyway
                    born = None
            if born:
                self.texts.update(date_spellings(born))
                self.dates.add(born.isoformat())
            return
        for field in TEXT_FIELDS[sender]:
            value = (getattr(instance, field) or "").strip()
            if _wordy(value, MIN_TEXT_LENGTH):
                self.texts.add(value)

    def found_in(self, log_text: str) -> list[str]:
        leaks = [text for text in self.texts if text in log_text]
        # A client born today (tests make some) shares today's date with every timestamp logged;
        # a date of birth is a date, never followed by a time.
        for iso in self.dates:
            if iso in log_text and re.search(rf"(?<![\d-]){iso}(?![\d:]|[ T]\d\d:)", log_text):
                leaks.append(iso)
        for name in self.names:
            # Whole words only: "Lee" in a log line is a leak, "Leeds" is not the client.
            if name in log_text and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", log_text):
                leaks.append(name)
        return sorted(leaks)


class WithoutSourceLines(logging.Formatter):
    """A traceback without the lines of source code it quotes: they are the program, not data,
    and a made-up client called, say, "Results" would otherwise match a line of Django's code
    (it did, now and then, with random test names). The exception's message is kept."""

    def formatException(self, exc_info) -> str:  # noqa: N802 (logging's name)
        return "\n".join(line for line in super().formatException(exc_info).splitlines() if not line.startswith("    "))


class CaptureHandler(logging.Handler):
    """Keeps every formatted record, as the console would print it (minus the time and the
    quoted source lines of tracebacks)."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.setFormatter(WithoutSourceLines("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _loggers_with_own_output() -> list[logging.Logger]:
    """The root logger and every configured logger that does not pass records up to it."""
    loggers = [logging.getLogger()]
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger) and not logger.propagate and logger.handlers:
            loggers.append(logger)
    return loggers


@pytest.fixture(scope="session", autouse=True)
def no_health_data_in_logs():
    health_data = HealthData()
    for model in (Client, *TEXT_FIELDS):
        post_save.connect(health_data.record, sender=model, weak=False, dispatch_uid=f"log_privacy.{model.__name__}")
    handler = CaptureHandler()
    loggers = _loggers_with_own_output()
    # The same redacting filters as the app's own handlers (clinic/logging.py).
    for existing in loggers[0].handlers:
        for log_filter in existing.filters:
            if log_filter not in handler.filters:
                handler.addFilter(log_filter)
    for logger in loggers:
        logger.addHandler(handler)

    yield health_data

    for logger in loggers:
        logger.removeHandler(handler)
    for model in (Client, *TEXT_FIELDS):
        post_save.disconnect(sender=model, dispatch_uid=f"log_privacy.{model.__name__}")
    log_text = "\n".join(handler.lines)
    leaks = health_data.found_in(log_text)
    if leaks:
        lines = [line for line in handler.lines if any(leak in line for leak in leaks)]
        pytest.fail(
            f"Health data in the log output of this test run: {leaks[:20]}\nLog lines:\n" + "\n".join(lines[:20]),
            pytrace=False,
        )
