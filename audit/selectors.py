"""What the audit pages list: access-log lines and changes, filtered the same way."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AccessLog, Change
from clients.models import Client

User = get_user_model()  # the staff user (clinic.User); apps do not import the project package

CLIENT_NUMBER = re.compile(r"#\s*(\d{1,18})")


@dataclass(frozen=True)
class AuditFilters:
    client: Client | None = None  # one client (their access history)
    client_query: str = ""  # or the clients a search finds
    user: User | None = None
    date_from: date | None = None
    date_to: date | None = None
    refused_only: bool = False


def clients_matching(query: str) -> QuerySet:
    """Ids of the clients a filter text names: "#42" is client 42; anything else is a client search."""
    number = CLIENT_NUMBER.fullmatch(query.strip())
    if number:
        return Client.objects.filter(pk=int(number[1])).values("pk")
    return Client.objects.search(query).values("pk")


def _filtered(queryset: QuerySet, filters: AuditFilters) -> QuerySet:
    if filters.client is not None:
        queryset = queryset.filter(client_id=filters.client.pk)
    elif filters.client_query:
        queryset = queryset.filter(client_id__in=clients_matching(filters.client_query))
    if filters.user is not None:
        queryset = queryset.filter(user_id=filters.user.pk)
    # Whole days in the clinic's time zone, as bounds the indexes on the time columns serve.
    if filters.date_from:
        queryset = queryset.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return queryset


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log(filters: AuditFilters) -> QuerySet[AccessLog]:
    """Reads: who opened, printed or exported which client's clinical pages, newest first."""
    lines = _filtered(AccessLog.objects.select_related("user", "client"), filters)
    if filters.refused_only:
        lines = lines.filter(allowed=False)
    return lines.order_by("-at", "-id")


def changes(filters: AuditFilters) -> QuerySet[Change]:
    """Changes to the tracked records, newest first, each with the snapshot before it."""
    return _filtered(Change.objects.select_related("user", "client"), filters).order_by("-at", "-id")


def name_people(changes: Iterable[Change]) -> list[Change]:
    """The changes, each knowing the names of the staff its values refer to (therapist, signed by...).

    Those ids live in each snapshot's JSON, out of reach of select_related: one query names
    everyone on the page.
    """
    changes = list(changes)
    ids = set().union(*(change.people_ids() for change in changes))
    if ids:
        staff = User.objects.filter(pk__in=ids).only("first_name", "last_name", "username")
        people = {user.pk: str(user) for user in staff}
        for change in changes:
            change.people = people
    return changes
