"""What restore_archive refuses, before writing anything, and how it says so."""

import io
import json

import pytest
import pyzipper

from archive.export import MANIFEST, write_archive
from archive.restore import ArchiveError, restore_archive
from clients.models import Client
from clients.tests.factories import ClientFactory
from robustness_tests.dbstate import fingerprint, tracked_tables
from sessions.tests.factories import signed_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive_path(tmp_path, therapist, passphrase):
    signed_note(client=ClientFactory(last_name="Vandenberg"), therapist=therapist)
    path = tmp_path / "clinic.zip"
    with path.open("wb") as stream:
        write_archive(stream, passphrase=passphrase)
    return path


def rewritten(path, passphrase: str, *, content=None, manifest=None):
    """A copy of the archive, encrypted the same way, with a file's content or the manifest changed."""
    copy = path.with_name("changed.zip")
    with (
        pyzipper.AESZipFile(path) as source,
        pyzipper.AESZipFile(copy, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as target,
    ):
        source.setpassword(passphrase.encode())
        target.setpassword(passphrase.encode())
        for name in source.namelist():
            data = source.read(name)
            if name == MANIFEST and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif content and name in content:
                data = content[name](data)
            target.writestr(name, data)
    return copy


def _refused(path, passphrase: str) -> str:
    with pytest.raises(ArchiveError) as refusal:
        restore_archive(path=path, passphrase=passphrase)
    return str(refusal.value)


def test_a_wrong_passphrase_is_refused(archive_path):
    assert _refused(archive_path, "not the passphrase at all").startswith("Wrong passphrase")


def test_a_file_that_does_not_match_its_manifest_is_refused_as_damaged(archive_path, passphrase):
    forged = rewritten(
        archive_path,
        passphrase,
        content={"records/clients.Client.json": lambda data: data.replace(b"Vandenberg", b"Vandenburg")},
    )

    assert _refused(forged, passphrase) == (
        "The archive is damaged: records/clients.Client.json does not match its SHA-256 in the manifest."
    )


def test_a_file_missing_from_the_archive_is_refused(archive_path, passphrase):
    def add_a_file(manifest):
        manifest["files"]["records/extra.json"] = {"sha256": "0" * 64, "size": 0}
        return manifest

    assert "1 file(s) missing" in _refused(rewritten(archive_path, passphrase, manifest=add_a_file), passphrase)


def test_a_cut_off_file_is_refused(archive_path, passphrase, tmp_path):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive_path.read_bytes()[:-200])

    assert "damaged" in _refused(cut, passphrase) or "not a ZIP" in _refused(cut, passphrase)


def test_an_unknown_format_version_is_refused(archive_path, passphrase):
    future = rewritten(archive_path, passphrase, manifest=lambda manifest: {**manifest, "format_version": 99})

    assert _refused(future, passphrase).startswith("Unknown archive format version 99")


def test_an_archive_of_a_newer_version_of_the_app_is_refused(archive_path, passphrase):
    def newer(manifest):
        manifest["app"]["migrations"]["visits"] = "9999_from_the_future"
        return manifest

    newer_archive = rewritten(archive_path, passphrase, manifest=newer)

    assert "made by a newer version of the app" in _refused(newer_archive, passphrase)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path, passphrase):
    other = tmp_path / "notes.zip"
    other.write_text("just text")
    with io.BytesIO() as empty:
        with pyzipper.AESZipFile(empty, "w") as zf:
            zf.writestr("readme.txt", "hello")
        (tmp_path / "other.zip").write_bytes(empty.getvalue())

    assert _refused(other, passphrase) == "This file is not a ZIP archive, or it is damaged."
    assert "manifest.json is missing" in _refused(tmp_path / "other.zip", passphrase)


def test_a_database_with_clients_is_refused_and_left_as_it_was(archive_path, passphrase):
    tables = tracked_tables()
    before = fingerprint(tables)

    refusal = _refused(archive_path, passphrase)

    assert refusal.startswith("This database already has clients: restore into a fresh install")
    assert fingerprint(tables) == before
    assert Client.objects.count() == 1


def test_a_database_with_staff_but_no_client_is_not_a_fresh_install_either(manager, passphrase, tmp_path):
    path = tmp_path / "staff-only.zip"
    with path.open("wb") as stream:
        write_archive(stream, passphrase=passphrase)

    refusal = _refused(path, passphrase)

    assert refusal.startswith("This database is not a fresh install: it already has") and "clinic.User" in refusal
