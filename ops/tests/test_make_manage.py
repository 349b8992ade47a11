"""The scheduled jobs and backups run with the same settings as `make run`'s web app
(`make manage CMD=...`), so following the README in the demo setup works."""

import os
import subprocess

import pytest
from django.conf import settings

from ops.tests.dburl import database_url_for

pytestmark = pytest.mark.django_db(transaction=True)


def _make_manage(command: str, **extra) -> subprocess.CompletedProcess:
    # Nothing of the test setup: only what a person at the terminal has, plus the database.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST", "DEBUG"))}
    owner = settings.DATABASE_OWNER
    env |= {"DATABASE_URL": database_url_for(owner["USER"], owner["PASSWORD"]), **extra}
    env.pop("DATABASE_OWNER_URL", None)
    return subprocess.run(
        ["make", "-s", "manage", f"CMD={command}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_plain_manage_py_needs_the_production_settings(tmp_path):
    """Why `make manage` exists: without make run's development settings a command refuses to start."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST", "DEBUG"))}
    env |= {"DEBUG": "0", "DATABASE_URL": database_url_for(settings.DATABASE_OWNER["USER"])}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [".venv/bin/python", "manage.py", "send_reminders"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("command", ["send_reminders", "verify_records", "purge_intake_drafts --days 30"])
def test_scheduled_jobs_run_with_make_runs_settings(command):
    result = _make_manage(command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_backup_runs_with_make_runs_settings(tmp_path):
    result = _make_manage(f"backup --output {tmp_path / 'clinic.dump'}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "clinic.dump").read_bytes().startswith(b"PGDMP")
