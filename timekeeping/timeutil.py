"""Clinic-local dates and times, correct across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class NonexistentLocalTime(ValueError):
    """A wall-clock time skipped by a daylight-saving change (e.g. 02:30 in spring)."""


def occurrences(day: date, at: time) -> list[datetime]:
    """Every moment the clinic's clocks read `at` on `day`, earliest first, in UTC: none in
    the hour skipped in spring, two in the hour repeated in autumn, otherwise one."""
    tz = clinic_tz()
    wall = datetime.combine(day, at.replace(tzinfo=None))
    found = []
    for fold in (0, 1):
        moment = wall.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        # A skipped time comes back as another wall-clock time (naive comparison ignores fold).
        if moment.astimezone(tz).replace(tzinfo=None) == wall and moment not in found:
            found.append(moment)
    return found


def local_datetime(day: date, at: time, *, fold: int = 0) -> datetime:
    """The aware moment for a clinic wall-clock time. Refuses times that do not exist;
    an ambiguous time (the repeated hour in autumn) is the first occurrence, or the
    second with fold=1.

    Returned in UTC: Python adds a timedelta to a zoneinfo datetime on the wall clock, so
    "start + 60 minutes" from a clinic-time value is two hours long in the repeated hour."""
    found = occurrences(day, at)
    if not found:
        raise NonexistentLocalTime(f"{at:%H:%M} does not exist on {day:%b %-d} (the clocks change).")
    return found[min(fold, len(found) - 1)]


def zone_label(moment: datetime) -> str:
    """The clinic's zone at that moment with its offset, e.g. "EDT (UTC-04:00)"."""
    moment = local(moment)
    offset = int(moment.utcoffset().total_seconds()) // 60
    hours, minutes = divmod(abs(offset), 60)
    return f"{moment:%Z} (UTC{'-' if offset < 0 else '+'}{hours:02d}:{minutes:02d})"


class ClockChanges(NamedTuple):
    """Minutes of one clinic day (multiples of the step) that its clocks skip or show twice."""

    skipped: frozenset[int]
    repeated: frozenset[int]


NO_CHANGE = ClockChanges(frozenset(), frozenset())


def clock_changes(day: date, step_minutes: int = 15) -> ClockChanges:
    """The wall-clock times that do not exist on `day`, and those that happen twice.

    Every daylight-saving rule in use changes the clocks on a quarter hour, so 15-minute
    steps find every skipped or repeated time."""
    tz = clinic_tz()
    first = datetime.combine(day, time.min).replace(tzinfo=tz)
    last = datetime.combine(day, time.max).replace(tzinfo=tz, fold=1)
    if first.utcoffset() == last.utcoffset():
        return NO_CHANGE  # most days: no look at every step
    skipped, repeated = set(), set()
    for minute in range(0, 24 * 60, step_minutes):
        count = len(occurrences(day, time(minute // 60, minute % 60)))
        if count == 0:
            skipped.add(minute)
        elif count == 2:
            repeated.add(minute)
    return ClockChanges(frozenset(skipped), frozenset(repeated))


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
