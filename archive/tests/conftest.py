"""The archive's fixtures: a clinic with one of every kind of record, and a fresh install to restore it into."""

import os
import subprocess
import sys
from urllib.parse import quote

import pghistory
import psycopg
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connections

from accounts.models import ClinicPolicy
from audit.models import AccessLog
from clients.tests.factories import ClientFactory
from imports.models import BatchChange, ExternalRecord, ImportBatch
from intake.models import ConsentText
from intake.tests.factories import IntakeFactory
from robustness_tests.world import World, build_world
from sessions.models import ImportedNote
from sessions.seals import seal_record
from sessions.tests.factories import AssessmentFactory, SessionNoteFactory

PASSPHRASE = "correct horse battery staple"
FRESH = "fresh_install"  # the database alias of the fresh install (fresh_install fixture)


@pytest.fixture
def passphrase():
    return PASSPHRASE


def build_clinic(*, therapist, manager) -> World:
    """One of every kind of record the clinic keeps, with history: robustness_tests.world's two
    clients and more (palpation, special tests, past injuries, a changed consent text, a change
    made during a request, an access log line, the sign-in policy, a permission given by hand,
    a spreadsheet-hostile name, a website intake matched later, an imported note and its batch)."""
    world = build_world(therapist=therapist)
    a, b = world.a.client, world.b.client
    AssessmentFactory(
        client=a, therapist=therapist, palpation=[("shoulder", "left")], special=[("Spurling", "left", True)]
    )
    IntakeFactory(client=b, events=[("injury", 2019, "Fell off a bike")], areas=[("knee", "left", 4)])
    ConsentText.objects.create(version=2, text="Updated consent wording", created_by=manager)
    with pghistory.context(user=manager.pk, username=manager.username, url="/clients/edit/", url_name="clients:edit"):
        a.phone = "555 010 7777"
        a.save()
    AccessLog.objects.create(user=therapist, client=a, page="visits:chart", ip="10.0.0.7")
    ClinicPolicy.objects.update_or_create(pk=1, defaults={"require_two_factor": True, "updated_by": manager})
    manager.user_permissions.add(Permission.objects.get(codename="view_accessattempt"))
    ClientFactory(first_name='=HYPERLINK("http://evil.example","Click")', last_name="+Smith")
    SessionNoteFactory(client=b, therapist=therapist, empty=True)
    # A website intake matched to its client afterwards: the audit events of its areas were
    # written with no client, and must come back that way.
    website = IntakeFactory(unmatched=True, areas=[("calf", "right", 3)])
    website.client = b
    website.save()
    batch = ImportBatch.objects.create(
        source="cliniko", kind="notes", file_name="notes.csv", file_size=3, file_sha256="0" * 64, content=b"a,b"
    )
    imported = ImportedNote(
        client=a,
        source="Cliniko",
        external_id="n-1",
        title="Initial consultation",
        author_name="Former Therapist",
        content={"sections": [{"name": "Subjective", "questions": [{"name": "Pain", "answer": "Neck"}]}]},
        import_batch_id=batch.pk,
        imported_by=manager,
    )
    imported.content_hash = imported.compute_hash()
    imported.save()
    seal_record(client_id=a.pk, imported_note=imported)
    ExternalRecord.objects.create(
        system="cliniko", kind="notes", external_id="n-1", object_id=imported.pk, values_hash="1" * 64, batch=batch
    )
    BatchChange.objects.create(batch=batch, kind="notes", object_id=imported.pk, action="created")
    return world


def _url(settings_dict: dict, name: str) -> str:
    user, password = quote(settings_dict["USER"] or ""), quote(settings_dict["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{settings_dict['HOST'] or ''}{port}/{name}"


def manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """`manage.py <args>` in a process of its own, on another database, with this run's keys."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_OWNER_URL": database_url,
        "DEBUG": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "RECORD_SEAL_KEY": settings.RECORD_SEAL_KEY,
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def fresh_install(django_db_setup, django_db_blocker):
    """A fresh install: a new database that `manage.py migrate` made, in a process of its own
    (as a clinic would), reachable in tests as the database alias FRESH. Tests that use it are
    transactional and list it: @pytest.mark.django_db(transaction=True, databases=["default", FRESH])."""
    default = connections["default"].settings_dict
    name = f"{default['NAME'].removeprefix('test_')}_fresh_install"
    maintenance = psycopg.connect(_url(default, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True)
    with django_db_blocker.unblock():
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}"')
        maintenance.execute(f'CREATE DATABASE "{name}"')
        migrated = manage("migrate", "--no-input", "-v", "0", database_url=_url(default, name))
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        settings.DATABASES[FRESH] = connections.settings[FRESH] = {**default, "NAME": name}
    yield {"alias": FRESH, "url": _url(default, name)}
    with django_db_blocker.unblock():
        connections[FRESH].close()
        del connections[FRESH]
        settings.DATABASES.pop(FRESH, None)
        connections.settings.pop(FRESH, None)
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}"')
    maintenance.close()
