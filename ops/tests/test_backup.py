"""manage.py backup / restore: a round trip gives the same rows, encrypted or not, and restore
refuses a database that already has tables.

pg_dump reads committed data only, so the round-trip tests use transaction=True.
"""

import io
import stat
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.roles import THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from intake.tests.factories import IntakeFactory
from ops import backup as backup_module
from ops.backup import (
    CHUNK_SIZE,
    ENCRYPTED_MAGIC,
    PG_DUMP_MAGIC,
    BackupError,
    Database,
    decrypt_stream,
    dump_command,
    encrypt_stream,
    find_tool,
    restore_command,
)
from scheduling.models import Appointment, Service
from sessions.tests.factories import AssessmentFactory, TreatmentPlanFactory, add_addendum, signed_note

# --- helpers ---------------------------------------------------------------------------------


def _source() -> Database:
    return Database.from_settings(connection.settings_dict)


def _url(database: Database, name: str) -> str:
    """A postgres:// URL for `name` on the test server (a socket directory as ?host=, as Django reads it)."""
    credentials = quote(database.user, safe="") + (f":{quote(database.password, safe='')}" if database.password else "")
    port = f":{database.port}" if database.port else ""
    if database.host.startswith("/"):
        return f"postgres://{credentials}@{port}/{name}?host={database.host}"
    return f"postgres://{credentials}@{database.host}{port}/{name}"


@pytest.fixture
def scratch_database():
    """A new, empty database on the test server (dropped afterwards); yields (name, url)."""
    source = _source()
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = source.connect("postgres")
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield name, _url(source, name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _fingerprint(database: Database) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row as text, in order) per table, and each sequence's position."""
    conn = database.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            tables = [row[0] for row in cursor.fetchall()]
            result = {}
            for table in tables:
                cursor.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
                )
                result[table] = cursor.fetchone()
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
            result |= {f"sequence {name}": (value, "") for name, value in cursor.fetchall()}
            return result
    finally:
        conn.close()


def _representative_data():
    """Clients with accents, an intake, an assessment, a plan, a signed note with an addendum, visits."""
    therapist = UserFactory(role=THERAPIST, username="thérèse", first_name="Thérèse", last_name="Lefèvre")
    zoe = ClientFactory(first_name="Zoë", last_name="Müller-Ortega", date_of_birth=date(1979, 11, 23))
    ClientFactory(first_name="José", last_name="Núñez", preferred_name="Pepe", address="Calle Mayor 5, 2º")
    ClientFactory(first_name="Søren", last_name="Ødegård", status="archived")
    IntakeFactory(client=zoe, areas=[("neck_back", "both", 6)], events=[("surgery", 2018, "Épaule opérée")])
    AssessmentFactory(client=zoe, therapist=therapist, rom=[("cervical_rotation", "left", "limited", 60)])
    TreatmentPlanFactory(client=zoe, therapist=therapist)
    note = signed_note(client=zoe, therapist=therapist, update_since_last="Plus de douleur à l'épaule")
    add_addendum(note, reason="Côté", text="Gauche, pas droite.")
    service = Service.objects.create(name="Massage 60", duration_minutes=60, fee=Decimal("80.00"))
    starts = timezone.now().replace(microsecond=0)
    for days, visit_note in ((-7, note), (7, None)):
        Appointment.objects.create(
            client=zoe,
            therapist=therapist,
            service=service,
            starts_at=starts + timedelta(days=days),
            ends_at=starts + timedelta(days=days, minutes=60),
            fee=service.fee,
            note=visit_note,
        )
    return note


def _backup(output: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output=output, stdout=out)
    written = Path(out.getvalue().split(" to ", 1)[1].rsplit(" (", 1)[0])
    assert written.exists()
    return written


# --- round trips -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_give_identical_rows(tmp_path, scratch_database, settings):
    settings.BACKUP_ENCRYPTION_KEY = ""
    note = _representative_data()

    written = _backup(tmp_path / "clinic.dump")
    assert written == tmp_path / "clinic.dump"
    assert written.read_bytes().startswith(PG_DUMP_MAGIC)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    name, url = scratch_database
    call_command("restore", str(written), database_url=url, stdout=io.StringIO())

    restored = Database.from_url(url)
    before, after = _fingerprint(_source()), _fingerprint(restored)
    assert before == after
    assert before["clients_client"][0] == 3 and before["visits_addendum"][0] == 1
    # The signed note came back signed, and still locked by its trigger.
    conn = restored.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT content_hash, update_since_last FROM visits_sessionnote WHERE id = %s", [note.pk])
            assert cursor.fetchone() == (note.content_hash, "Plus de douleur à l'épaule")
            with pytest.raises(psycopg2.Error):
                cursor.execute("UPDATE visits_sessionnote SET tissue_response = 'changed' WHERE id = %s", [note.pk])
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_encrypted_backup_round_trip_leaves_no_plain_copy(tmp_path, scratch_database, settings):
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    _representative_data()

    written = _backup(tmp_path / "clinic.dump")

    assert written == tmp_path / "clinic.dump.enc"
    assert [p.name for p in tmp_path.iterdir()] == ["clinic.dump.enc"]
    content = written.read_bytes()
    assert content.startswith(ENCRYPTED_MAGIC) and PG_DUMP_MAGIC not in content
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    _, url = scratch_database
    call_command("restore", str(written), database_url=url, stdout=io.StringIO())
    assert _fingerprint(_source()) == _fingerprint(Database.from_url(url))


@pytest.mark.django_db(transaction=True)
def test_encrypted_backup_needs_the_right_key(tmp_path, scratch_database, settings):
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    ClientFactory(first_name="Zoë")
    written = _backup(tmp_path / "clinic.dump")
    _, url = scratch_database

    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="is encrypted: set BACKUP_ENCRYPTION_KEY"):
        call_command("restore", str(written), database_url=url)
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="not the key it was made with"):
        call_command("restore", str(written), database_url=url)
    assert backup_module.app_tables(Database.from_url(url)) == []


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_has_tables(tmp_path, settings):
    settings.BACKUP_ENCRYPTION_KEY = ""
    ClientFactory(first_name="Zoë", last_name="Müller-Ortega")
    written = _backup(tmp_path / "clinic.dump")
    before = _fingerprint(_source())

    with pytest.raises(CommandError, match="Refusing to restore .* it is not empty"):
        call_command("restore", str(written))

    assert _fingerprint(_source()) == before


@pytest.mark.django_db(transaction=True)
def test_backup_never_overwrites_a_file(tmp_path, settings):
    settings.BACKUP_ENCRYPTION_KEY = ""
    existing = tmp_path / "clinic.dump"
    existing.write_bytes(b"yesterday")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=existing)

    assert existing.read_bytes() == b"yesterday"


def test_backup_refuses_a_malformed_key(tmp_path, settings):
    settings.BACKUP_ENCRYPTION_KEY = "not-a-key"

    with pytest.raises(CommandError, match="not a Fernet key"):
        call_command("backup", output=tmp_path / "clinic.dump")

    assert list(tmp_path.iterdir()) == []


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")

    with pytest.raises(CommandError, match="neither a pg_dump custom-format file nor an encrypted"):
        call_command("restore", str(bogus), database_url="postgres://nobody@127.0.0.1:1/none")


# --- encryption format -----------------------------------------------------------------------


def _encrypt(data: bytes, fernet) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, fernet)
    return out.getvalue()


def _decrypt(data: bytes, fernet) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(data), out, fernet)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 5])
def test_encryption_round_trips_any_size(size):
    fernet = Fernet(Fernet.generate_key())
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)

    assert _decrypt(_encrypt(data, fernet), fernet) == data


def test_truncated_or_reordered_encrypted_backup_is_refused():
    fernet = Fernet(Fernet.generate_key())
    whole = _encrypt(b"a" * (2 * CHUNK_SIZE + 5), fernet)
    magic = len(ENCRYPTED_MAGIC)
    chunks, rest = [], whole[magic:]
    while rest:
        length = int.from_bytes(rest[:4], "big")
        chunks.append(rest[: 4 + length])
        rest = rest[4 + length :]
    assert len(chunks) == 3

    with pytest.raises(BackupError, match="truncated"):
        _decrypt(whole[:magic] + chunks[0] + chunks[1], fernet)
    with pytest.raises(BackupError, match="out of order"):
        _decrypt(whole[:magic] + chunks[1] + chunks[0] + chunks[2], fernet)
    with pytest.raises(BackupError, match="unexpected data after its end"):
        _decrypt(whole + chunks[2], fernet)


# --- tools and connection details ------------------------------------------------------------


def _fake_tool(directory: Path, name: str, version: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    tool = directory / name
    tool.write_text(f'#!/bin/sh\necho "{name} (PostgreSQL) {version}"\n')
    tool.chmod(0o755)
    return tool


def test_find_tool_takes_the_closest_version_not_older_than_the_server(tmp_path, monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    pgserver = _fake_tool(tmp_path / "pgserver", "pg_dump", "18.3")
    debian_15 = _fake_tool(tmp_path / "15", "pg_dump", "15.20 (Debian 15.20-0+deb12u1)")
    dirs = [pgserver.parent, debian_15.parent]

    assert find_tool("pg_dump", 180003, dirs) == pgserver
    assert find_tool("pg_dump", 150020, dirs) == debian_15
    assert find_tool("pg_dump", 140011, dirs) == debian_15
    assert find_tool("pg_dump", 160004, dirs) == pgserver
    with pytest.raises(BackupError, match=r"No pg_dump for PostgreSQL 19 or newer .*found: 18 .*, 15 .*"):
        find_tool("pg_dump", 190000, dirs)


def test_password_goes_to_the_environment_never_the_command_line(tmp_path):
    database = Database.from_url("postgres://clinic:s3cr%40t-pw@db.example.com:6543/clinic_prod?sslmode=require")

    env = database.environment()
    commands = dump_command(Path("/usr/bin/pg_dump")) + restore_command(
        Path("/usr/bin/pg_restore"), database, tmp_path / "x.dump"
    )

    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.example.com",
        "6543",
        "clinic",
        "clinic_prod",
    )
    assert env["PGPASSWORD"] == "s3cr@t-pw" and env["PGSSLMODE"] == "require"
    assert not any("s3cr" in arg or "db.example.com" in arg or "clinic:" in arg for arg in commands)
    assert "s3cr" not in repr(database) and "s3cr" not in str(database)


def test_inherited_pg_variables_cannot_redirect_the_tools(monkeypatch):
    monkeypatch.setenv("PGHOST", "elsewhere.example.com")
    monkeypatch.setenv("PGDATABASE", "other")
    database = Database.from_settings({"NAME": "clinic", "USER": "postgres", "HOST": "/run/pg", "PORT": ""})

    env = database.environment()

    assert env["PGHOST"] == "/run/pg" and env["PGDATABASE"] == "clinic" and "PGPORT" not in env
