from datetime import date, time

from timekeeping.timeutil import local_datetime

BORN = date(1985, 6, 15)


def at(day, hour, minute=0):
    """The clinic's local time on that day."""
    return local_datetime(day, time(hour, minute))
