"""Running an import batch: a dry run that previews, or the real import.

Both are the same pass over the file, in chunks of rows, inside one transaction: the dry run
writes and then rolls everything back, so its counts (new, matched, updated, unchanged,
conflicts, errors) are exactly what the import will do, database constraints included (a
visit that overlaps another). The import commits at the end, or rolls back whole if anything
unexpected stops it: a batch is never half-written.

Rows are matched to what is already here: the same record of the same source (its external
id, kept in ExternalRecord), else for a client the same name and date of birth, or the same
email with the same name or date of birth. A row without an id gets one made of what
identifies it, so a file imported twice changes nothing the second time.
"""

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.functions import Upper
from django.utils import timezone

from clients.models import Client
from clients.search import fold
from imports.fields import AS_QUESTION, IGNORE, guess_columns, missing_fields
from imports.models import BatchChange, ExternalRecord, ImportBatch, Kind, SavedMapping
from imports.reading import NotATable, open_table
from imports.rows import (
    DEFAULT_VISIT_MINUTES,
    Row,
    appointment_values,
    client_reference,
    client_values,
    note_values,
)
from imports.values import AmbiguousDate, BadValue, date_order_hint, is_ambiguous_date
from scheduling.models import LONGEST_VISIT, Appointment, Service
from sessions.models import ImportedNote
from sessions.seals import seal_record

CHUNK = 1000
SAMPLES = 5
KEPT_ERRORS = 1000
NEW_CHOICE = "new"
OUTCOMES = ("new", "matched", "updated", "unchanged", "conflict", "error", "skipped")
OUTCOME_LABELS = {
    "new": "New",
    "matched": "Matched to an existing record",
    "updated": "Changed since the last import",
    "unchanged": "Already imported, unchanged",
    "conflict": "Conflicts (not imported)",
    "error": "Errors (not imported)",
    "skipped": "Skipped",
}
DATE_FIELDS = {
    "clients": ("date_of_birth",),
    "appointments": ("starts_at", "ends_at", "client_date_of_birth", "cancelled_at"),
    "notes": ("signed_at", "visit_date", "client_date_of_birth"),
}
CLIENT_UPDATABLE = (
    "first_name",
    "last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "email",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "referral_source",
    "status",
)
# What an import may fill in on a client it matched (never names or status: the clinic's own).
CLIENT_FILLABLE = (
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "email",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "referral_source",
)
# Kept in an external record's values when the import matched a client the clinic already had.
LINKED = "_linked"
APPOINTMENT_UPDATABLE = ("starts_at", "ends_at", "fee", "status", "cancel_reason", "desk_notes")


class BatchRefused(Exception):
    """The whole batch cannot run (the file is not a table, a question is unanswered...)."""


class _DryRun(Exception):
    pass


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def values_hash(values: dict) -> str:
    canonical = json.dumps({k: _jsonable(v) for k, v in values.items()}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    samples: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)
    matches: list = field(default_factory=list)  # every row linked to an existing record, and to which
    notices: list = field(default_factory=list)

    def add(self, outcome: str, row: int, summary: str, detail: str = "", progress=None) -> None:
        self.counts[outcome] += 1
        if outcome in ("error", "conflict"):
            if len(self.errors) < KEPT_ERRORS:
                self.errors.append({"row": row, "outcome": outcome, "message": detail})
            if progress is not None:
                progress.error(f"{OUTCOME_LABELS[outcome].split(' (')[0]}: {detail}", row=row)
        elif outcome == "matched" and len(self.matches) < KEPT_ERRORS:
            self.matches.append({"row": row, "summary": summary, "detail": detail})
        if len(self.samples[outcome]) < SAMPLES:
            self.samples[outcome].append({"row": row, "summary": summary, "detail": detail})

    def as_json(self) -> dict:
        return {
            "counts": {outcome: self.counts.get(outcome, 0) for outcome in OUTCOMES},
            "samples": {outcome: self.samples.get(outcome, []) for outcome in OUTCOMES},
            "errors": self.errors,
            "error_total": self.counts["error"] + self.counts["conflict"],
            "matches": self.matches,
            "notices": self.notices,
        }


# --- Reading the file: columns, questions -----------------------------------------------------------


def remembered_columns(batch: ImportBatch) -> dict[str, str]:
    saved = SavedMapping.objects.filter(system=batch.system, kind=batch.kind).first()
    return saved.columns if saved else {}


def survey(batch: ImportBatch) -> dict:
    """The first look at a file: its columns and their fields, the date order, the services and
    staff it names. Refuses what is not a table (NotATable)."""
    table = open_table(bytes(batch.content), batch.file_name)
    columns = batch.choices.get("columns") or guess_columns(table.headers, batch.kind, remembered_columns(batch))
    columns = {header: columns.get(header, IGNORE) for header in table.headers}
    date_columns = [h for h, f in columns.items() if f in DATE_FIELDS[batch.kind]]
    hints, ambiguous, rows = Counter(), 0, 0
    services, staff = defaultdict(Counter), Counter()
    service_column = next((h for h, f in columns.items() if f == "service"), None)
    staff_column = next((h for h, f in columns.items() if f == ("staff" if batch.kind == "appointments" else "")), None)
    duration_column = next((h for h, f in columns.items() if f == "duration"), None)
    index = {header: position for position, header in enumerate(table.headers)}
    for _number, cells in table.rows:
        rows += 1
        for header in date_columns:
            value = cells[index[header]]
            if hint := date_order_hint(value):
                hints[hint] += 1
            elif is_ambiguous_date(value):
                ambiguous += 1
        if service_column is not None:
            name = str(cells[index[service_column]]).strip()[:100]
            minutes = str(cells[index[duration_column]]).strip() if duration_column is not None else ""
            services[name][minutes] += 1
        if staff_column is not None:
            staff[str(cells[index[staff_column]]).strip()[:150]] += 1
    if rows == 0:
        raise NotATable("The file has a header row but no data rows.")
    detected = ""
    if hints and len(hints) == 1:
        detected = next(iter(hints))
    return {
        "headers": table.headers,
        "columns": columns,
        "rows": rows,
        "file_type": table.file_type,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "date_order_detected": detected,
        "date_order_conflict": len(hints) > 1,
        "ambiguous_dates": ambiguous if not detected else 0,
        "services": {name: dict(lengths) for name, lengths in services.items()},
        "staff": dict(staff),
        "missing": missing_fields(batch.kind, columns),
    }


def unknown_services(names) -> list[str]:
    known = {fold(name) for name in Service.objects.values_list("name", flat=True)}
    return sorted(name for name in names if name and fold(name) not in known)


def staff_by_name() -> dict[str, int]:
    people = {}
    for user in get_user_model().objects.order_by("-is_active", "id"):
        for name in (user.get_full_name(), user.username, str(user)):
            if name.strip():
                people.setdefault(fold(name), user.pk)
    return people


def unknown_staff(names) -> list[str]:
    people = staff_by_name()
    return sorted(name for name in names if fold(name) not in people)


def questions_left(batch: ImportBatch) -> list[str]:
    """What the person must still answer before the import can run."""
    survey_ = batch.preview.get("survey", {})
    left = list(survey_.get("missing", []))
    if survey_.get("date_order_conflict") and not batch.choices.get("date_order"):
        left.append("The dates in this file are written both day-first and month-first: choose the order to read.")
    elif survey_.get("ambiguous_dates") and not batch.choices.get("date_order"):
        left.append("Dates like 03/04/1987 could be day-first or month-first: choose the order this file uses.")
    return left


# --- The pass over the rows ------------------------------------------------------------------------


def run(batch: ImportBatch, *, write: bool, progress=None) -> dict:
    """Dry run (write=False) or import the batch; returns its report. Raises BatchRefused."""
    if questions_left(batch):
        raise BatchRefused(" ".join(questions_left(batch)))
    try:
        table = open_table(bytes(batch.content), batch.file_name)
    except NotATable as problem:
        raise BatchRefused(str(problem)) from None
    columns = batch.choices.get("columns") or batch.preview.get("survey", {}).get("columns") or {}
    date_order = batch.choices.get("date_order") or batch.preview.get("survey", {}).get("date_order_detected", "")
    importer_class = {Kind.CLIENTS: ClientImporter, Kind.APPOINTMENTS: AppointmentImporter, Kind.NOTES: NoteImporter}
    report = Report()
    if progress is not None:
        progress.set_total(batch.preview.get("survey", {}).get("rows") or 0)
    try:
        with transaction.atomic():
            # Foreign keys checked at each statement, not queued to the commit: hundreds of
            # thousands of queued checks make every later statement of the transaction slower.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            importer = importer_class[batch.kind](batch, report, date_order=date_order, write=write, progress=progress)
            chunk = []
            for number, cells in table.rows:
                chunk.append(_row(number, cells, table.headers, columns))
                if len(chunk) >= CHUNK:
                    importer.handle(chunk)
                    chunk = []
            if chunk:
                importer.handle(chunk)
            if write:
                importer.finish()
            else:
                raise _DryRun
    except _DryRun:
        pass
    except NotATable as problem:
        raise BatchRefused(str(problem)) from None
    return report.as_json()


def _row(number: int, cells: list, headers: list[str], columns: dict[str, str]) -> Row:
    row = Row(number, {})
    for header, cell in zip(headers, cells, strict=False):
        target = columns.get(header, IGNORE)
        if target == AS_QUESTION:
            row.questions.append((header, cell))
        elif target:
            row.cells[target] = cell
    return row


class Importer:
    kind: str

    def __init__(self, batch: ImportBatch, report: Report, *, date_order: str, write: bool, progress=None):
        self.batch, self.report, self.date_order, self.write, self.progress = batch, report, date_order, write, progress
        self.system = batch.system
        self.seen: dict[str, int] = {}  # external id -> first row
        self.by = batch.created_by

    def error(self, row: Row, problem: Exception | str) -> None:
        message = str(problem)
        if isinstance(problem, AmbiguousDate):
            message = f"{message}: choose the file's date order"
        self.report.add("error", row.number, "", message, self.progress)

    def external_records(self, kind: str, ids) -> dict[str, ExternalRecord]:
        return {
            record.external_id: record
            for record in ExternalRecord.objects.filter(system=self.system, kind=kind, external_id__in=list(ids))
        }

    def first_time(self, row: Row, external_id: str) -> bool:
        if external_id in self.seen:
            self.report.add(
                "error", row.number, "", f"The same record as row {self.seen[external_id]} (same id)", self.progress
            )
            return False
        self.seen[external_id] = row.number
        return True

    def advance(self, count: int) -> None:
        if self.progress is not None:
            self.progress.advance(count)

    def remember(
        self,
        *,
        kind: str,
        external_id: str,
        object_id: int,
        values: dict,
        record=None,
        action: str,
        before=None,
        after=None,
        linked: bool = False,
    ) -> BatchChange:
        """The external record (new or moved to this batch) and what the batch did. `linked`: the
        record was the clinic's own before the import matched it (later imports fill blanks only)."""
        stored = {k: _jsonable(v) for k, v in values.items()}
        if linked:
            stored[LINKED] = True
        external_before = None
        if record is None:
            record = ExternalRecord.objects.create(
                system=self.system,
                kind=kind,
                external_id=external_id,
                object_id=object_id,
                values=stored,
                values_hash=values_hash(values),
                batch=self.batch,
            )
        else:
            external_before = {
                "object_id": record.object_id,
                "values": record.values,
                "values_hash": record.values_hash,
                "batch_id": record.batch_id,
            }
            record.object_id, record.values, record.values_hash = object_id, stored, values_hash(values)
            record.batch, record.updated_at = self.batch, timezone.now()
            record.save()
        return BatchChange(
            batch=self.batch,
            kind=kind,
            object_id=object_id,
            action=action,
            before=before or {},
            after=after or {},
            external_record_id=record.pk,
            external_before=external_before,
        )

    def created(self, kind: str, objects: list, items: list) -> list[BatchChange]:
        """After the INSERT of new records (objects, with their ids, in the order of items
        (row, key, values, summary)): their external records, the report and the batch's changes."""
        records = ExternalRecord.objects.bulk_create(
            [
                ExternalRecord(
                    system=self.system,
                    kind=kind,
                    external_id=key,
                    object_id=obj.pk,
                    values={k: _jsonable(v) for k, v in values.items()},
                    values_hash=values_hash(values),
                    batch=self.batch,
                )
                for obj, (_row, key, values, _summary) in zip(objects, items, strict=True)
            ]
        )
        changes = []
        for obj, record, (row, _key, _values, summary) in zip(objects, records, items, strict=True):
            self.report.add("new", row.number, summary)
            changes.append(
                BatchChange(
                    batch=self.batch,
                    kind=kind,
                    object_id=obj.pk,
                    action=BatchChange.Action.CREATED,
                    external_record_id=record.pk,
                )
            )
        return changes

    def finish(self) -> None:
        pass


def _summary_date(value) -> str:
    return value.isoformat() if value else "no date of birth"


# --- Clients -----------------------------------------------------------------------------------------


class ClientImporter(Importer):
    kind = Kind.CLIENTS

    def handle(self, rows: list[Row]) -> None:
        converted = []
        for row in rows:
            try:
                values = client_values(row, date_order=self.date_order, system_label=self.batch.system_label)
            except BadValue as problem:
                self.error(row, problem)
                continue
            key = values.pop("external_id") or _client_key(values)
            if self.first_time(row, key):
                converted.append((row, key, values))
        known = self.external_records(Kind.CLIENTS, [key for _, key, _ in converted])
        candidates = self._candidates([values for _, key, values in converted if key not in known])
        changes, new_clients = [], []
        for row, key, values in converted:
            summary = f"{values['first_name']} {values['last_name']}, born {_summary_date(values['date_of_birth'])}"
            record = known.get(key)
            if record is not None:
                changes.extend(self._update(row, key, values, record, summary))
                continue
            matches, conflict = _match(values, candidates)
            if conflict:
                self.report.add("conflict", row.number, summary, conflict, self.progress)
            elif matches:
                changes.append(self._link(row, key, values, matches[0], summary))
            else:
                new_clients.append((row, key, values, summary))
        if new_clients:
            clients = [
                Client(**values, created_by=self.by, updated_by=self.by) for _row, _key, values, _summary in new_clients
            ]
            Client.objects.bulk_create(clients, batch_size=CHUNK)
            changes += self.created(Kind.CLIENTS, clients, new_clients)
        BatchChange.objects.bulk_create(changes)
        self.advance(len(rows))

    def _candidates(self, people: list[dict]) -> dict:
        """Existing clients who share a date of birth or an email with someone in this chunk."""
        births = {p["date_of_birth"] for p in people if p["date_of_birth"]}
        emails = {p["email"] for p in people if p["email"]}
        by_birth, by_email = defaultdict(list), defaultdict(list)
        if births or emails:
            query = Client.objects.filter(date_of_birth__in=births) | Client.objects.annotate(
                email_upper=Upper("email")
            ).filter(email_upper__in=[email.upper() for email in emails])
            for client in query.only("id", "first_name", "last_name", "preferred_name", "date_of_birth", "email"):
                by_birth[(fold(client.first_name), fold(client.last_name), client.date_of_birth)].append(client)
                if client.preferred_name:
                    by_birth[(fold(client.preferred_name), fold(client.last_name), client.date_of_birth)].append(client)
                if client.email:
                    by_email[client.email.lower()].append(client)
        return {"birth": by_birth, "email": by_email}

    def _update(self, row, key, values, record, summary) -> list[BatchChange]:
        if record.values_hash == values_hash(values):
            self.report.add("unchanged", row.number, summary)
            return []
        client = Client.objects.filter(pk=record.object_id).first()
        if client is None:
            self.report.add("conflict", row.number, summary, "Imported before, and deleted here since", self.progress)
            return []
        previous = record.values
        linked = bool(previous.get(LINKED))
        # A client the clinic had before the import matched them keeps its names and status:
        # a newer export changes only what an import may fill in.
        updatable = CLIENT_FILLABLE if linked else CLIENT_UPDATABLE
        changed = [f for f in updatable if _jsonable(values[f]) != previous.get(f)]
        before = {f: _jsonable(getattr(client, f)) for f in changed}
        for f in changed:
            setattr(client, f, values[f])
        if changed:
            client.updated_by = self.by
            client.save(update_fields=[*changed, "updated_by", "updated_at"])
        self.report.add(
            "updated", row.number, summary, "Changed: " + (", ".join(f.replace("_", " ") for f in changed) or "nothing")
        )
        after = {f: _jsonable(values[f]) for f in changed}
        return [
            self.remember(
                kind=Kind.CLIENTS,
                external_id=key,
                object_id=client.pk,
                values=values,
                record=record,
                action=BatchChange.Action.UPDATED,
                before=before,
                after=after,
                linked=linked,
            )
        ]

    def _link(self, row, key, values, client, summary) -> BatchChange:
        blanks = [f for f in CLIENT_FILLABLE if values[f] not in ("", None) and getattr(client, f) in ("", None)]
        before = {f: _jsonable(getattr(client, f)) for f in blanks}
        if blanks:
            client = Client.objects.get(pk=client.pk)
            for f in blanks:
                setattr(client, f, values[f])
            client.updated_by = self.by
            client.save(update_fields=[*blanks, "updated_by", "updated_at"])
        detail = f"Existing client #{client.pk}" + (
            f"; filled in: {', '.join(f.replace('_', ' ') for f in blanks)}" if blanks else ""
        )
        self.report.add("matched", row.number, summary, detail)
        return self.remember(
            kind=Kind.CLIENTS,
            external_id=key,
            object_id=client.pk,
            values=values,
            action=BatchChange.Action.LINKED,
            before=before,
            after={f: _jsonable(values[f]) for f in blanks},
            linked=True,
        )


def _client_key(values: dict) -> str:
    """The id of a row that has none: its name and date of birth (re-imports find it again)."""
    born = values["date_of_birth"].isoformat() if values["date_of_birth"] else ""
    return f"name:{fold(values['first_name'])}|{fold(values['last_name'])}|{born}"[:100]


def _match(values: dict, candidates: dict) -> tuple[list, str]:
    """(the one existing client this row is, '') or ([], why it is a conflict) or ([], '') for new."""
    first, last, born = fold(values["first_name"]), fold(values["last_name"]), values["date_of_birth"]
    same = []
    if born:
        same = list({c.pk: c for c in candidates["birth"].get((first, last, born), [])}.values())
    if len(same) > 1:
        return (
            [],
            f"Matches {len(same)} existing clients with this name and date of birth (#{same[0].pk}, #{same[1].pk})",
        )
    if same:
        return same, ""
    if values["email"]:
        by_email = candidates["email"].get(values["email"], [])
        agreeing = [
            c
            for c in by_email
            if (born and c.date_of_birth == born) or (fold(c.first_name) == first and fold(c.last_name) == last)
        ]
        if len(agreeing) == 1:
            return agreeing, ""
        if by_email:
            return [], (
                f"Its email is existing client #{by_email[0].pk}'s, with another name and date of birth "
                "(a relative sharing an email?): add it by hand if it is someone else"
            )
    return [], ""


# --- Appointments -----------------------------------------------------------------------------------


class ClientFinder:
    """Who a row of appointments or notes belongs to: by the source's id, else by name (and birth date)."""

    def __init__(self, system: str):
        self.system = system

    def resolve(self, references: list[dict]) -> list[tuple[int | None, str]]:
        ids = {r["client_external_id"] for r in references if r["client_external_id"]}
        known = {
            record.external_id: record.object_id
            for record in ExternalRecord.objects.filter(system=self.system, kind=Kind.CLIENTS, external_id__in=ids)
        }
        names = {r["client_last_name"].upper() for r in references if r["client_last_name"]}
        by_name = defaultdict(list)
        if names:
            query = Client.objects.annotate(last_upper=Upper("last_name")).filter(last_upper__in=names)
            for client in query.only("id", "first_name", "last_name", "preferred_name", "date_of_birth"):
                for first in {client.first_name, client.preferred_name} - {""}:
                    by_name[(fold(first), fold(client.last_name))].append(client)
        results = []
        for reference in references:
            if reference["client_external_id"] in known:
                results.append((known[reference["client_external_id"]], ""))
                continue
            found = list(
                {
                    c.pk: c
                    for c in by_name.get(
                        (fold(reference["client_first_name"]), fold(reference["client_last_name"])), []
                    )
                }.values()
            )
            if reference["client_date_of_birth"]:
                found = [c for c in found if c.date_of_birth in (None, reference["client_date_of_birth"])]
            if len(found) == 1:
                results.append((found[0].pk, ""))
            elif len(found) > 1:
                results.append((None, f"{len(found)} clients have this name: add the client's id or date of birth"))
            elif reference["client_external_id"]:
                results.append((None, "No client with this id: import the client list of the same program first"))
            else:
                results.append((None, "No client with this name: import the client list first"))
        return results


class AppointmentImporter(Importer):
    kind = Kind.APPOINTMENTS
    # A file names a handful of services and therapists hundreds of thousands of times.
    _folded: dict[str, str]

    def fold(self, name: str) -> str:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = fold(name)
        return folded

    def __init__(self, batch, report, **kwargs):
        super().__init__(batch, report, **kwargs)
        self._folded = {}
        self.finder = ClientFinder(self.system)
        self.services = self._services()
        self.staff = self._staff()
        # Each client's latest visit is refreshed once, at the end, not once per chunk
        # (scheduling migration 0003).
        self.clients_seen: set[int] = set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('clinic.last_visit_deferred', 'on', true)")

    def finish(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('clinic.last_visit_deferred', 'off', true)")
            cursor.execute("SELECT visits_refresh_clients_last_visit(%s)", [sorted(self.clients_seen)])

    def _services(self) -> dict[str, Service]:
        chosen = self.batch.choices.get("services", {})
        survey_ = self.batch.preview.get("survey", {}).get("services", {})
        services = {fold(service.name): service for service in Service.objects.order_by("-active", "id")}
        by_id = {str(service.pk): service for service in services.values()}
        for name, lengths in survey_.items():
            if not name or fold(name) in services and name not in chosen:
                continue
            choice = str(chosen.get(name, NEW_CHOICE))
            if choice in by_id:
                services[fold(name)] = by_id[choice]
            else:
                minutes = _typical_minutes(lengths)
                services[fold(name)] = Service.objects.create(
                    name=name[:100], duration_minutes=minutes, fee=Decimal("0.00"), active=False
                )
                self.report.notices.append(f"New service “{name[:100]}” ({minutes} min), not offered for booking.")
        return services

    def _staff(self) -> dict[str, int]:
        chosen = self.batch.choices.get("staff", {})
        people = staff_by_name()
        user_ids = set(get_user_model().objects.values_list("pk", flat=True))
        staff = {}
        for name in self.batch.preview.get("survey", {}).get("staff", {}):
            choice = str(chosen.get(name, ""))
            if choice.isdigit() and int(choice) in user_ids:
                staff[fold(name)] = int(choice)
            elif fold(name) in people and not choice:
                staff[fold(name)] = people[fold(name)]
            else:
                staff[fold(name)] = self._former_staff(name)
        return staff

    def _therapist(self, name: str) -> int:
        key = self.fold(name)
        if key not in self.staff:  # a name the survey did not see (the file changed?)
            self.staff[key] = self._former_staff(name)
        return self.staff[key]

    def _former_staff(self, name: str) -> int:
        """A sign-in-less account for a therapist named in old appointments who does not work here now."""
        User = get_user_model()
        first, _, last = (name or "Unknown therapist").partition(" ")
        base = "former-" + ("".join(ch for ch in fold(name) if ch.isalnum())[:100] or "therapist")
        username, n = base, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}-{n}"
        user = User(username=username, first_name=first[:150], last_name=last[:150], is_active=False)
        user.set_unusable_password()
        user.save()
        self.report.notices.append(
            f"New staff account “{name or 'Unknown therapist'}” (cannot sign in) for old visits."
        )
        return user.pk

    def handle(self, rows: list[Row]) -> None:
        converted = []
        for row in rows:
            try:
                values = appointment_values(row, date_order=self.date_order)
                reference = client_reference(row, date_order=self.date_order)
            except BadValue as problem:
                self.error(row, problem)
                continue
            converted.append((row, values, reference))
        owners = self.finder.resolve([reference for _, _, reference in converted])
        ready = []
        for (row, values, _reference), (client_id, problem) in zip(converted, owners, strict=True):
            if client_id is None:
                self.error(row, problem)
                continue
            service = self.services.get(self.fold(values["service"])) or self._default_service()
            values["therapist_id"] = self._therapist(values.pop("staff"))
            values["service_id"] = service.pk
            values["client_id"] = client_id
            self.clients_seen.add(client_id)
            service_name = values.pop("service")
            if values["ends_at"] is None:
                values["ends_at"] = values["starts_at"] + timedelta(minutes=service.duration_minutes)
            if values["fee"] is None:
                values["fee"] = service.fee
            if not values["ends_at"] > values["starts_at"]:
                self.error(row, "End is not after the start")
                continue
            if values["ends_at"] - values["starts_at"] > LONGEST_VISIT:
                self.error(row, f"Longer than {LONGEST_VISIT.seconds // 3600} hours")
                continue
            key = values.pop("external_id") or (
                f"at:{client_id}|{values['starts_at'].isoformat()}|{values['therapist_id']}"
            )
            status = values["status"].replace("_", "-")
            summary = f"{values['starts_at']:%Y-%m-%d %H:%M}, {service_name or service.name}, {status}"
            if self.first_time(row, key):
                ready.append((row, key, values, summary))
        known = self.external_records(Kind.APPOINTMENTS, [key for _, key, _, _ in ready])
        changes = []
        for row, key, values, summary in ready:
            if key in known and (change := self._update(row, key, values, known[key], summary)) is not None:
                changes.append(change)
        changes += self._create_all([item for item in ready if item[1] not in known])
        BatchChange.objects.bulk_create(changes)
        self.advance(len(rows))

    def _default_service(self) -> Service:
        if fold("") not in self.services:
            self.services[fold("")] = Service.objects.create(
                name="Imported visit", duration_minutes=DEFAULT_VISIT_MINUTES, fee=Decimal("0.00"), active=False
            )
        return self.services[fold("")]

    def _create_all(self, items) -> list[BatchChange]:
        """New visits in one INSERT, those that would overlap another visit left out first (no
        savepoint per chunk: past 64 in one transaction, PostgreSQL slows down on every row)."""
        if not items:
            return []
        refused = overlaps([values for _row, _key, values, _summary in items])
        for index, reason in refused.items():
            row, _key, _values, summary = items[index]
            self.report.add("conflict", row.number, summary, reason, self.progress)
        items = [item for index, item in enumerate(items) if index not in refused]
        appointments = [Appointment(**values, created_by=self.by) for _row, _key, values, _summary in items]
        Appointment.objects.bulk_create(appointments)
        return self.created(Kind.APPOINTMENTS, appointments, items)

    def _update(self, row, key, values, record, summary) -> BatchChange | None:
        if record.values_hash == values_hash(values):
            self.report.add("unchanged", row.number, summary)
            return None
        appointment = Appointment.objects.filter(pk=record.object_id).first()
        if appointment is None:
            self.report.add("conflict", row.number, summary, "Imported before, and deleted here since", self.progress)
            return None
        changed = [f for f in APPOINTMENT_UPDATABLE if _jsonable(values[f]) != record.values.get(f)]
        before = {f: _jsonable(getattr(appointment, f)) for f in changed}
        moved = {
            **values,
            "id": appointment.pk,
            "client_id": appointment.client_id,
            "therapist_id": appointment.therapist_id,
        }
        if reason := overlaps([moved]).get(0):
            self.report.add("conflict", row.number, summary, reason, self.progress)
            return None
        for f in changed:
            setattr(appointment, f, values[f])
        appointment.save(update_fields=[*changed, "updated_at"])
        self.report.add("updated", row.number, summary, "Changed: " + (", ".join(changed) or "nothing"))
        return self.remember(
            kind=Kind.APPOINTMENTS,
            external_id=key,
            object_id=appointment.pk,
            values=values,
            record=record,
            action=BatchChange.Action.UPDATED,
            before=before,
            after={f: _jsonable(values[f]) for f in changed},
        )


def _typical_minutes(lengths: dict) -> int:
    for written, _count in sorted(lengths.items(), key=lambda item: -item[1]):
        try:
            minutes = int(float(written))
        except ValueError:
            continue
        if 5 <= minutes <= LONGEST_VISIT.seconds // 60:
            return minutes
    return DEFAULT_VISIT_MINUTES


THERAPIST_BUSY = "Overlaps another visit of the same therapist (the clinic's book refuses double bookings)"
CLIENT_BUSY = "Overlaps another visit of the same client"
NOT_LIVE = (Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW)
# Live visits already in the book that overlap the given ones, for the same therapist or client:
# the conditions of the two exclusion constraints (scheduling.models), so their GiST indexes answer.
OVERLAPS_SQL = """
SELECT n.i,
       EXISTS (SELECT 1 FROM visits_appointment a
               WHERE a.therapist_id = n.therapist AND a.id IS DISTINCT FROM n.id
                 AND NOT (a.status IN ('cancelled', 'no_show'))
                 AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(n.starts_at, n.ends_at, '[)')),
       EXISTS (SELECT 1 FROM visits_appointment a
               WHERE a.client_id = n.client AND a.id IS DISTINCT FROM n.id
                 AND NOT (a.status IN ('cancelled', 'no_show'))
                 AND tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(n.starts_at, n.ends_at, '[)'))
FROM unnest(%s::int[], %s::bigint[], %s::bigint[], %s::bigint[], %s::timestamptz[], %s::timestamptz[])
     AS n(i, id, therapist, client, starts_at, ends_at)
"""


def overlaps(visits: list[dict]) -> dict[int, str]:
    """index -> why, for each live visit that would overlap another (in the book, or earlier in
    the list) of the same therapist or client. Checked before writing, as PostgreSQL would."""
    live = [(index, v) for index, v in enumerate(visits) if v["status"] not in NOT_LIVE]
    if not live:
        return {}
    refused = {}
    with connection.cursor() as cursor:
        cursor.execute(
            OVERLAPS_SQL,
            [
                [index for index, _ in live],
                [v.get("id") for _, v in live],
                [v["therapist_id"] for _, v in live],
                [v["client_id"] for _, v in live],
                [v["starts_at"] for _, v in live],
                [v["ends_at"] for _, v in live],
            ],
        )
        for index, therapist_busy, client_busy in cursor.fetchall():
            if therapist_busy or client_busy:
                refused[index] = THERAPIST_BUSY if therapist_busy else CLIENT_BUSY
    taken = defaultdict(list)  # (who, id) -> [(start, end)] of the list's visits kept so far
    for index, visit in live:
        if index in refused:
            continue
        for who, reason in (("therapist_id", THERAPIST_BUSY), ("client_id", CLIENT_BUSY)):
            spans = taken[(who, visit[who])]
            if any(start < visit["ends_at"] and visit["starts_at"] < end for start, end in spans):
                refused[index] = reason
                break
        else:
            for who in ("therapist_id", "client_id"):
                taken[(who, visit[who])].append((visit["starts_at"], visit["ends_at"]))
    return refused


# --- Treatment notes ------------------------------------------------------------------------------


class NoteImporter(Importer):
    kind = Kind.NOTES

    def __init__(self, batch, report, **kwargs):
        super().__init__(batch, report, **kwargs)
        self.finder = ClientFinder(self.system)

    def handle(self, rows: list[Row]) -> None:
        converted = []
        for row in rows:
            try:
                values = note_values(row, date_order=self.date_order)
                reference = client_reference(row, date_order=self.date_order)
            except BadValue as problem:
                self.error(row, problem)
                continue
            if values is None:
                self.report.add("skipped", row.number, "", "A draft: only finished notes are records")
                continue
            converted.append((row, values, reference))
        owners = self.finder.resolve([reference for _, _, reference in converted])
        ready = []
        for (row, values, _reference), (client_id, problem) in zip(converted, owners, strict=True):
            if client_id is None:
                self.error(row, problem)
                continue
            values["client_id"] = client_id
            key = values.pop("external_id") or f"note:{values_hash(values)}"
            if self.first_time(row, key):
                ready.append((row, key, values))
        known = self.external_records(Kind.NOTES, [key for _, key, _ in ready])
        changes = []
        for row, key, values in ready:
            summary = " · ".join(
                part for part in (str(values["visit_date"] or ""), values["title"], values["author_name"]) if part
            )
            record = known.get(key)
            if record is not None and record.values_hash == values_hash(values):
                self.report.add("unchanged", row.number, summary)
                continue
            previous = ImportedNote.objects.filter(pk=record.object_id).first() if record else None
            note = ImportedNote(
                client_id=values["client_id"],
                source=self.batch.system_label,
                external_id=key[:100],
                title=values["title"],
                author_name=values["author_name"],
                signed_at=values["signed_at"],
                visit_date=values["visit_date"],
                content=values["content"],
                replaces=previous,
                import_batch_id=self.batch.pk,
                imported_by=self.by,
            )
            note.content_hash = note.compute_hash()
            note.save()
            if self.write:  # a dry run does not lock the clients' chains it would roll back
                seal_record(client_id=note.client_id, imported_note=note)
            if record is None:
                self.report.add("new", row.number, summary)
                changes.append(
                    self.remember(
                        kind=Kind.NOTES,
                        external_id=key,
                        object_id=note.pk,
                        values=values,
                        action=BatchChange.Action.CREATED,
                    )
                )
            else:
                self.report.add("updated", row.number, summary, "Changed at the source: kept both versions")
                changes.append(
                    self.remember(
                        kind=Kind.NOTES,
                        external_id=key,
                        object_id=note.pk,
                        values=values,
                        record=record,
                        action=BatchChange.Action.CREATED,
                    )
                )
        BatchChange.objects.bulk_create(changes)
        self.advance(len(rows))
