"""The whole clinic as one encrypted archive ("if we closed tomorrow"): docs/export-format.md.

An AES-256 encrypted ZIP (WinZip AES, which 7-Zip, WinZip, macOS's Archive Utility with
Keka and most tools open with the passphrase) holding:

- `records/<app>.<Model>.json`: every record of every type (archive/records.py), one JSON
  object per line, read and written in batches so memory stays flat whatever the size;
- `clients/client-<id>-record-<date>.pdf`: each client's complete record as people read it
  (the right-of-access PDF, audit/export.py);
- `index.csv`: one line per client (id, name, date of birth, status, their PDF, counts);
- `manifest.json`, written last: the format and its version, when and by which version of
  the app, the count of each record type, and the SHA-256 of every other file.

Everything is read in one REPEATABLE READ transaction: the archive is the clinic at one
instant, even while people go on working (a note signed halfway through is in it with its
seal, or not at all). Progress (jobs/progress.py) is written through a connection of its
own, outside that transaction, so the page that started the export sees it as it goes.
"""

import codecs
import hashlib
import json
import platform
import tempfile

import django
import pyzipper
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from archive import csvsafe
from archive.records import EXCLUDED, RecordType, natural_key_model, record_types, to_json
from audit.export import export_filename, record_as_pdf
from audit.record import client_record
from clients.models import Client
from scheduling.models import Appointment
from sessions.models import SessionNote

FORMAT = "clinic-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
INDEX = "index.csv"
PDF_FOLDER = "clients"
BATCH = 1000
CHUNK = 1024 * 1024
SPOOL = 4 * 1024 * 1024  # the index stays in memory up to this size, then goes to a temporary file
INDEX_COLUMNS = [
    "client_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "status",
    "pdf_file",
    "session_notes",
    "appointments",
]


class _Entry:
    """One file inside the ZIP, written as a stream, with its SHA-256 and size as it goes."""

    def __init__(self, zf: pyzipper.AESZipFile, name: str):
        self.name = name
        self._file = zf.open(name, "w", force_zip64=True)  # a file of records may pass 4 GiB
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self._file.write(data)

    def close(self) -> dict:
        self._file.close()
        return {"sha256": self.sha256.hexdigest(), "size": self.size}


def write_archive(fileobj, *, passphrase: str, by=None, progress=None) -> dict:
    """Write the whole clinic into `fileobj` (binary, writable, seekable), encrypted with
    `passphrase`; returns the manifest. `progress` (jobs.progress.Progress) hears of each batch."""
    if not passphrase:
        raise ValueError("An archive needs a passphrase.")
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # Called inside a transaction already (tests, a caller's own): it is the snapshot.
        return _write(fileobj, passphrase=passphrase, by=by, progress=progress)
    with transaction.atomic():
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _write(fileobj, passphrase=passphrase, by=by, progress=progress)


def _write(fileobj, *, passphrase: str, by, progress) -> dict:
    created_at = timezone.now()
    types = record_types()
    counts = {record_type.label: record_type.model._base_manager.count() for record_type in types}
    client_total = Client.objects.count()
    if progress is not None:
        progress.set_total(sum(counts.values()) + client_total)
    files: dict[str, dict] = {}
    with pyzipper.AESZipFile(
        fileobj, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES, encryption_kwargs={"nbits": 256}
    ) as zf:
        zf.setpassword(passphrase.encode())
        exported = {record_type.label for record_type in types}
        for record_type in types:
            entry = _Entry(zf, record_type.file)
            written = _write_records(entry, record_type, exported=exported, progress=progress)
            files[entry.name] = entry.close()
            counts[record_type.label] = written
        files.update(_write_clients(zf, by=by, created_at=created_at, progress=progress))
        manifest = _manifest(created_at=created_at, by=by, types=types, counts=counts, files=files)
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return manifest


def _write_records(entry: _Entry, record_type: RecordType, *, exported: set[str], progress) -> int:
    """One record type as a JSON array, one record per line; returns how many were written."""
    entry.write(b"[\n")
    written = 0
    batch = 0
    for record in _records(record_type, exported=exported):
        entry.write((b",\n" if written else b"") + json.dumps(record, ensure_ascii=False).encode())
        written += 1
        batch += 1
        if batch == BATCH:
            if progress is not None:
                progress.advance(batch)
            batch = 0
    entry.write(b"\n]\n" if written else b"]\n")
    if progress is not None and batch:
        progress.advance(batch)
    return written


def _records(record_type: RecordType, *, exported: set[str]):
    names = [f.attname for f in record_type.fields]
    rows = record_type.model._base_manager.order_by("pk")
    if not record_type.links:
        for values in rows.values_list(*names).iterator(chunk_size=BATCH):
            yield {name: to_json(value) for name, value in zip(names, values, strict=True)}
        return
    prefetches = [Prefetch(link.name, queryset=_link_rows(link, exported)) for link in record_type.links]
    for obj in rows.prefetch_related(*prefetches).iterator(chunk_size=BATCH):
        record = {name: to_json(getattr(obj, name)) for name in names}
        for link in record_type.links:
            related = getattr(obj, link.name).all()
            if natural_key_model(link, exported):
                record[link.name] = sorted(list(row.natural_key()) for row in related)
            else:
                record[link.name] = sorted(to_json(row.pk) for row in related)
        yield record


def _link_rows(link, exported: set[str]):
    rows = link.related_model._base_manager.all()
    if natural_key_model(link, exported) and any(f.name == "content_type" for f in link.related_model._meta.fields):
        rows = rows.select_related("content_type")  # a permission's natural key names its model
    return rows


def _count_of(model, column: str = "client"):
    counted = model._base_manager.filter(**{column: OuterRef("pk")}).order_by().values(column)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")[:1]), 0)


def _write_clients(zf, *, by, created_at, progress) -> dict[str, dict]:
    """One PDF per client (their complete record) and the index of them all. The ZIP takes one
    file at a time: the index waits in a temporary file (in memory while small) meanwhile."""
    files = {}
    clients = (
        Client.objects.order_by("pk")
        .annotate(note_count=_count_of(SessionNote), appointment_count=_count_of(Appointment))
        .values_list("pk", "first_name", "last_name", "date_of_birth", "status", "note_count", "appointment_count")
    )
    day = timezone.localdate(created_at)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL, mode="w+", encoding="utf-8", newline="") as index:
        rows = csvsafe.writer(index)
        rows.writerow(INDEX_COLUMNS)
        for pk, first_name, last_name, born, status, notes, appointments in clients.iterator(chunk_size=BATCH):
            name = f"{PDF_FOLDER}/{export_filename(pk, 'pdf', on=day)}"
            entry = _Entry(zf, name)
            entry.write(record_as_pdf(client_record(pk), exported_by=by, exported_at=created_at))
            files[name] = entry.close()
            born = born.isoformat() if born else ""
            rows.writerow([pk, first_name, last_name, born, status, name, notes, appointments])
            if progress is not None:
                progress.advance()
        index.seek(0)
        entry = _Entry(zf, INDEX)
        entry.write(codecs.BOM_UTF8)  # spreadsheets then read the names as UTF-8
        while text := index.read(CHUNK):
            entry.write(text.encode("utf-8"))
        files[INDEX] = entry.close()
    return files


def _latest_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _manifest(*, created_at, by, types: list[RecordType], counts: dict[str, int], files: dict[str, dict]) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "created_by": {"id": by.pk, "username": by.get_username()} if by is not None else None,
        "clinic": {"name": settings.CLINIC_NAME, "address": settings.CLINIC_ADDRESS, "time_zone": settings.TIME_ZONE},
        "app": {
            "django": django.get_version(),
            "python": platform.python_version(),
            # The schema the records fit: the last migration applied of each app.
            "migrations": _latest_migrations(),
        },
        "counts": {**counts, "client_pdfs": sum(1 for name in files if name.startswith(f"{PDF_FOLDER}/"))},
        "records": [{**record_type.describe(), "count": counts[record_type.label]} for record_type in types],
        "excluded": EXCLUDED,
        "files": dict(sorted(files.items())),
    }
