"""The days a page accepts from its address or a form's date field.

Python's calendar ends at 0001-01-01 and 9999-12-31: a page that adds a day, a week, a
visit's length or the clinic's time zone to a date near them overflows (a server error).
Every real visit, note and log line falls well inside FIRST_DAY..LAST_DAY; a date typed
outside is taken as the nearest of them.
"""

from datetime import date

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def nearest_valid_day(day: date, *, first: date = FIRST_DAY, last: date = LAST_DAY) -> date:
    """`day`, or the nearer end of first..last when it falls outside."""
    return min(max(day, first), last)


def day_from(value: str | None, *, default: date, first: date = FIRST_DAY, last: date = LAST_DAY) -> date:
    """The day an ISO date (2031-06-09) in a query string names, moved into first..last;
    `default` when it is missing or not a date."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return default
    return nearest_valid_day(day, first=first, last=last)
