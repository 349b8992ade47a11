import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class ClinicPolicy(models.Model):
    """Clinic-wide sign-in rules: a single row (id 1) that the manager changes on a page."""

    require_two_factor = models.BooleanField(
        "Require two-factor sign-in for all staff",
        default=False,
        help_text="Everyone must set up an authenticator app the next time they open a page. "
        "Clinic managers always need it, whatever this says.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "sign-in policy"
        verbose_name_plural = "sign-in policy"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="clinicpolicy_single_row")]

    def __str__(self):
        return "Sign-in policy"

    @classmethod
    def load(cls) -> "ClinicPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class FormStashQuerySet(models.QuerySet):
    def for_page(self, *, user, path: str):
        """This person's stash for this page (never anyone else's), if it is recent enough."""
        return self.filter(
            user=user, path_hash=FormStash.hash_path(path), saved_at__gte=timezone.now() - FormStash.MAX_AGE
        )


class FormStash(models.Model):
    """What a signed-in person was typing into a form when the idle sign-out came.

    Saved by static/js/idle.js just before the sign-out and put back into the same form
    after the person signs in again, then deleted. The page is identified by a SHA-256 of its
    path: intake links carry their secret token in the path, and it is not stored anywhere.
    """

    MAX_AGE = timedelta(days=1)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path_hash = models.CharField(max_length=64)
    data = models.JSONField()  # {"values": [[name, value], ...], "names": [every field name in the form]}
    saved_at = models.DateTimeField(default=timezone.now)

    objects = FormStashQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "path_hash"], name="formstash_one_per_person_and_page")]
        indexes = [models.Index(fields=["saved_at"], name="formstash_saved_at")]

    def __str__(self):
        return f"Form stash of user {self.user_id} at {self.saved_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash_path(path: str) -> str:
        return hashlib.sha256(path.encode()).hexdigest()


class RateLimitCounter(models.Model):
    """Requests per client address per time window, for the public pages.

    Kept in PostgreSQL so the limit holds across processes and servers, the
    embedded development database included.
    """

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "clinic_ratelimitcounter"  # its name from before it moved here (no data moved)
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_one_row_per_window")]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window")]

    def __str__(self):
        return f"{self.key} @ {self.window_start}: {self.count}"
