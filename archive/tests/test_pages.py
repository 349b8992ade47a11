"""The manager's Clinic archive page: ask, follow, download; nobody else gets in."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
import pyzipper
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from archive.models import ClinicArchive, archive_storage
from archive.services import EXPORT, PRUNE
from archive.tasks import export_clinic, run_prune
from archive.tests.factories import CONTENT, ClinicArchiveFactory
from audit.models import AccessLog
from clients.tests.factories import ClientFactory
from jobs.models import JobRun

pytestmark = pytest.mark.django_db

HOME = reverse("archive:home")


def _ask(client, passphrase: str, confirm: str | None = None):
    return client.post(HOME, {"passphrase": passphrase, "confirm": passphrase if confirm is None else confirm})


def _every_table_as_text() -> str:
    """Every row of every table of the database, as PostgreSQL prints it."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
        cursor.execute(" UNION ALL ".join(f"SELECT t::text FROM {quote(table)} t" for table in tables))
        return "\n".join(row for (row,) in cursor.fetchall())


def test_the_manager_asks_for_an_archive_and_is_sent_to_follow_it(client, manager, passphrase):
    client.force_login(manager)
    assert "Make the archive" in client.get(HOME).content.decode()

    response = _ask(client, passphrase)

    run = JobRun.objects.get(kind=EXPORT)
    assert response.status_code == 302 and response.url == reverse("archive:run", args=[run.pk])
    assert run.status == "queued" and run.started_by == manager
    queued = ProcrastinateJob.objects.get(task_name="archive.export_clinic")
    assert queued.args == {"run_id": run.pk}  # the passphrase is not a job argument...
    archive = ClinicArchive.objects.get(run=run)
    assert archive.sealed_passphrase and passphrase not in archive.sealed_passphrase
    assert passphrase not in _every_table_as_text()  # ...nor anywhere else in the database, in plain text
    page = client.get(response.url).content.decode()
    assert "Waiting for a worker" in page and f'hx-get="{response.url}"' in page


@pytest.mark.parametrize(
    ("passphrase", "confirm", "problem"),
    [
        ("short one", "short one", "at least 12 characters"),
        ("correct horse battery staple", "correct horse battery stable", "The two passphrases are not the same."),
        ("             ", "             ", "spaces only"),
    ],
)
def test_a_weak_or_mistyped_passphrase_is_refused_next_to_the_field(client, manager, passphrase, confirm, problem):
    client.force_login(manager)

    response = _ask(client, passphrase, confirm)

    assert response.status_code == 200 and problem in response.content.decode()
    assert not JobRun.objects.exists() and not ProcrastinateJob.objects.exists()
    assert f'value="{passphrase}"' not in response.content.decode()  # not typed back into the page


def test_a_second_archive_while_one_waits_queues_nothing_more(client, manager, passphrase):
    client.force_login(manager)
    _ask(client, passphrase)

    response = client.post(HOME, {"passphrase": passphrase, "confirm": passphrase}, follow=True)

    assert "already waiting for a worker" in response.content.decode()
    assert ProcrastinateJob.objects.filter(task_name="archive.export_clinic").count() == 1
    assert ClinicArchive.objects.count() == 1


def test_the_job_makes_the_archive_keeps_it_in_the_storage_and_forgets_the_passphrase(client, manager, passphrase):
    ClientFactory(last_name="Vandenberg")
    client.force_login(manager)
    _ask(client, passphrase)
    run = JobRun.objects.get(kind=EXPORT)

    archive_id = export_clinic(run_id=run.pk)  # what the worker runs

    run.refresh_from_db()
    archive = ClinicArchive.objects.get(pk=archive_id)
    assert run.status == "succeeded" and run.done == run.total > 0
    assert run.outcome.startswith("Archive ready: 1 client,")
    assert archive.sealed_passphrase == "" and archive.file_name and archive.finished_at
    stored = archive_storage().open(archive.file_name).read()
    assert len(stored) == archive.size and archive.sha256 == hashlib.sha256(stored).hexdigest()
    assert json.loads(_manifest(archive, passphrase))["counts"]["clients.Client"] == 1
    fragment = client.get(reverse("archive:run", args=[run.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "Download the archive" in fragment and archive.get_absolute_url() in fragment and "hx-get" not in fragment
    assert "Download" in client.get(HOME).content.decode()

    export_clinic(run_id=run.pk)  # run again (a retry): the passphrase is gone

    run.refresh_from_db()
    assert run.status == "failed" and "already started once" in run.outcome


def _manifest(archive, passphrase: str) -> bytes:
    with pyzipper.AESZipFile(io.BytesIO(archive_storage().open(archive.file_name).read())) as zf:
        zf.setpassword(passphrase.encode())
        return zf.read("manifest.json")


def test_the_manager_downloads_an_archive_and_the_access_log_says_so(client, manager):
    archive = ClinicArchiveFactory(requested_by=manager)
    client.force_login(manager)

    response = client.get(archive.get_absolute_url())

    assert response.status_code == 200 and b"".join(response.streaming_content) == CONTENT
    assert response["Content-Disposition"] == f'attachment; filename="{archive.download_name}"'
    assert "no-store" in response["Cache-Control"]
    line = AccessLog.objects.get(page="archive:download")
    assert (line.user, line.kind, line.object_id, line.client, line.allowed) == (
        manager,
        "export",
        str(archive.pk),
        None,
        True,
    )


def test_an_archive_gone_from_the_storage_is_not_found(client, manager):
    archive = ClinicArchiveFactory()
    archive_storage().delete(archive.file_name)
    client.force_login(manager)

    assert client.get(archive.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_only_the_manager_opens_the_archive_pages(client, role, request, passphrase):
    client.force_login(request.getfixturevalue(role))
    archive = ClinicArchiveFactory(run=JobRun.objects.create(kind=EXPORT, status=JobRun.Status.SUCCEEDED))

    assert client.get(HOME).status_code == 403
    assert _ask(client, passphrase).status_code == 403
    assert client.get(reverse("archive:run", args=[archive.run.pk])).status_code == 403
    assert client.get(archive.get_absolute_url()).status_code == 403
    assert not ProcrastinateJob.objects.exists() and ClinicArchive.objects.count() == 1
    refused = AccessLog.objects.get(page="archive:download")  # a refused download is on record too
    assert (refused.allowed, refused.object_id, refused.kind) == (False, str(archive.pk), "export")


def test_the_jobs_page_sends_the_manager_to_the_archive_page_to_start_an_export(client, manager):
    client.force_login(manager)

    page = client.get(reverse("jobs:list")).content.decode()
    started = client.post(reverse("jobs:run", args=[EXPORT]))

    assert "Whole-clinic archive" in page and f'href="{HOME}"' in page
    assert started.status_code == 302 and started.url == HOME
    assert not ProcrastinateJob.objects.exists()  # no passphrase, no job


def test_archives_past_their_days_are_deleted_with_their_files_every_night(settings):
    settings.ARCHIVE_KEEP_DAYS = 7
    old, recent = ClinicArchiveFactory(), ClinicArchiveFactory()
    never_made = ClinicArchive.objects.create(sealed_passphrase="sealed")
    ClinicArchive.objects.filter(pk__in=[old.pk, never_made.pk]).update(requested_at=timezone.now() - timedelta(days=8))

    assert run_prune() == 2

    assert list(ClinicArchive.objects.all()) == [recent]
    assert not archive_storage().exists(old.file_name) and archive_storage().exists(recent.file_name)
    assert JobRun.objects.get(kind=PRUNE).outcome == "Deleted 2 old archives."
    schedules = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert schedules["archive.prune_archives"] == "31 3 * * *"
