"""The change history of client records, written by PostgreSQL triggers (django-pghistory).

For each tracked model, pghistory installs AFTER INSERT / UPDATE / DELETE row triggers
that copy the whole row (the new row for inserts and updates, the old one for deletes)
into an event table of this app. Being triggers, they see every write: forms, services,
bulk update(), the admin, raw SQL and the shell alike. The values before an update are
the object's previous event (the first event of a row that existed before the audit
trail is a "baseline" copy made by migration 0002).

Who and where: during a request, audit.middleware.ChangeContextMiddleware attaches the
user (id and username), the path (never the query string) and the URL name to every
change, stored with the event itself (`pgh_context`, JSON). A client filling in the public
intake pages is signed in as nobody: their changes carry the page's URL name and no user, and
the audit pages show "the client (online form)". Changes made outside a request (shell, cron
jobs, psql) have no context at all: the audit pages show "no user".

The event tables are append-only: PostgreSQL refuses UPDATE and DELETE (migration 0002).
"""

from collections.abc import Mapping
from types import MappingProxyType

import pghistory
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from clients.models import Client
from intake.models import Intake, IntakeArea, IntakeHistoryEvent
from scheduling.models import Appointment
from sessions.models import (
    Addendum,
    Assessment,
    ImportedNote,
    NoteArea,
    PalpationFinding,
    RangeOfMotionTest,
    SessionNote,
    SpecialTest,
    TreatmentPlan,
)


class AccessLog(models.Model):
    """Who opened, printed or exported which client's clinical pages (and who was refused).

    Append-only: a database trigger refuses UPDATE, DELETE and TRUNCATE (see migrations).
    Written through audit.access.record_access. The table keeps the name it was created with
    (clinic_accesslog), from before the audit trail had an app of its own.
    """

    class Kind(models.TextChoices):
        VIEW = "view", "Viewed"
        PRINT = "print", "Printed"
        EXPORT = "export", "Exported"

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    page = models.CharField(max_length=100)  # the URL name, e.g. visits:note_detail (never the URL's data)
    object_id = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VIEW)
    allowed = models.BooleanField(default=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        db_table = "clinic_accesslog"
        indexes = [
            models.Index(fields=["client", "-at"], name="accesslog_client"),
            models.Index(fields=["user", "-at"], name="accesslog_user"),
            models.Index(fields=["-at"], name="accesslog_recent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.page} at {self.at:%Y-%m-%d %H:%M}"


def _tracking(tracked_model: type[models.Model], *, exclude: tuple[str, ...] = ()) -> type[models.Model]:
    """An abstract event model that snapshots every column of `tracked_model` on insert, update and delete."""
    return pghistory.create_event_model(
        tracked_model,
        pghistory.InsertEvent(trigger_name="audit_insert"),
        pghistory.UpdateEvent(trigger_name="audit_update"),  # fires only when a tracked column really changes
        pghistory.DeleteEvent(trigger_name="audit_delete"),
        exclude=list(exclude),
        # Context stored on each event row rather than in pghistory's shared Context table:
        # that table's rows are upserted (UPDATEd) during a request, which an append-only
        # audit trail cannot allow, and each event stays readable on its own.
        context_field=pghistory.ContextJSONField(),
        app_label="audit",
    )


def _recent(name: str) -> models.Index:
    return models.Index(fields=["-pgh_created_at"], name=f"audit_{name}_recent")


def _parent_client() -> models.ForeignKey:
    """The client of a child record (an area, a test, an addendum), filled by a trigger (migration 0002).

    Taken from the parent when the event is written: areas of a website intake not yet
    matched to a client have none.
    """
    return models.ForeignKey(
        Client,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client of the parent record, set by the database when the event is written.",
    )


# The search columns derived from the names and phone, and the latest visit kept by the
# appointments trigger, are not copied: they are not what anyone wrote, and audit pages never show them.
class ClientEvent(_tracking(Client, exclude=("search_name", "phone_digits", "name_words", "last_visit_at"))):
    class Meta:
        indexes = [_recent("client")]


class IntakeEvent(_tracking(Intake)):
    class Meta:
        indexes = [_recent("intake")]


class IntakeAreaEvent(_tracking(IntakeArea)):
    client = _parent_client()

    class Meta:
        indexes = [_recent("intakearea")]


class IntakeHistoryEventEvent(_tracking(IntakeHistoryEvent)):
    client = _parent_client()

    class Meta:
        indexes = [_recent("intakehistory")]


class AssessmentEvent(_tracking(Assessment)):
    class Meta:
        indexes = [_recent("assessment")]


class RangeOfMotionTestEvent(_tracking(RangeOfMotionTest)):
    client = _parent_client()

    class Meta:
        indexes = [_recent("romtest")]


class PalpationFindingEvent(_tracking(PalpationFinding)):
    client = _parent_client()

    class Meta:
        indexes = [_recent("palpation")]


class SpecialTestEvent(_tracking(SpecialTest)):
    client = _parent_client()

    class Meta:
        indexes = [_recent("specialtest")]


class TreatmentPlanEvent(_tracking(TreatmentPlan)):
    class Meta:
        indexes = [_recent("plan")]


class SessionNoteEvent(_tracking(SessionNote)):
    class Meta:
        indexes = [_recent("note")]


class NoteAreaEvent(_tracking(NoteArea)):
    client = _parent_client()

    class Meta:
        indexes = [_recent("notearea")]


class AddendumEvent(_tracking(Addendum)):
    client = _parent_client()

    class Meta:
        indexes = [_recent("addendum")]


class ImportedNoteEvent(_tracking(ImportedNote)):
    class Meta:
        indexes = [_recent("importednote")]


class AppointmentEvent(_tracking(Appointment)):
    class Meta:
        indexes = [_recent("appointment")]


# Columns of a snapshot that are not shown as changes: bookkeeping every save touches.
QUIET_COLUMNS = {"updated_at"}

# The public pages where a client, signed in as nobody, fills in and submits their intake form
# (the website's new-client form and the links the clinic sends). Staff entering an intake
# in the room use the same pages signed in, so their changes carry their own name.
CLIENT_FORM_PAGES = {"intake:new", "intake:open", "intake:step"}


class Change(models.Model):
    """One event of any tracked model: a read-only view (audit_change, migration 0002) over all event tables.

    `data` is the row after the change (before it, for a delete); `previous` is the
    object's previous snapshot, so an update shows each changed column before → after.
    """

    class Action(models.TextChoices):
        INSERT = "insert", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        BASELINE = "baseline", "On record when the audit trail started"

    id = models.TextField(primary_key=True)  # "<model label>:<event id>"
    model = models.CharField(max_length=100)  # the tracked model's label, e.g. "visits.sessionnote"
    event_id = models.BigIntegerField()
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    username = models.TextField(blank=True)  # "" when the change was made outside a request
    url = models.TextField(blank=True)
    url_name = models.TextField(blank=True)
    context_id = models.UUIDField(null=True)
    client = models.ForeignKey(Client, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+")
    data = models.JSONField()
    previous = models.JSONField(null=True)

    # Names of the staff this change's values refer to (therapist, signed by...), by user id:
    # filled for a whole page at once by audit.selectors.name_people(). Unnamed ids show as "#id".
    people: Mapping[int, str] = MappingProxyType({})

    class Meta:
        managed = False
        db_table = "audit_change"

    def __str__(self):
        return f"{self.get_action_display()} {self.object_label} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def tracked_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def object_label(self) -> str:
        return f"{self.tracked_model._meta.verbose_name.capitalize()} #{self.object_id}"

    @property
    def who(self) -> str:
        if self.user_id:
            return str(self.user) if self.user else (self.username or f"User #{self.user_id}")
        if self.url_name in CLIENT_FORM_PAGES:  # made during a request, by a visitor signed in as nobody
            return "the client (online form)"
        return "No user (script, shell or database)"

    def people_ids(self) -> set[int]:
        """Ids of the staff this change's values refer to, before and after."""
        rows = [self.data] + ([self.previous] if self.previous else [])
        return {
            row[field.column]
            for field in self._stored_fields()
            if _is_person(field)
            for row in rows
            if isinstance(row.get(field.column), int)
        }

    def field_changes(self) -> list[tuple[str, str, str]]:
        """(label, before, after) for each column an update changed, in the model's field order."""
        if self.action != self.Action.UPDATE or self.previous is None:
            return []
        return [
            (
                _label(field),
                _shown(field, self.previous[field.column], self.people),
                _shown(field, self.data[field.column], self.people),
            )
            for field in self._stored_fields()
            if field.column not in QUIET_COLUMNS
            and field.column in self.previous
            and self.previous[field.column] != self.data[field.column]
        ]

    def snapshot(self) -> list[tuple[str, str]]:
        """(label, value) for each column of the row as stored with this event, in the model's field order."""
        return [(_label(field), _shown(field, self.data[field.column], self.people)) for field in self._stored_fields()]

    def _stored_fields(self) -> list[models.Field]:
        # Columns PostgreSQL derives from others (search helpers) are not shown.
        return [
            field
            for field in self.tracked_model._meta.concrete_fields
            if field.column in self.data and not field.generated
        ]


def _label(field: models.Field) -> str:
    return str(field.verbose_name).capitalize()


def _is_person(field: models.Field) -> bool:
    return field.is_relation and field.related_model._meta.label_lower == settings.AUTH_USER_MODEL.lower()


def _shown(field: models.Field, value, people: Mapping[int, str]) -> str:
    """A stored value as the audit pages show it: choice labels, staff names, ids of other rows, lists joined."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_choice(field, item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items()) or "—"
    if _is_person(field) and value in people:
        return people[value]
    if field.is_relation:
        return f"#{value}"
    if isinstance(field, models.DateTimeField) and (moment := parse_datetime(str(value))):
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"
    return _choice(field, value)


def _choice(field: models.Field, value) -> str:
    choices = dict(field.flatchoices or getattr(getattr(field, "base_field", None), "flatchoices", None) or [])
    return str(choices.get(value, value)) if isinstance(value, str | int) else str(value)
