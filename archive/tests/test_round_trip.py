"""The issue's test: export a clinic, restore it into an empty database, compare every record
and every seal, and `verify_records` passes on the restored database."""

import pytest
from django.contrib.auth import get_user_model

from archive.export import write_archive
from archive.records import record_types
from archive.restore import restore_archive
from archive.tests.conftest import FRESH, build_clinic, manage
from audit.models import IntakeAreaEvent
from clients.models import Client, ClientNameWord, NameWordDelete
from jobs.models import JobRun
from jobs.progress import Progress
from sessions.models import RecordSeal


def _rows(record_type, using: str) -> list[tuple]:
    """Every field of every record (the password aside: it is not in the archive)."""
    names = [f.attname for f in record_type.fields]
    return list(record_type.model._base_manager.using(using).order_by("pk").values_list(*names))


def _link_keys(record_type, using: str) -> list:
    """Links by what they point at (permission ids differ between installs; their keys do not)."""
    found = []
    for obj in record_type.model._base_manager.using(using).order_by("pk"):
        for link in record_type.links:
            related = getattr(obj, link.name).all()
            keys = [row.natural_key() if hasattr(row, "natural_key") else row.pk for row in related]
            found.append((obj.pk, link.name, sorted(keys)))
    return found


@pytest.mark.django_db(transaction=True, databases=["default", FRESH])
def test_an_archive_restores_into_a_fresh_install_record_for_record_and_seal_for_seal(
    fresh_install, therapist, manager, passphrase, tmp_path
):
    build_clinic(therapist=therapist, manager=manager)
    # Written before the intake had a client: restored with the audit triggers on, these
    # events would get the client the intake has now.
    assert IntakeAreaEvent.objects.filter(client__isnull=True, intake__client__isnull=False).exists()
    path = tmp_path / "clinic.zip"
    with path.open("wb") as stream, Progress.begin("export_clinic") as progress:
        manifest = write_archive(stream, passphrase=passphrase, by=manager, progress=progress)
    run = JobRun.objects.get(pk=progress.run.pk)
    assert run.status == "succeeded" and run.done == run.total > 0  # written as it went, outside the snapshot

    counts = restore_archive(path=path, passphrase=passphrase, using=FRESH)

    types = record_types()
    assert counts == {t.label: manifest["counts"][t.label] for t in types}
    # 2 signed notes, 2 addenda and 2 imported notes of the world (one per client), and one more imported note.
    assert counts["visits.RecordSeal"] == RecordSeal.objects.count() == 7
    assert counts["audit.ClientEvent"] > Client.objects.count()  # the history came along...
    for record_type in types:  # ...and nothing more: no event for the restore itself
        assert _rows(record_type, FRESH) == _rows(record_type, "default"), record_type.label
        assert _link_keys(record_type, FRESH) == _link_keys(record_type, "default"), record_type.label
    staff = get_user_model()._base_manager.using(FRESH)
    assert staff.count() == get_user_model().objects.count() and not any(u.has_usable_password() for u in staff.all())
    # What the restore rebuilds rather than copies: the search lexicon, the id sequences.
    assert set(ClientNameWord.objects.using(FRESH).values_list("word", flat=True)) == set(
        ClientNameWord.objects.values_list("word", flat=True)
    )
    assert NameWordDelete.objects.using(FRESH).count() == NameWordDelete.objects.count()
    newcomer = Client.objects.db_manager(FRESH).create(first_name="Newcomer", last_name="Afterrestore")
    assert newcomer.pk > Client.objects.order_by("-pk").first().pk

    verified = manage("verify_records", database_url=fresh_install["url"])
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "All seals and chains are intact." in verified.stdout
