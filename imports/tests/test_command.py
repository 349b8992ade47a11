"""`manage.py import_data`: the Import page's preview and import from the command line, and the
restore of a whole-clinic archive."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clients.models import Client
from clients.tests.factories import ClientFactory
from imports.models import ImportBatch
from imports.tests.helpers import FILES, xlsx

pytestmark = pytest.mark.django_db
PASSPHRASE = "a long passphrase for the tests"


def run(*args) -> str:
    out = StringIO()
    call_command("import_data", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_preview_and_writes_nothing():
    output = run(str(FILES / "jane_patients.csv"), "--source", "jane", "--dry-run")

    assert "new: 3" in output and "row 6: First name looks like a spreadsheet formula" in output
    assert "'Patient Number' -> external_id" in output
    assert "Dry run: nothing was written." in output
    assert Client.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportBatch.Status.CANCELLED


def test_import_then_import_again_changes_nothing():
    first = run(str(FILES / "Patients-Cliniko-20261101.csv"), "--source", "cliniko")
    second = run(str(FILES / "Patients-Cliniko-20261101.csv"), "--source", "cliniko")

    assert "new: 3" in first and "Imported as batch" in first
    assert "already imported, unchanged: 3" in second
    assert Client.objects.count() == 3


def test_columns_and_date_order_from_the_command_line(tmp_path):
    path = tmp_path / "clients.xlsx"
    path.write_bytes(xlsx([["Given", "Family", "Born"], ["Ana", "Silva", "03/04/1980"]]))

    with pytest.raises(CommandError, match="first and last names"):
        run(str(path), "--source", "csv", "--program", "Sheet")
    run(
        str(path),
        "--source",
        "csv",
        "--program",
        "Sheet",
        "--map",
        "Given=first_name",
        "--map",
        "Family=last_name",
        "--map",
        "Born=date_of_birth",
        "--date-order",
        "mdy",
    )

    assert Client.objects.get().date_of_birth == date(1980, 3, 4)


def test_a_file_that_cannot_be_read_is_refused(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_bytes(b"\x00\x01garbage")

    with pytest.raises(CommandError, match="not a table"):
        run(str(path), "--source", "jane")


def test_clinic_archive_restore_refuses_a_database_that_already_has_clients(tmp_path):
    ClientFactory()
    archive = tmp_path / "clinic.zip"
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE)
    call_command("export_clinic", str(archive), passphrase_file=str(secret), stdout=StringIO())

    with pytest.raises(CommandError, match="(?i)client"):
        run(str(archive), "--source", "clinic-archive", "--passphrase-file", str(secret))
    secret.write_text("a different passphrase entirely")
    with pytest.raises(CommandError, match="(?i)passphrase"):
        run(str(archive), "--source", "clinic-archive", "--passphrase-file", str(secret))
