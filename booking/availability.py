"""Which times a client may book online: the therapists' working hours (several blocks a day: the
gaps are breaks), minus their visits (with the buffer around each), their time off, the minimum
notice and the horizon. Three queries whatever the range; the rest is arithmetic in Python.

Times are made on the clinic's clock (timekeeping: a working day that starts at 09:00 starts at
09:00 local on the days clocks change too) and compared in UTC.
"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from booking.models import BookingRules, TimeOff
from scheduling.models import Appointment, WorkingHours
from timekeeping.timeutil import local_datetime


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    therapist_ids: tuple[int, ...]  # who is free then, in the order the page prefers


class Busy:
    """One therapist's taken stretches, sorted, for quick overlap checks."""

    def __init__(self, spans: list[tuple[datetime, datetime]]):
        spans.sort()
        self.starts = [start for start, _ in spans]
        self.spans = spans
        self.longest = max((end - start for start, end in spans), default=timedelta(0))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # Only spans starting before `end` and at most the longest span before `start` can overlap.
        index = bisect_left(self.starts, start - self.longest)
        for span_start, span_end in self.spans[index:]:
            if span_start >= end:
                return False
            if span_end > start:
                return True
        return False


def booking_window(rules: BookingRules, now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now + timedelta(hours=rules.min_notice_hours), now + timedelta(days=rules.horizon_days)


def available_slots(
    *,
    service,
    therapist_ids: list[int],
    first_day: date,
    days: int,
    rules: BookingRules,
    now: datetime | None = None,
    exclude_pk: int | None = None,
) -> dict[date, list[Slot]]:
    """Bookable start times per local day, from `first_day` for `days` days."""
    earliest, latest = booking_window(rules, now)
    range_start = max(earliest, local_datetime(first_day, datetime.min.time()))
    range_end = min(latest, local_datetime(first_day + timedelta(days=days), datetime.min.time()))
    if range_end <= range_start or not therapist_ids:
        return {}
    duration = timedelta(minutes=service.duration_minutes)
    buffer = timedelta(minutes=rules.buffer_minutes)
    step = timedelta(minutes=rules.step_minutes)

    blocks = defaultdict(list)
    for therapist_id, weekday, starts, ends in WorkingHours.objects.filter(therapist_id__in=therapist_ids).values_list(
        "therapist_id", "weekday", "starts", "ends"
    ):
        blocks[(therapist_id, weekday)].append((starts, ends))
    taken = defaultdict(list)
    visits = (
        Appointment.objects.live()
        .between(range_start - buffer, range_end + buffer)
        .filter(therapist_id__in=therapist_ids)
        .exclude(pk=exclude_pk)  # the visit being moved does not stand in its own way
        .values_list("therapist_id", "starts_at", "ends_at")
    )
    for therapist_id, starts_at, ends_at in visits:
        taken[therapist_id].append((starts_at - buffer, ends_at + buffer))
    away = TimeOff.objects.filter(
        therapist_id__in=therapist_ids, ends_at__gt=range_start, starts_at__lt=range_end
    ).values_list("therapist_id", "starts_at", "ends_at")
    for therapist_id, starts_at, ends_at in away:
        taken[therapist_id].append((starts_at, ends_at))
    busy = {therapist_id: Busy(taken[therapist_id]) for therapist_id in therapist_ids}

    by_day: dict[date, dict[datetime, list[int]]] = defaultdict(lambda: defaultdict(list))
    day = first_day
    while day < first_day + timedelta(days=days):
        for therapist_id in therapist_ids:
            for block_start, block_end in blocks.get((therapist_id, day.weekday()), ()):
                start, end_of_block = local_datetime(day, block_start), local_datetime(day, block_end)
                while start + duration <= end_of_block:
                    if (
                        range_start <= start
                        and start + duration <= range_end
                        and not busy[therapist_id].overlaps(start, start + duration)
                    ):
                        by_day[day][start].append(therapist_id)
                    start += step
        day += timedelta(days=1)
    return {
        day: [Slot(start, tuple(ids)) for start, ids in sorted(starts.items())]
        for day, starts in sorted(by_day.items())
        if starts
    }


def is_available(
    *, service, therapist_id: int, starts_at: datetime, rules: BookingRules, exclude_pk: int | None = None
) -> bool:
    """Whether this exact time is still on offer for this therapist (checked again when booking)."""
    day = timezone.localtime(starts_at).date()
    slots = available_slots(
        service=service, therapist_ids=[therapist_id], first_day=day, days=1, rules=rules, exclude_pk=exclude_pk
    )
    return any(slot.starts_at == starts_at for slot in slots.get(day, []))


def is_free(*, therapist_id: int, starts_at: datetime, ends_at: datetime, rules: BookingRules) -> bool:
    """Whether the therapist could take a visit of exactly this time: inside a working block, clear
    of other visits and of time off. For freed times, which need not sit on the grid of times the
    booking page offers, and which held a visit a moment ago: the online buffer does not apply
    (the desk books back to back; with it, a freed time between two visits would never be offered)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date():
        return False
    inside = WorkingHours.objects.filter(
        therapist_id=therapist_id, weekday=start.weekday(), starts__lte=start.time(), ends__gte=end.time()
    ).exists()
    if not inside:
        return False
    clash = Appointment.objects.live().between(starts_at, ends_at).filter(therapist_id=therapist_id).exists()
    away = TimeOff.objects.filter(therapist_id=therapist_id, starts_at__lt=ends_at, ends_at__gt=starts_at).exists()
    return not clash and not away
