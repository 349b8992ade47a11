"""A per-address request limit for public pages, counted in PostgreSQL."""

import functools
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.utils import timezone

from accounts.addresses import client_address
from accounts.models import RateLimitCounter


def hit(key: str, *, limit: int, period: int, now: datetime | None = None) -> bool:
    """Count one request for `key`; True while the count in this window is within `limit`."""
    now = now or timezone.now()
    window_start = datetime.fromtimestamp(int(now.timestamp()) // period * period, tz=now.tzinfo)
    table = RateLimitCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1)
            ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1
            RETURNING count
            """,
            [key, window_start],
        )
        (count,) = cursor.fetchone()
    if random.random() < 0.01:  # now and then, forget windows older than a day
        RateLimitCounter.objects.filter(window_start__lt=now - timedelta(days=1)).delete()
    return count <= limit


def within_limit(request, scope: str) -> bool:
    """Count this request for its address in settings.RATE_LIMITS[scope] = (requests, seconds)."""
    limit, period = settings.RATE_LIMITS[scope]
    return hit(f"{scope}:{client_address(request)}", limit=limit, period=period)


def too_many(request, scope: str):
    """The 429 page, with how long to wait."""
    response = render(request, "rate_limited.html", status=429)
    response["Retry-After"] = str(settings.RATE_LIMITS[scope][1])
    return response


def rate_limited(scope: str):
    """Answer 429 once an address exceeds settings.RATE_LIMITS[scope] = (requests, seconds)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not within_limit(request, scope):
                return too_many(request, scope)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
