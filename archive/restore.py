"""A whole-clinic archive (archive/export.py) back into a fresh install, losslessly.

`restore_archive()` is the one entry point (`manage.py import_data ARCHIVE.zip --source
clinic-archive` calls it). Before anything is written it checks the passphrase, the format
version, the SHA-256 of every file against the manifest, that this install knows every
record type and field of the archive and has the migrations it was made with, and that the
database is a fresh install. Then, in one transaction:

- every record is inserted as it was, primary keys included: seals cover record ids, and
  references between records keep pointing where they did;
- the tables' own triggers are off meanwhile (ALTER TABLE ... DISABLE TRIGGER USER, which
  only the tables' owner may do: the restore switches to the owner login like `migrate`).
  With them on, the audit triggers would record every restored row as a new change made
  today, the signed-note lock would refuse the areas of a signed note, and the audit
  trail's events would have their client recomputed. Foreign keys (constraints, not user
  triggers) are still checked, at commit;
- the few rows a fresh install makes itself (the role groups, the consent text, the
  techniques, the sign-in policy) are replaced by the archive's;
- staff accounts come back with unusable passwords (the archive has no password hashes):
  each person sets one (`manage.py changepassword <username>`, then the staff page);
- id sequences continue after the highest id restored; the search lexicon is rebuilt.

Seals stay valid when RECORD_SEAL_KEY (and RECORD_SEAL_OLD_KEYS) are those of the old install:
run `manage.py verify_records` afterwards.
"""

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass

import pyzipper
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from archive.export import FORMAT, FORMAT_VERSION, MANIFEST
from archive.records import EXCLUDED, from_json, natural_key_model, omitted_fields
from clients.models import Client, ClientNameWord
from ops.db_logins import use_owner_login

SUPPORTED_VERSIONS = {FORMAT_VERSION}
# Rows a fresh install makes by itself (after migrate, or on the first page): replaced by the
# archive's. Any other record already in the database means it is not a fresh install.
REPLACEABLE = {"auth.Group", "intake.ConsentText", "visits.Technique", "accounts.ClinicPolicy"}
BATCH = 500
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be restored here; the message says why and what to do."""


@dataclass(frozen=True)
class _Restored:
    """One record type of the archive as this install restores it."""

    model: type[models.Model]
    file: str
    count: int
    columns: tuple[models.Field, ...]  # written, in the archive's order
    keys: tuple[str, ...]  # every key of a record in the file
    links: tuple[models.ManyToManyField, ...]
    unusable_password: bool  # the staff model: a new unusable password for each

    @property
    def label(self) -> str:
        return self.model._meta.label


def restore_archive(*, path, passphrase: str, progress=None, using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Restore the archive at `path` into the (fresh) database `using`; returns the count of
    each record type restored. Raises ArchiveError, before writing anything, for a wrong
    passphrase, a damaged file, an unknown format version or a database that is not empty.
    `progress` (jobs.progress.Progress or alike) hears set_total() and advance()."""
    try:
        zf = pyzipper.AESZipFile(path)
    except (OSError, zipfile.BadZipFile, pyzipper.BadZipFile) as exc:
        raise ArchiveError("This file is not a ZIP archive, or it is damaged.") from exc
    with zf:
        zf.setpassword(passphrase.encode())
        manifest = _manifest(zf)
        _check_files(zf, manifest)
        restored = [_restored(entry) for entry in manifest["records"]]
        use_owner_login(using)
        _check_schema(manifest, using)
        _check_fresh(restored, using)
        if progress is not None:
            progress.set_total(sum(item.count for item in restored))
        try:
            return _restore(zf, restored, using=using, progress=progress)
        except DatabaseError as exc:
            constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
            raise ArchiveError(
                "The database refused the archive's records"
                + (f" (constraint {constraint})" if constraint else f" ({type(exc).__name__})")
                + ": nothing was restored. Restore as the tables' owner (DATABASE_OWNER_URL) into a fresh install."
            ) from exc


# --- Checks, before anything is written ------------------------------------------------------


def _read(zf, name: str) -> bytes:
    try:
        return zf.read(name)
    except KeyError as exc:
        raise ArchiveError(f"This is not a clinic archive, or it is damaged: {name} is missing.") from exc
    except RuntimeError as exc:  # pyzipper: no or a wrong password
        raise ArchiveError("Wrong passphrase: the archive cannot be opened with it.") from exc
    except (zipfile.BadZipFile, pyzipper.BadZipFile, zlib.error, EOFError) as exc:
        raise ArchiveError(f"The archive is damaged ({name} cannot be read), or the passphrase is wrong.") from exc


def _manifest(zf) -> dict:
    try:
        manifest = json.loads(_read(zf, MANIFEST))
    except ValueError as exc:
        raise ArchiveError("The archive is damaged: its manifest.json is not JSON.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("This ZIP file is not a whole-clinic archive (its manifest names another format).")
    version = manifest.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        raise ArchiveError(
            f"Unknown archive format version {version!r}: this install reads version "
            f"{', '.join(map(str, sorted(SUPPORTED_VERSIONS)))}. Restore with the version of the app that made it."
        )
    return manifest


def _check_files(zf, manifest: dict) -> None:
    """Every file the manifest lists is there with its SHA-256, and there is nothing else."""
    listed = manifest.get("files") or {}
    present = {name for name in zf.namelist() if not name.endswith("/")} - {MANIFEST}
    if missing := sorted(set(listed) - present):
        raise ArchiveError(f"The archive is damaged: {len(missing)} file(s) missing, e.g. {missing[0]}.")
    if extra := sorted(present - set(listed)):
        raise ArchiveError(f"The archive is damaged or was changed: {extra[0]} is not in its manifest.")
    for name, expected in listed.items():
        digest = hashlib.sha256()
        try:
            with zf.open(name) as stream:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
        except RuntimeError as exc:
            raise ArchiveError("Wrong passphrase: the archive cannot be opened with it.") from exc
        except (zipfile.BadZipFile, pyzipper.BadZipFile, zlib.error, EOFError) as exc:
            raise ArchiveError(f"The archive is damaged: {name} cannot be read.") from exc
        if digest.hexdigest() != expected.get("sha256"):
            raise ArchiveError(f"The archive is damaged: {name} does not match its SHA-256 in the manifest.")


def _restored(entry: dict) -> _Restored:
    """A record type of the archive matched to this install's model, field by field."""
    label = entry["type"]
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise ArchiveError(
            f"The archive holds {label} records, which this install does not know: "
            "restore with the version of the app that made the archive (its manifest says which)."
        ) from exc
    if label in EXCLUDED:
        raise ArchiveError(f"The archive holds {label} records, which archives leave out: it was changed.")
    by_name = {f.attname: f for f in model._meta.concrete_fields if f.column is not None}
    link_fields = {f.name: f for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created}
    names = [field["name"] for field in entry["fields"]]
    unknown = [name for name in names if name not in by_name and name not in link_fields]
    if unknown:
        raise ArchiveError(f"{label} in the archive has fields this install does not know ({', '.join(unknown)}).")
    omitted = omitted_fields().get(label, {})
    for name, f in by_name.items():
        if name in names or f.generated or f.name in omitted:
            continue
        if not (f.null or f.has_default()):
            raise ArchiveError(f"{label} in the archive has no {name}, which this install needs.")
    return _Restored(
        model=model,
        file=entry["file"],
        count=int(entry["count"]),
        columns=tuple(by_name[name] for name in names if name in by_name and not by_name[name].generated),
        keys=tuple(names),
        links=tuple(link_fields[name] for name in names if name in link_fields),
        unusable_password="password" in omitted,
    )


def _check_schema(manifest: dict, using: str) -> None:
    """This install has applied every migration the archive's install had (its schema fits)."""
    applied = MigrationRecorder(connections[using]).applied_migrations()
    if not applied:
        raise ArchiveError("This database has no tables yet: run `manage.py migrate` first, then restore.")
    for app, name in (manifest.get("app", {}).get("migrations") or {}).items():
        if (app, name) not in applied:
            raise ArchiveError(
                f"The archive was made by a newer version of the app (migration {app}.{name} is not applied "
                "here): install that version, run `manage.py migrate`, then restore."
            )


def _check_fresh(restored: list[_Restored], using: str) -> None:
    """Nothing but what a fresh install makes by itself: a restore never mixes two clinics."""
    if Client.objects.using(using).exists():
        raise ArchiveError(
            "This database already has clients: restore into a fresh install (a new, empty database after "
            "`manage.py migrate`), never over a clinic's records."
        )
    filled = [
        item.label
        for item in restored
        if item.label not in REPLACEABLE and item.model._base_manager.using(using).exists()
    ]
    if filled:
        raise ArchiveError(
            f"This database is not a fresh install: it already has {', '.join(filled[:5])} records. "
            "Restore into a new, empty database after `manage.py migrate` (create no staff account before)."
        )


# --- Writing -------------------------------------------------------------------------------------


def _restore(zf, restored: list[_Restored], *, using: str, progress) -> dict[str, int]:
    connection = connections[using]
    counts: dict[str, int] = {}
    tables = [item.model._meta.db_table for item in restored]
    tables += [link.remote_field.through._meta.db_table for item in restored for link in item.links]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        triggered = _tables_with_triggers(cursor, tables)
        for table in triggered:
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
        for item in restored:  # what a fresh install made by itself (_check_fresh let nothing else by)
            if item.model._base_manager.using(using).exists():
                for link in item.links:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(link.remote_field.through._meta.db_table)}")
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(item.model._meta.db_table)}")
        exported = {item.label for item in restored}
        for item in restored:
            counts[item.label] = _insert_records(
                zf, item, cursor=cursor, using=using, exported=exported, progress=progress
            )
        models_with_ids = [item.model for item in restored]
        models_with_ids += [link.remote_field.through for item in restored for link in item.links]
        for statement in connection.ops.sequence_reset_sql(no_style(), models_with_ids):
            cursor.execute(statement)
        ClientNameWord.collect_all(using=using)
        # Check the references now: ALTER TABLE refuses a table with checks still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in triggered:
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return counts


def _tables_with_triggers(cursor, tables: list[str]) -> list[str]:
    cursor.execute(
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND c.relname = ANY(%s) ORDER BY c.relname",
        [tables],
    )
    return [name for (name,) in cursor.fetchall()]


def _lines(zf, name: str):
    """The records of a file written by archive/export.py: a JSON array, one record per line."""
    with zf.open(name) as stream:
        for line in io.TextIOWrapper(stream, encoding="utf-8"):
            text = line.strip()
            if text in ("[", "]", ""):
                continue
            yield json.loads(text.removesuffix(","))


def _insert_records(zf, item: _Restored, *, cursor, using: str, exported: set[str], progress) -> int:
    connection = connections[using]
    quote = connection.ops.quote_name
    table = item.model._meta.db_table
    columns = list(item.columns)
    password = next((f for f in item.model._meta.concrete_fields if f.name == "password"), None)
    if item.unusable_password and password is not None:
        columns.append(password)
    column_list = ", ".join(quote(f.column) for f in columns)
    pk_name = item.model._meta.pk.attname
    resolve = {link.name: _link_resolver(link, using=using, exported=exported) for link in item.links}
    rows, link_rows, written = [], {link.name: [] for link in item.links}, 0

    def flush():
        if rows:
            values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
            cursor.execute(f"INSERT INTO {quote(table)} ({column_list}) VALUES {values}", [v for r in rows for v in r])
        for link in item.links:
            _insert_links(cursor, link, link_rows[link.name], quote=quote)
            link_rows[link.name].clear()
        if progress is not None and rows:
            progress.advance(len(rows))
        rows.clear()

    for record in _lines(zf, item.file):
        if set(record) != set(item.keys):
            raise ArchiveError(f"The archive is damaged: a record of {item.label} does not have the manifest's fields.")
        row = [f.get_db_prep_save(from_json(f, record[f.attname]), connection) for f in item.columns]
        if item.unusable_password and password is not None:
            row.append(make_password(None))
        rows.append(row)
        for link in item.links:
            owner = record[pk_name]
            link_rows[link.name] += [(owner, resolve[link.name](value)) for value in record[link.name]]
        written += 1
        if len(rows) == BATCH:
            flush()
    flush()
    if written != item.count:
        raise ArchiveError(
            f"The archive is damaged: {item.label} has {written} records, its manifest says {item.count}."
        )
    return written


def _link_resolver(link: models.ManyToManyField, *, using: str, exported: set[str]):
    """value in the archive -> the linked row's id here (the same id, or found by natural key)."""
    related = link.related_model
    if not natural_key_model(link, exported):
        return lambda value: value
    found: dict[tuple, object] = {}

    def by_natural_key(value):
        key = tuple(value)
        if key not in found:
            try:
                found[key] = related._default_manager.db_manager(using).get_by_natural_key(*key).pk
            except related.DoesNotExist as exc:
                raise ArchiveError(
                    f"The archive links to a {related._meta.verbose_name} this install does not have "
                    f"({'.'.join(map(str, key))}): restore with the version of the app that made it."
                ) from exc
        return found[key]

    return by_natural_key


def _insert_links(cursor, link: models.ManyToManyField, pairs: list[tuple], *, quote) -> None:
    if not pairs:
        return
    through = link.remote_field.through._meta
    source = quote(link.m2m_column_name())
    target = quote(link.m2m_reverse_name())
    values = ", ".join(["(%s, %s)"] * len(pairs))
    cursor.execute(
        f"INSERT INTO {quote(through.db_table)} ({source}, {target}) VALUES {values}",
        [value for pair in pairs for value in pair],
    )
