"""Clinic-local dates and times, correct across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change (e.g. 02:30 in spring)."""


def local_datetime(day: date, at: time) -> datetime:
    """The aware moment for a clinic wall-clock time. Refuses times that do not exist;
    an ambiguous time (the repeated hour in autumn) is the first occurrence.

    Returned in UTC: Python adds a timedelta to a zoneinfo datetime on the wall clock, so
    "start + 60 minutes" from a clinic-time value is two hours long in the repeated hour."""
    tz = clinic_tz()
    moment = datetime.combine(day, at).replace(tzinfo=tz, fold=0)
    round_trip = moment.astimezone(UTC).astimezone(tz)
    if (round_trip.date(), round_trip.time()) != (day, at.replace(tzinfo=None)):
        raise NonexistentLocalTime(f"{at:%H:%M} does not exist on {day:%b %-d} (the clocks change).")
    return moment.astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Start of this clinic day and of the next (23 or 25 hours apart on change days)."""
    tz = clinic_tz()
    start = datetime.combine(day, time.min).replace(tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=tz)
    return start, end


def local(moment: datetime) -> datetime:
    return moment.astimezone(clinic_tz())


def today() -> date:
    return timezone.localdate(timezone=clinic_tz())
