"""Idle sign-out: the session remembers when its person last did something.

"Something" is any request except the background ones that idle.js makes on its own (asking how
much time is left, saving or fetching a form stash). The "Stay signed in" button counts.
"""

import time

from django.conf import settings

LAST_ACTIVITY = "idle_last_activity"  # session key: Unix time of the last request that counted
WARNING_SECONDS = 120  # the warning shows this long before the sign-out
TOUCH_EVERY = 60  # seconds: write the session at most once a minute for ordinary requests


def timeout_seconds() -> int:
    return int(settings.IDLE_TIMEOUT_MINUTES * 60)  # a fraction of a minute works too (browser tests)


def warning_seconds() -> int:
    return min(WARNING_SECONDS, timeout_seconds() // 2)


def seconds_left(session, *, now: float | None = None) -> int:
    now = time.time() if now is None else now
    last = session.get(LAST_ACTIVITY)
    if last is None:
        return timeout_seconds()
    return max(0, round(last + timeout_seconds() - now))


def is_expired(session, *, now: float | None = None) -> bool:
    return LAST_ACTIVITY in session and seconds_left(session, now=now) <= 0


def touch(session, *, now: float | None = None, force: bool = False) -> None:
    """Count activity now. Unless forced, skip the session write when the last one is recent."""
    now = int(time.time() if now is None else now)
    last = session.get(LAST_ACTIVITY)
    if force or last is None or now - last >= TOUCH_EVERY:
        session[LAST_ACTIVITY] = now


def start_clock(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: a new sign-in starts with a full idle allowance."""
    if hasattr(request, "session"):
        touch(request.session, force=True)
