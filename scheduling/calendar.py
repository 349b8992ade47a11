"""Day and week grids for the schedule: a table of 15-minute rows, one column per
therapist (day view) or per day (week view); a visit is one cell spanning its rows."""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from clients.urlutil import url_for_pk
from timekeeping.timeutil import ClockChanges, clock_changes, local, occurrences

SLOT_MINUTES = 15


@dataclass
class Column:
    key: object  # therapist id or date
    label: str
    day: date
    therapist_id: int
    blocks: list[tuple[time, time]] = field(default_factory=list)  # working hours that day


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _slot_time(minutes: int) -> time:
    minutes = min(minutes, 24 * 60 - 1)
    return time(minutes // 60, minutes % 60)


def build_grid(columns: list[Column], appointments, *, column_key, opening: time, closing: time) -> dict:
    """Rows of cells for templates/scheduling/_grid.html.

    column_key(appointment) -> the column's key. Cancelled and no-show visits are left out
    (the day view lists them separately).

    On the days the clocks change, rows of times that do not exist that day are left out
    (in the week view, only that day's cells are blank), and a visit's times name the zone
    ("01:30 EDT") when the clock shows them twice that night.
    """
    changes: dict[date, ClockChanges] = {}

    def changes_on(day: date) -> ClockChanges:
        if day not in changes:
            changes[day] = clock_changes(day, SLOT_MINUTES)
        return changes[day]

    def clock(moment: datetime) -> str:
        minutes = _minutes(moment.time())
        if minutes - minutes % SLOT_MINUTES in changes_on(moment.date()).repeated:
            return f"{moment:%H:%M %Z}"
        return f"{moment:%H:%M}"

    for column in columns:
        changes_on(column.day)
    placed = []
    first, last = _minutes(opening), _minutes(closing)
    for appointment in appointments:
        start, end = local(appointment.starts_at), local(appointment.ends_at)
        start_min = _minutes(start.time())
        end_min = _minutes(end.time()) if end.date() == start.date() else 24 * 60
        if end_min <= start_min:
            # It ends in the hour the clocks repeat (autumn), at a wall-clock time not after its
            # start: draw it to the end of that hour rather than as a 15-minute sliver.
            end_min = min((start_min // 60 + 1) * 60, 24 * 60)
        first, last = min(first, start_min), max(last, end_min)
        placed.append((appointment, start_min, end_min, f"{clock(start)}–{clock(end)}"))
    first -= first % SLOT_MINUTES
    last += (-last) % SLOT_MINUTES
    day_changes = [changes[column.day] for column in columns]
    # A row for every quarter hour that exists on at least one column's day.
    row_minutes = [
        minutes
        for minutes in range(first, max(last, first + SLOT_MINUTES), SLOT_MINUTES)
        if not day_changes or not all(minutes in c.skipped for c in day_changes)
    ]
    # Rows whose time the clocks show twice on every column's day (the day view's fall-back day).
    twice = {m for m in row_minutes if day_changes and all(m in c.repeated for c in day_changes)}

    starts: dict[tuple, tuple] = {}
    covered: set[tuple] = set()
    for appointment, start_min, end_min, times in placed:
        key = column_key(appointment)
        index = max(0, bisect_right(row_minutes, start_min) - 1)
        span = max(1, bisect_left(row_minutes, end_min) - index)
        if (key, index) in covered or (key, index) in starts:
            # The database refuses overlapping live visits of one therapist; only two visits
            # at one wall-clock time of the hour the clocks repeat can meet here (drawn once).
            continue
        starts[(key, index)] = (appointment, span, times)
        covered.update((key, index + k) for k in range(1, span))

    # Strings each cell needs, made here once: the template language would take longer
    # over the hundreds of cells of a busy day than the rest of the page.
    visit_url = url_for_pk("scheduling:appointment_detail")
    dates = {column.key: column.day.isoformat() for column in columns}
    rows = []
    for index, minutes in enumerate(row_minutes):
        at = _slot_time(minutes)
        at_label = at.strftime("%H:%M")
        cells = []
        for column in columns:
            if (column.key, index) in covered:
                continue
            if (column.key, index) in starts:
                appointment, span, times = starts[(column.key, index)]
                cells.append(
                    {"appointment": appointment, "rowspan": span, "times": times, "url": visit_url(appointment.pk)}
                )
            elif minutes in changes[column.day].skipped:
                cells.append({"column": column, "in_hours": False, "skipped": True})
            else:
                in_hours = any(b[0] <= at < b[1] for b in column.blocks)
                cells.append(
                    {
                        "column": column,
                        "in_hours": in_hours,
                        "at_label": at_label,
                        "book_query": f"therapist={column.therapist_id}&date={dates[column.key]}&time={at_label}",
                    }
                )
        rows.append(
            {
                "time": at,
                "label": at_label if minutes % 60 == 0 else "",
                "full_label": at_label,
                "cells": cells,
            }
        )
        if minutes in twice and (index == 0 or row_minutes[index - 1] not in twice):
            # The first of the repeated rows says why a visit there reads "EDT" or "EST".
            repeated = changes[columns[0].day].repeated
            zones = " then ".join(local(m).strftime("%Z") for m in occurrences(columns[0].day, at))
            rows[-1]["clock_note"] = (
                f"Clocks go back: {_slot_time(min(repeated)):%H:%M}–"
                f"{_slot_time(max(repeated) + SLOT_MINUTES):%H:%M} happens twice ({zones})"
            )
    return {"columns": columns, "rows": rows}


def week_days(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def as_local_date(moment: datetime) -> date:
    return local(moment).date()
