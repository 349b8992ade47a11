"""The app's database login cannot rewrite or empty what must not change; the owner cannot
TRUNCATE the evidence either. Tried as an attacker would, over a real connection as that login.

The app login is the role of DATABASE_URL when DATABASE_OWNER_URL names another (CI, the
embedded database); otherwise the tests make a role of their own for it.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from psycopg2 import errors

from audit.models import AccessLog
from ops.db_logins import APPEND_ONLY_FUNCTIONS, APPEND_ONLY_TABLES_SQL, separate_app_login
from ops.tests.dburl import database_url_for
from sessions.models import RecordSeal
from sessions.tests.factories import add_addendum, signed_note

BASE_DIR = Path(settings.BASE_DIR)
TEST_APP_ROLE = "clinic_test_app"

pytestmark = pytest.mark.django_db(transaction=True)


def _app_role() -> tuple[str, str]:
    """(role, password) of the login the app uses, made for the tests when none is configured."""
    if separate_app_login():
        return settings.DATABASE_APP["USER"], settings.DATABASE_APP["PASSWORD"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            if os.environ.get("CI"):
                pytest.fail("CI must run the tests with DATABASE_OWNER_URL and an app login (DATABASE_URL)")
            pytest.skip("No separate app login (DATABASE_OWNER_URL), and this login cannot create one")
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {TEST_APP_ROLE} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    return TEST_APP_ROLE, ""


@dataclass
class Login:
    connection: object
    role: str

    def cursor(self):
        return self.connection.cursor()


def _connect(role: str, password: str):
    params = connection.settings_dict
    login = psycopg2.connect(
        dbname=params["NAME"],
        user=role,
        password=password or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    )
    login.autocommit = True
    return login


@pytest.fixture
def app_login():
    role, password = _app_role()
    call_command("db_roles", role, verbosity=0)
    login = _connect(role, password)
    yield Login(login, role)
    login.close()


@pytest.fixture
def records(therapist):
    note = signed_note(therapist=therapist)
    add_addendum(note, by=therapist)
    AccessLog.objects.create(user=therapist, client=note.client, page="visits:note_detail", object_id=str(note.pk))
    return note


def _refused(login, sql: str, params=(), *, error=errors.InsufficientPrivilege):
    with pytest.raises(error), login.cursor() as cursor:
        cursor.execute(sql, params)


def _evidence_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_TABLES_SQL, [list(APPEND_ONLY_FUNCTIONS)])
        return [name for (name,) in cursor.fetchall()]


# --- what the app login can and cannot do --------------------------------------------------------


def test_app_login_is_no_superuser_and_owns_nothing(app_login):
    with app_login.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
        )
        assert cursor.fetchone() == (0,)


def test_app_login_does_the_apps_work(app_login, records):
    with app_login.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET desk_notes = 'Prefers mornings' WHERE id = %s", [records.client_id])
        cursor.execute("SELECT count(*) FROM visits_sessionnote WHERE client_id = %s", [records.client_id])
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "INSERT INTO clinic_accesslog (at, user_id, client_id, page, object_id, kind, allowed, ip) "
            "SELECT now(), user_id, client_id, page, object_id, kind, allowed, ip FROM clinic_accesslog LIMIT 1"
        )
    assert AccessLog.objects.count() == 2


def test_app_login_cannot_disable_the_trigger_that_locks_signed_notes(app_login, records):
    _refused(app_login, "ALTER TABLE visits_sessionnote DISABLE TRIGGER visits_sessionnote_protect_signed")
    _refused(app_login, "ALTER TABLE visits_sessionnote DISABLE TRIGGER ALL")
    _refused(app_login, "DROP TRIGGER visits_sessionnote_protect_signed ON visits_sessionnote")
    _refused(
        app_login,
        "CREATE OR REPLACE FUNCTION visits_protect_signed_note() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NEW; END $$",
    )


def test_app_login_cannot_rewrite_a_signed_note(app_login, records):
    _refused(
        app_login,
        "UPDATE visits_sessionnote SET tissue_response = 'rewritten' WHERE id = %s",
        [records.pk],
        error=errors.RaiseException,
    )
    records.refresh_from_db()
    assert records.tissue_response != "rewritten"


@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id", "DELETE FROM {table}", "TRUNCATE {table}"])
def test_app_login_cannot_change_or_empty_the_evidence(app_login, records, statement):
    tables = _evidence_tables()
    assert {"clinic_accesslog", "audit_sessionnoteevent", "visits_addendum", "visits_recordseal"} <= set(tables)
    for table in tables:
        _refused(app_login, statement.format(table=table))
    assert AccessLog.objects.count() == 1
    assert RecordSeal.objects.count() == 2


@pytest.mark.parametrize("table", ["clients_client", "visits_sessionnote", "visits_appointment", "django_migrations"])
def test_app_login_cannot_truncate_alter_or_drop_any_table(app_login, records, table):
    _refused(app_login, f"TRUNCATE {table} CASCADE")
    _refused(app_login, f"ALTER TABLE {table} ADD COLUMN sneaky text")
    _refused(app_login, f"DROP TABLE {table} CASCADE")


def test_db_roles_takes_back_privileges_granted_by_hand(app_login):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE, UPDATE ON clinic_accesslog TO {app_login.role}")

    call_command("db_roles", app_login.role, verbosity=0)

    _refused(app_login, "TRUNCATE clinic_accesslog")
    _refused(app_login, "UPDATE clinic_accesslog SET page = 'x'")


def test_migrate_keeps_the_app_logins_grants_current(app_login):
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE SELECT ON clients_client FROM {app_login.role}")
        cursor.execute(f"GRANT DELETE ON clinic_accesslog TO {app_login.role}")

    app = dict(settings.DATABASE_APP, USER=app_login.role)
    with override_settings(DATABASE_APP=app):
        call_command("migrate", verbosity=0)

    with app_login.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM clients_client")
    _refused(app_login, "DELETE FROM clinic_accesslog")


def test_new_tables_are_usable_by_the_app_login(app_login):
    """Default privileges: a table a later migration creates needs no manual grant."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE clinic_test_later (id serial PRIMARY KEY, name text)")
    try:
        with app_login.cursor() as cursor:
            cursor.execute("INSERT INTO clinic_test_later (name) VALUES ('x')")
            cursor.execute("SELECT count(*) FROM clinic_test_later")
            assert cursor.fetchone() == (1,)
        _refused(app_login, "TRUNCATE clinic_test_later")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE clinic_test_later")


# --- TRUNCATE, whoever runs it ------------------------------------------------------------------


def test_the_owner_cannot_truncate_the_evidence_either(records):
    tables = [*_evidence_tables(), "visits_sessionnote", "visits_notearea", "visits_recordchain"]
    for table in tables:
        with pytest.raises(DatabaseError, match="TRUNCATE is refused"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AccessLog.objects.count() == 1


# --- the deploy check ---------------------------------------------------------------------------


def _deploy_check(database_url: str):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "DEBUG", "SECURE_", "SESSION_", "CSRF_", "DATABASE_"))
    }
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60 + "production-like-secret-key",
        "RECORD_SEAL_KEY": "a-seal-key-for-the-deploy-check",
        "ALLOWED_HOSTS": "clinic.example.com",
        "SITE_URL": "https://clinic.example.com",
        "DATABASE_URL": database_url,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--database", "default", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_accepts_the_app_login(app_login):
    role, password = _app_role()
    result = _deploy_check(database_url_for(role, password))
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_when_the_app_connects_as_the_owner(app_login):
    owner = settings.DATABASE_OWNER
    result = _deploy_check(database_url_for(owner["USER"], owner["PASSWORD"]))
    assert result.returncode != 0
    assert "clinic.W001" in result.stderr + result.stdout
    assert "is a superuser" in result.stderr + result.stdout or "owns" in result.stderr + result.stdout


def test_deploy_check_warns_when_trigram_operators_look_cheap():
    from ops.checks import check_trigram_operator_cost

    assert check_trigram_operator_cost(databases=["default"]) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            return  # only a superuser may change the cost to show the warning
        cursor.execute("ALTER FUNCTION similarity_op(text, text) COST 1")
    try:
        assert [w.id for w in check_trigram_operator_cost(databases=["default"])] == ["clinic.W003"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER FUNCTION similarity_op(text, text) COST 100")
