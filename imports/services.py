"""Import batches from upload to undo. The work itself (reading, matching, writing) is in engine.py;
the background jobs that call these are in tasks.py."""

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from clients.models import Client
from imports import engine
from imports.fields import IGNORE, field_choices, header_key
from imports.models import BatchChange, DateOrder, ExternalRecord, ImportBatch, Kind, SavedMapping, Source
from imports.reading import NotATable
from scheduling.models import Appointment
from sessions.models import ImportedNote, ImportedNoteWithdrawal

UNDO_REASON = "Import undone"


class ImportRefused(Exception):
    """Said to the person as it is: why this cannot be done now."""


def max_bytes() -> int:
    return settings.IMPORT_MAX_MEGABYTES * 1024 * 1024


def batch_upload(*, data: bytes, file_name: str, source: str, kind: str, source_name: str = "", by=None) -> ImportBatch:
    """A new batch holding the file. Refuses files too large or empty; the job reads it."""
    if source not in Source.values or kind not in Kind.values:
        raise ImportRefused("Choose where the file comes from and what it holds.")
    if kind == Kind.NOTES and source == Source.JANE:
        raise ImportRefused(
            "Jane gives charts as PDF files, not as a table: attach them to the clients' profiles instead."
        )
    if not data:
        raise ImportRefused("The file is empty.")
    if len(data) > max_bytes():
        raise ImportRefused(
            f"The file is larger than {settings.IMPORT_MAX_MEGABYTES} MB: split it, or ask your IT person to raise "
            "IMPORT_MAX_MEGABYTES."
        )
    return ImportBatch.objects.create(
        source=source,
        source_name=source_name.strip()[:40] if source == Source.CSV else "",
        kind=kind,
        file_name=(file_name or "upload")[-255:],
        file_size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        created_by=by,
    )


def batch_preview(batch: ImportBatch, *, progress=None) -> dict:
    """Read the file, then a dry run: counts and samples of what the import would do. Writes nothing
    but the batch's own preview."""
    try:
        return _preview(batch, progress=progress)
    except Exception as problem:  # noqa: BLE001 — whatever stops it, the batch says so and stops polling
        return _refuse(batch, f"The file could not be read to the end ({type(problem).__name__}); nothing was written.")


def _preview(batch: ImportBatch, *, progress=None) -> dict:
    try:
        survey = engine.survey(batch)
    except NotATable as problem:
        return _refuse(batch, str(problem))
    survey["unknown_services"] = engine.unknown_services(survey["services"]) if batch.kind == Kind.APPOINTMENTS else []
    survey["unknown_staff"] = engine.unknown_staff(survey["staff"]) if batch.kind == Kind.APPOINTMENTS else []
    batch.preview = {"survey": survey}
    report = {}
    if not engine.questions_left(batch):
        try:
            report = engine.run(batch, write=False, progress=progress)
        except engine.BatchRefused as problem:
            return _refuse(batch, str(problem))
    batch.preview = {"survey": survey, "report": report, "previewed_at": timezone.now().isoformat()}
    batch.status = ImportBatch.Status.PREVIEWED
    # Only if the choices are still those this preview used: changed meanwhile, a newer preview
    # is queued, and the import must not run on choices nobody saw previewed.
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.UPLOADED, choices=batch.choices).update(
        preview=batch.preview, status=batch.status
    )
    return report


def _refuse(batch: ImportBatch, message: str) -> dict:
    batch.status = ImportBatch.Status.FAILED
    batch.outcome = {"message": message}
    ImportBatch.objects.filter(pk=batch.pk).update(status=batch.status, outcome=batch.outcome, content=b"")
    return {}


def batch_choose(batch: ImportBatch, *, columns=None, date_order=None, services=None, staff=None) -> ImportBatch:
    """The person's answers (column mapping, date order, services and staff): a new preview is needed.
    The column mapping is remembered for the next file of the same program."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.is_open:
            raise ImportRefused("This import is no longer waiting for choices.")
        headers = batch.preview.get("survey", {}).get("headers", [])
        valid_fields = {value for value, _label in field_choices(batch.kind)}
        choices = dict(batch.choices)
        if columns is not None:
            choices["columns"] = {
                h: (columns.get(h, IGNORE) if columns.get(h) in valid_fields else IGNORE) for h in headers
            }
            SavedMapping.objects.update_or_create(
                system=batch.system,
                kind=batch.kind,
                defaults={"columns": {header_key(h): f for h, f in choices["columns"].items()}},
            )
        if date_order is not None:
            choices["date_order"] = date_order if date_order in DateOrder.values else ""
        if services is not None:
            choices["services"] = {str(k)[:100]: str(v)[:20] for k, v in services.items()}
        if staff is not None:
            choices["staff"] = {str(k)[:150]: str(v)[:20] for k, v in staff.items()}
        batch.choices = choices
        batch.status = ImportBatch.Status.UPLOADED
        batch.save(update_fields=["choices", "status"])
    return batch


def batch_claim(batch_id: int) -> ImportBatch:
    """Mark a previewed batch as importing; a second confirm (double click, second tab) is refused."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != ImportBatch.Status.PREVIEWED:
            raise ImportRefused("This import has already started, or needs a new preview first.")
        if engine.questions_left(batch):
            raise ImportRefused(" ".join(engine.questions_left(batch)))
        batch.status = ImportBatch.Status.IMPORTING
        batch.save(update_fields=["status"])
    return batch


def batch_import(batch: ImportBatch, *, progress=None) -> dict:
    """Write the batch, all or nothing. The file is dropped once written (its records keep their ids)."""
    try:
        report = engine.run(batch, write=True, progress=progress)
    except engine.BatchRefused as problem:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, outcome={"message": f"Nothing was imported: {problem}"}
        )
        raise
    except IntegrityError:
        # The overlaps were checked row by row; a visit booked at the desk while the import ran
        # can still collide with one of the file's. Nothing was written: importing again works.
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            outcome={
                "message": "Nothing was imported: a record written here while the import ran collided with one "
                "of the file's (a visit booked at the same time, say). Upload the file again."
            },
        )
        raise
    except Exception as problem:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            outcome={"message": f"Nothing was imported: stopped by an unexpected error ({type(problem).__name__})."},
        )
        raise
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.IMPORTED, imported_at=timezone.now(), outcome=report, content=b""
    )
    return report


def batch_cancel(batch: ImportBatch) -> None:
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED]
    ).update(status=ImportBatch.Status.CANCELLED, content=b"")
    if not updated:
        raise ImportRefused("Only an import that has not started can be cancelled.")


# --- Undo --------------------------------------------------------------------------------------------


@transaction.atomic
def batch_undo(batch: ImportBatch, *, by) -> dict:
    """Take back what the batch created and changed, where nothing changed since. Imported notes
    are sealed records: they are withdrawn from the chart (kept, with their seal), not deleted."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.IMPORTED:
        raise ImportRefused("Only an imported batch can be undone.")
    if not batch.can_undo:
        raise ImportRefused(f"An import can be undone for {settings.IMPORT_UNDO_DAYS} days; this one is older.")
    counts = {"removed": 0, "reverted": 0, "withdrawn": 0, "kept": 0}
    kept = []
    changes = BatchChange.objects.filter(batch=batch).order_by("-id")
    for change in changes.iterator(chunk_size=2000):
        outcome = _undo_one(change, batch=batch, by=by)
        counts[outcome] += 1
        if outcome == "kept" and len(kept) < 200:
            kept.append(f"{change.get_kind_display()} #{change.object_id}: changed since the import, kept")
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_at, batch.undone_by = timezone.now(), by
    batch.outcome = {**batch.outcome, "undo": {"counts": counts, "kept": kept}}
    batch.save(update_fields=["status", "undone_at", "undone_by", "outcome"])
    return counts


def _undo_one(change: BatchChange, *, batch: ImportBatch, by) -> str:
    record = ExternalRecord.objects.filter(pk=change.external_record_id).first()
    if change.kind == Kind.NOTES:
        note = ImportedNote.objects.filter(pk=change.object_id).first()
        if note is not None and not ImportedNoteWithdrawal.objects.filter(note=note).exists():
            ImportedNoteWithdrawal.objects.create(note=note, withdrawn_by=by, reason=f"{UNDO_REASON} (#{batch.pk})")
        _put_back(record, change)
        return "withdrawn"
    model = Client if change.kind == Kind.CLIENTS else Appointment
    obj = model.objects.filter(pk=change.object_id).first()
    if obj is None:
        _put_back(record, change)
        return "removed"
    if change.action == BatchChange.Action.CREATED:
        if obj.updated_at > batch.imported_at or (change.kind == Kind.APPOINTMENTS and obj.note_id):
            return "kept"
        try:
            with transaction.atomic():
                _put_back(record, change)
                obj.delete()
        except (ProtectedError, IntegrityError):  # visits, notes, intakes added since
            return "kept"
        return "removed"
    # Updated or linked: put back each value the batch wrote, unless it was changed again since.
    fields = [f for f, value in change.after.items() if engine._jsonable(getattr(obj, f)) == value]
    if len(fields) != len(change.after):
        _put_back(record, change)
        return "kept"
    for f in fields:
        setattr(obj, f, _value(model, f, change.before.get(f)))
    if fields:
        try:
            with transaction.atomic():
                obj.save(update_fields=[*fields, "updated_at"])
        except IntegrityError:  # its old time was booked since (a visit put back would overlap)
            return "kept"
    _put_back(record, change)
    return "reverted"


def _value(model, name: str, stored):
    return model._meta.get_field(name).to_python(stored) if stored is not None else None


def _put_back(record: ExternalRecord | None, change: BatchChange) -> None:
    """The external record as it was before the batch: gone if the batch made it."""
    if record is None:
        return
    if change.external_before is None:
        record.delete()
        return
    ExternalRecord.objects.filter(pk=record.pk).update(
        object_id=change.external_before["object_id"],
        values=change.external_before["values"],
        values_hash=change.external_before["values_hash"],
        batch_id=change.external_before["batch_id"],
    )
