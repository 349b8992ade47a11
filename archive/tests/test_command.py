"""`manage.py export_clinic OUTPUT.zip`: the archive from the command line."""

import json
import stat

import pytest
import pyzipper
from django.core.management import CommandError, call_command

from audit.models import AccessLog
from clients.tests.factories import ClientFactory
from jobs.models import JobRun

pytestmark = pytest.mark.django_db


def test_the_command_writes_a_private_archive_from_a_passphrase_file(tmp_path, passphrase):
    ClientFactory(last_name="Vandenberg")
    secret = tmp_path / "passphrase.txt"
    secret.write_text(passphrase + "\n")
    output = tmp_path / "clinic.zip"

    call_command("export_clinic", str(output), passphrase_file=str(secret))

    with pyzipper.AESZipFile(output) as zf:
        zf.setpassword(passphrase.encode())
        assert json.loads(zf.read("manifest.json"))["counts"]["clients.Client"] == 1
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert JobRun.objects.get(kind="export_clinic").status == "succeeded"
    assert AccessLog.objects.get(page="manage.py export_clinic").kind == "export"


def test_the_command_asks_for_the_passphrase_twice(tmp_path, monkeypatch, passphrase):
    answers = iter([passphrase, "something else entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="not the same"):
        call_command("export_clinic", str(tmp_path / "clinic.zip"))

    assert not (tmp_path / "clinic.zip").exists()


def test_the_command_refuses_a_short_passphrase_and_an_existing_file(tmp_path):
    secret = tmp_path / "passphrase.txt"
    secret.write_text("short")
    (tmp_path / "exists.zip").write_bytes(b"keep me")

    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("export_clinic", str(tmp_path / "clinic.zip"), passphrase_file=str(secret))
    with pytest.raises(CommandError, match="exists"):
        call_command("export_clinic", str(tmp_path / "exists.zip"), passphrase_file=str(secret))

    assert (tmp_path / "exists.zip").read_bytes() == b"keep me"
