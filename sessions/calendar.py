"""Day and week grids for the schedule: a table of 15-minute rows, one column per
therapist (day view) or per day (week view); a visit is one cell spanning its rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from clinic.timeutil import local
from clinic.urlutil import url_for_pk

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
    """Rows of cells for templates/visits/_grid.html.

    column_key(appointment) -> the column's key. Cancelled and no-show visits are left out
    (the day view lists them separately).
    """
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
        placed.append((appointment, start_min, end_min, f"{start:%H:%M}–{end:%H:%M}"))
    first -= first % SLOT_MINUTES
    last += (-last) % SLOT_MINUTES
    slot_count = max(1, (last - first) // SLOT_MINUTES)

    starts: dict[tuple, tuple] = {}
    covered: set[tuple] = set()
    for appointment, start_min, end_min, times in placed:
        key = column_key(appointment)
        index = (start_min - first) // SLOT_MINUTES
        span = max(1, -(-(end_min - first) // SLOT_MINUTES) - index)
        if (key, index) in covered or (key, index) in starts:
            continue  # cannot happen for live visits of one therapist (the database refuses it)
        starts[(key, index)] = (appointment, span, times)
        covered.update((key, index + k) for k in range(1, span))

    # Strings each cell needs, made here once: the template language would take longer
    # over the hundreds of cells of a busy day than the rest of the page.
    visit_url = url_for_pk("visits:appointment_detail")
    dates = {column.key: column.day.isoformat() for column in columns}
    rows = []
    for index in range(slot_count):
        minutes = first + index * SLOT_MINUTES
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
    return {"columns": columns, "rows": rows}


def week_days(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def as_local_date(moment: datetime) -> date:
    return local(moment).date()
