"""Backups of the clinic's database: pg_dump custom-format files, optionally encrypted.

- `backup()` runs `pg_dump --format=custom` and streams its output into the backup file,
  encrypting on the way when a key is given, so no unencrypted copy ever reaches the disk.
- `restore()` decrypts when needed (into a private temporary directory, removed afterwards)
  and runs `pg_restore` into a database that has no tables yet, in one transaction.

The tools must be at least as new as the server (pg_dump refuses a newer server); the
closest major version found wins: the embedded PostgreSQL's own binaries (pgserver),
Debian's /usr/lib/postgresql/<major>/bin, then PATH. Connection details reach them through
PG* environment variables, never their command line, where `ps` would show a password.

Encrypted files are a sequence of Fernet tokens (cryptography), one per 4 MiB of dump, each
carrying its position and an end marker, so a reordered or truncated file is refused.
"""

import glob
import importlib.util
import os
import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

PG_DUMP_MAGIC = b"PGDMP"
ENCRYPTED_MAGIC = b"CLINIC-BACKUP-FERNET-1\n"
ENCRYPTED_SUFFIX = ".enc"
CHUNK_SIZE = 4 * 1024 * 1024
_CHUNK_HEADER = struct.Struct(">QB")  # chunk number, 1 on the last chunk
_TOKEN_LENGTH = struct.Struct(">I")
_MAX_TOKEN = 2 * CHUNK_SIZE  # a Fernet token is about 4/3 of its plaintext
# Django OPTIONS (and URL query parameters) that libpq also reads from the environment.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
_PG_ENVIRONMENT = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", *_LIBPQ_OPTIONS.values())


class BackupError(Exception):
    """Something the person running backup or restore can fix; the message says what."""


@dataclass(frozen=True)
class Database:
    """Where to connect: a Django DATABASES entry or a postgres:// URL, without Django's extras."""

    name: str
    user: str = ""
    password: str = field(default="", repr=False)
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings_dict: dict) -> "Database":
        options = settings_dict.get("OPTIONS") or {}
        return cls(
            name=str(settings_dict.get("NAME") or ""),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
            # A socket directory comes as a URL parameter: postgres://user@/name?host=/run/postgresql
            host=str(settings_dict.get("HOST") or options.get("host") or ""),
            port=str(settings_dict.get("PORT") or options.get("port") or ""),
            options=tuple(sorted((k, str(v)) for k, v in options.items() if k in _LIBPQ_OPTIONS)),
        )

    @classmethod
    def from_url(cls, url: str) -> "Database":
        import environ

        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:
            raise BackupError(f"Not a database URL (expected postgres://user:password@host:5432/name): {exc}") from None
        if "postgresql" not in config.get("ENGINE", ""):
            raise BackupError("Only PostgreSQL URLs (postgres://...) are supported.")
        return cls.from_settings(config)

    def __str__(self) -> str:
        where = self.host or "the local socket"
        return f'database "{self.name}" on {where}' + (f" port {self.port}" if self.port else "")

    def environment(self) -> dict[str, str]:
        """os.environ with this database's PG* variables (and none inherited that could point elsewhere)."""
        env = {key: value for key, value in os.environ.items() if key not in _PG_ENVIRONMENT}
        values = {"PGHOST": self.host, "PGPORT": self.port, "PGUSER": self.user, "PGDATABASE": self.name}
        values.update({_LIBPQ_OPTIONS[key]: value for key, value in self.options})
        env.update({key: value for key, value in values.items() if value})
        if self.password:  # otherwise an inherited PGPASSWORD or ~/.pgpass may supply one
            env["PGPASSWORD"] = self.password
        return env

    def connect(self, dbname: str | None = None):
        """A psycopg2 connection (autocommit) to this database, or to `dbname` on the same server."""
        import psycopg2

        params = {"dbname": dbname or self.name, "user": self.user, "password": self.password}
        params |= {"host": self.host, "port": self.port, **dict(self.options)}
        try:
            connection = psycopg2.connect(**{k: v for k, v in params.items() if v})
        except psycopg2.Error as exc:
            raise BackupError(f"Cannot connect to {self}: {str(exc).strip()}") from None
        connection.autocommit = True
        return connection


def server_version(database: Database) -> int:
    """The server's version as a number, e.g. 180003 for 18.3 (SHOW server_version_num)."""
    connection = database.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            return int(cursor.fetchone()[0])
    finally:
        connection.close()


def app_tables(database: Database) -> list[str]:
    """Tables (and views) outside PostgreSQL's own schemas: none in a database fit to restore into."""
    connection = database.connect()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT n.nspname || '.' || c.relname
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname NOT LIKE 'pg\\_%'
                ORDER BY 1
                """
            )
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


# --- Finding pg_dump and pg_restore -----------------------------------------------------------


def candidate_dirs() -> list[Path]:
    """Where to look for PostgreSQL's tools, in order of preference for equal versions."""
    dirs = []
    # Found without importing pgserver (importing it has side effects, e.g. warnings).
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.submodule_search_locations:
        dirs.append(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")
    dirs += sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return dirs


def tool_major_version(path: Path) -> int | None:
    """14 for "pg_dump (PostgreSQL) 14.11", None when the program does not answer like that."""
    try:
        result = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", result.stdout)
    return int(match.group(1)) if match else None


def find_tool(name: str, server_version_num: int, dirs: list[Path] | None = None) -> Path:
    """The `name` program (pg_dump, pg_restore) of the closest major version >= the server's.

    An exact match is best: pg_dump reads any older server, but its output is only sure to
    load into a server of its own major version or newer.
    """
    server_major = server_version_num // 10000
    found: list[tuple[int, Path]] = []
    seen = set()
    paths = [d / name for d in (candidate_dirs() if dirs is None else dirs)]
    on_path = shutil.which(name)
    if on_path:
        paths.append(Path(on_path))
    for path in paths:
        if not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        major = tool_major_version(path)
        if major is not None:
            found.append((major, path))
    usable = [(major, path) for major, path in found if major >= server_major]
    if usable:
        best = min(major for major, _ in usable)
        return next(path for major, path in usable if major == best)
    seen_text = ", ".join(f"{major} ({path})" for major, path in found) or "none"
    raise BackupError(
        f"No {name} for PostgreSQL {server_major} or newer was found (found: {seen_text}). "
        f"Install the PostgreSQL {server_major} client tools, e.g. Debian's postgresql-client-{server_major}."
    )


def dump_command(pg_dump: Path) -> list[str]:
    """pg_dump's arguments: custom format to stdout; the database comes from PG* variables."""
    return [str(pg_dump), "--format=custom", "--no-password"]


def restore_command(pg_restore: Path, database: Database, dump_file: Path, use_list: Path | None = None) -> list[str]:
    """pg_restore's arguments. The database name is needed on the line (without it pg_restore
    prints SQL instead of restoring); host, user and password stay in the environment."""
    return [
        str(pg_restore),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        *([f"--use-list={use_list}"] if use_list else []),
        f"--dbname={database.name}",
        str(dump_file),
    ]


def restore_list(pg_restore: Path, dump_file: Path, scratch: Path) -> Path:
    """The dump's table of contents without the comments on extensions.

    The extensions (pg_trgm, btree_gist) belong to the superuser who created them; the
    owner login that restores may not comment on them, and the comment is PostgreSQL's own.
    Everything else, the triggers' comments included, is restored.
    """
    try:
        listing = subprocess.run(
            [str(pg_restore), "--list", str(dump_file)], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BackupError(f"Cannot read the backup's contents with {pg_restore}: {exc}") from None
    kept = [line for line in listing.splitlines() if " COMMENT - EXTENSION " not in line]
    path = scratch / "restore.list"
    path.write_text("\n".join(kept) + "\n")
    return path


# --- Encryption ------------------------------------------------------------------------------


def fernet_from_key(key: str):
    """A Fernet for the key, None when no key is set, BackupError for a malformed key."""
    if not key:
        return None
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.strip().encode())
    except ValueError:
        raise BackupError(
            "BACKUP_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes). Generate one with: "
            'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        ) from None


def _read_full(stream: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes; fewer only at the end (a pipe hands over what it has)."""
    parts, missing = [], size
    while missing:
        part = stream.read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def encrypt_stream(source: BinaryIO, target: BinaryIO, fernet) -> None:
    target.write(ENCRYPTED_MAGIC)
    number, chunk = 0, _read_full(source, CHUNK_SIZE)
    while True:
        following = _read_full(source, CHUNK_SIZE) if len(chunk) == CHUNK_SIZE else b""
        last = not following
        token = fernet.encrypt(_CHUNK_HEADER.pack(number, last) + chunk)
        target.write(_TOKEN_LENGTH.pack(len(token)) + token)
        if last:
            return
        number, chunk = number + 1, following


def decrypt_stream(source: BinaryIO, target: BinaryIO, fernet) -> None:
    from cryptography.fernet import InvalidToken

    if source.read(len(ENCRYPTED_MAGIC)) != ENCRYPTED_MAGIC:
        raise BackupError("This is not an encrypted clinic backup.")
    number = 0
    while True:
        header = source.read(_TOKEN_LENGTH.size)
        if len(header) < _TOKEN_LENGTH.size:
            raise BackupError("The encrypted backup is truncated (its end is missing).")
        (length,) = _TOKEN_LENGTH.unpack(header)
        token = source.read(length) if length <= _MAX_TOKEN else b""
        if len(token) != length or length == 0:
            raise BackupError("The encrypted backup is damaged or truncated.")
        try:
            plain = fernet.decrypt(token)
        except InvalidToken:
            raise BackupError(
                "Cannot decrypt the backup: BACKUP_ENCRYPTION_KEY is not the key it was made with, "
                "or the file is damaged."
            ) from None
        got_number, last = _CHUNK_HEADER.unpack_from(plain)
        if got_number != number:
            raise BackupError("The encrypted backup is damaged (its parts are out of order).")
        target.write(plain[_CHUNK_HEADER.size :])
        if last:
            if source.read(1):
                raise BackupError("The encrypted backup has unexpected data after its end.")
            return
        number += 1


# --- Backup and restore ----------------------------------------------------------------------


def backup(*, database: Database, output: Path, fernet=None) -> Path:
    """Dump `database` to `output` (to `output`.enc when encrypting) and return the path written.

    The file is created readable by its owner only and appears under its final name only
    once complete; an existing file is never overwritten.
    """
    output = Path(output)
    if fernet is not None and not output.name.endswith(ENCRYPTED_SUFFIX):
        output = output.with_name(output.name + ENCRYPTED_SUFFIX)
    if output.exists():
        raise BackupError(f"{output} already exists; choose another --output.")
    pg_dump = find_tool("pg_dump", server_version(database))
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a stale .partial from a crash keeps its old mode otherwise
    try:
        with os.fdopen(descriptor, "wb") as target, tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(
                    dump_command(pg_dump), stdout=subprocess.PIPE, stderr=errors, env=database.environment()
                )
            except OSError as exc:
                raise BackupError(f"Cannot run {pg_dump}: {exc}") from None
            with process.stdout as dump:
                if fernet is None:
                    shutil.copyfileobj(dump, target, CHUNK_SIZE)
                else:
                    encrypt_stream(dump, target, fernet)
            if process.wait():
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
                raise BackupError(f"pg_dump failed ({process.returncode}) on {database}: {message}")
            target.flush()
            os.fsync(target.fileno())
        with open(partial, "rb") as written:
            magic = ENCRYPTED_MAGIC if fernet is not None else PG_DUMP_MAGIC
            if written.read(len(magic)) != magic:
                raise BackupError("pg_dump wrote no archive; nothing was saved.")
        os.replace(partial, output)
    finally:
        if partial.exists():
            partial.unlink()
    return output


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as file:
        head = file.read(len(ENCRYPTED_MAGIC))
    if head.startswith(ENCRYPTED_MAGIC):
        return True
    if head.startswith(PG_DUMP_MAGIC):
        return False
    raise BackupError(f"{path} is neither a pg_dump custom-format file nor an encrypted clinic backup.")


def restore(*, database: Database, path: Path, fernet=None) -> None:
    """Load a backup made by `backup()` into `database`, which must have no tables.

    One transaction: a restore that fails half-way leaves the database as empty as it was.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No such backup file: {path}")
    encrypted = is_encrypted(path)
    if encrypted and fernet is None:
        raise BackupError(f"{path} is encrypted: set BACKUP_ENCRYPTION_KEY to the key it was made with.")
    tables = app_tables(database)
    if tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise BackupError(
            f"Refusing to restore into {database}: it is not empty ({len(tables)} tables: {shown}). "
            "Restore into a new, empty database (createdb NAME), then point the app at it."
        )
    pg_restore = find_tool("pg_restore", server_version(database))
    with tempfile.TemporaryDirectory(prefix="clinic-restore-") as scratch:  # mode 0700
        dump_file = path
        if encrypted:
            dump_file = Path(scratch) / "backup.dump"
            descriptor = os.open(dump_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(path, "rb") as source, os.fdopen(descriptor, "wb") as target:
                decrypt_stream(source, target, fernet)
        with tempfile.TemporaryFile() as errors:
            try:
                result = subprocess.run(
                    restore_command(
                        pg_restore, database, dump_file, restore_list(pg_restore, dump_file, Path(scratch))
                    ),
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    env=database.environment(),
                    check=False,
                )
            except OSError as exc:
                raise BackupError(f"Cannot run {pg_restore}: {exc}") from None
            if result.returncode:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
                raise BackupError(f"pg_restore failed ({result.returncode}) into {database}: {message}")
