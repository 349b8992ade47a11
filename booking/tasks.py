"""The waitlist's background jobs (Procrastinate; a worker runs them: README, Background jobs)."""

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from procrastinate.contrib.django import app

from booking import waitlist

EXPIRE = "expire_waitlist_offers"


def offer_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("booking:offer", args=[token])


@app.task(name="booking.offer_freed_time")
def offer_freed_time(therapist_id: int, starts_at: str, ends_at: str) -> int:
    """A visit's time freed up: offer it to the waitlist."""
    offers = waitlist.offer_freed_time(
        therapist_id=therapist_id,
        starts_at=parse_datetime(starts_at),
        ends_at=parse_datetime(ends_at),
        offer_url=offer_url,
    )
    return len(offers)


@app.periodic(cron="*/15 * * * *", periodic_id=EXPIRE)
@app.task(name=f"booking.{EXPIRE}", queueing_lock=EXPIRE, lock=EXPIRE)
def expire_waitlist_offers(timestamp: int | None = None) -> int:
    """Offers nobody accepted in time are closed (the entries stay on the list)."""
    return waitlist.expire_offers()
