"""A staff member's private calendar feed: a secret address their phone's calendar subscribes to.

Only the token's SHA-256 is kept (as for intake links): the address is shown once, when it
is made, and nobody can read it back afterwards, neither from the pages nor from the
database, a backup or the clinic archive. A lost address is replaced by a new one, which
revokes the old.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts import access

# A fetch is recorded (last_fetched_at) at most this often: phones poll every few minutes,
# and the feed's answer should not be a write each time.
RECORD_FETCH_EVERY = timedelta(minutes=15)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def by_token(self, token: str):
        """The feed of this token: one lookup of the hash in its unique index."""
        return self.filter(token_hash=hash_token(token or ""))

    def serving(self):
        """Feeds whose address answers: not revoked, and their owner's account still active."""
        return self.active().filter(user__is_active=True)

    def revocable_by(self, user):
        """Your own feed; the manager revokes anyone's (a lost phone, someone leaving)."""
        return self if access.can_manage_clinic(user) else self.filter(user=user)


class CalendarFeed(models.Model):
    """One calendar feed address of a staff member. At most one is active per person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendarfeed_one_active_per_user"
            ),
        ]

    def __str__(self):
        return f"Calendar feed {self.pk}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)  # 192 bits; URL-safe letters, digits, - and _

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, by) -> None:
        """The address stops working at once (the next fetch is a 404)."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.save(update_fields=["revoked_at", "revoked_by"])

    def record_fetch(self, *, now: datetime) -> None:
        """Remember when a calendar last fetched the feed, writing at most every RECORD_FETCH_EVERY."""
        if self.last_fetched_at is not None and now - self.last_fetched_at < RECORD_FETCH_EVERY:
            return
        # Conditional: of two fetches at once, one writes.
        CalendarFeed.objects.filter(pk=self.pk).filter(
            Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lt=now - RECORD_FETCH_EVERY)
        ).update(last_fetched_at=now)
        self.last_fetched_at = now
