"""What a whole-clinic archive holds, and that nobody reads it without the passphrase."""

import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pytest
import pyzipper
from django.contrib.auth import get_user_model

from archive import csvsafe
from archive.export import FORMAT, FORMAT_VERSION, INDEX, MANIFEST, write_archive
from archive.records import EXCLUDED, record_types
from archive.tests.conftest import build_clinic
from audit.models import AccessLog, ClientEvent
from clients.models import Client
from scheduling.models import Appointment
from sessions.models import SessionNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(therapist, manager):
    return build_clinic(therapist=therapist, manager=manager)


@pytest.fixture
def archive(clinic, manager, passphrase) -> bytes:
    stream = io.BytesIO()
    write_archive(stream, passphrase=passphrase, by=manager)
    return stream.getvalue()


def _open(archive: bytes, passphrase: str) -> pyzipper.AESZipFile:
    zf = pyzipper.AESZipFile(io.BytesIO(archive))
    zf.setpassword(passphrase.encode())
    return zf


def _records(zf, label: str) -> list[dict]:
    return json.loads(zf.read(f"records/{label}.json"))


def test_the_manifest_counts_every_record_type_and_fingerprints_every_file(archive, passphrase):
    with _open(archive, passphrase) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        names = set(zf.namelist())
        assert (manifest["format"], manifest["format_version"]) == (FORMAT, FORMAT_VERSION)
        assert set(manifest["files"]) == names - {MANIFEST}
        for name, described in manifest["files"].items():
            content = zf.read(name)
            assert hashlib.sha256(content).hexdigest() == described["sha256"] and len(content) == described["size"]
        for entry in manifest["records"]:
            assert len(_records(zf, entry["type"])) == entry["count"] == manifest["counts"][entry["type"]]

    assert {entry["type"] for entry in manifest["records"]} == {t.label for t in record_types()}
    assert manifest["counts"]["clients.Client"] == Client.objects.count()
    assert manifest["counts"]["visits.SessionNote"] == SessionNote.objects.count()
    assert manifest["counts"]["audit.ClientEvent"] == ClientEvent.objects.count()
    assert manifest["counts"]["audit.AccessLog"] == AccessLog.objects.count()
    assert manifest["excluded"] == EXCLUDED
    assert manifest["app"]["migrations"]["visits"].startswith("00")
    assert manifest["created_at"] and manifest["created_by"]["username"] == "boss"


def test_the_archive_holds_every_kind_of_record_with_every_field(clinic, archive, passphrase):
    with _open(archive, passphrase) as zf:
        notes = {note["id"]: note for note in _records(zf, "visits.SessionNote")}
        seals = _records(zf, "visits.RecordSeal")
        addenda = _records(zf, "visits.Addendum")
        appointments = _records(zf, "scheduling.Appointment")
        services = _records(zf, "scheduling.Service")
        intakes = _records(zf, "intake.Intake")
        events = _records(zf, "audit.ClientEvent")
        groups = _records(zf, "auth.Group")

    signed = clinic.a.signed_note
    assert notes[signed.pk]["content_hash"] == signed.content_hash
    assert notes[signed.pk]["signed_at"] == signed.signed_at.isoformat()
    assert notes[signed.pk]["techniques"] == signed.techniques
    assert {(s["kind"], s["note_id"] or s["addendum_id"] or s["imported_note_id"]) for s in seals} >= {
        ("note", signed.pk)
    }
    assert any(a["note_id"] == signed.pk and a["text"] for a in addenda)
    assert {a["id"] for a in appointments} == set(Appointment.objects.values_list("pk", flat=True))
    assert services[0]["fee"] == str(clinic.service.fee)  # exact decimals, as text
    assert any(i["consent_id"] and i["signature_name"] for i in intakes)
    assert any(
        e["pgh_label"] == "update" and (e["pgh_context"] or {}).get("url_name") == "clients:edit" for e in events
    )
    assert {g["name"] for g in groups} >= {"Front desk", "Therapist", "Clinic manager"}
    assert all(isinstance(key, list) for g in groups for key in g["permissions"])  # by natural key


def test_staff_are_archived_without_password_hashes_or_two_factor_secrets(archive, passphrase, manager):
    with _open(archive, passphrase) as zf:
        staff = _records(zf, get_user_model()._meta.label)
        manifest = json.loads(zf.read(MANIFEST))
        everything = b"".join(zf.read(name) for name in zf.namelist())

    assert {person["username"] for person in staff} >= {"boss", "thera", "thera-other"}
    assert all("password" not in person for person in staff)
    assert manager.password.encode() not in everything
    assert not any(name.startswith("records/otp_") for name in manifest["files"])  # authenticator secrets
    user_type = next(e for e in manifest["records"] if e["type"] == get_user_model()._meta.label)
    assert "password" in user_type["omitted"]


def test_each_client_has_a_pdf_listed_in_the_index_with_spreadsheet_formulas_neutralised(clinic, archive, passphrase):
    with _open(archive, passphrase) as zf:
        index = zf.read(INDEX)
        rows = list(csv.DictReader(io.StringIO(index.decode("utf-8-sig"))))
        pdfs = {row["pdf_file"]: zf.read(row["pdf_file"]) for row in rows}

    assert index.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets read the names as UTF-8
    assert [int(row["client_id"]) for row in rows] == list(Client.objects.order_by("pk").values_list("pk", flat=True))
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs.values())
    a = next(row for row in rows if int(row["client_id"]) == clinic.a.client.pk)
    assert (a["last_name"], a["status"], a["date_of_birth"]) == (
        "Vandenberg",
        "active",
        clinic.a.client.date_of_birth.isoformat(),
    )
    assert int(a["session_notes"]) == SessionNote.objects.filter(client=clinic.a.client).count()
    assert int(a["appointments"]) == Appointment.objects.filter(client=clinic.a.client).count()
    hostile = next(row for row in rows if "HYPERLINK" in row["first_name"])
    assert hostile["first_name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert hostile["last_name"] == "'+Smith"
    assert all(row["pdf_file"].startswith(f"clients/client-{row['client_id']}-") for row in rows)


def test_nothing_in_the_archive_opens_without_the_passphrase(archive, passphrase):
    assert b"Vandenberg" not in archive and b"levator" not in archive  # names and notes are encrypted
    plain = zipfile.ZipFile(io.BytesIO(archive))
    assert all(info.compress_type == 99 and info.flag_bits & 0x1 for info in plain.infolist())  # AES (WinZip)
    with pytest.raises(RuntimeError, match="encrypted"):
        plain.read(MANIFEST)
    for wrong in ("", "correct horse battery stapler"):
        with pytest.raises(RuntimeError), _open(archive, passphrase) as zf:
            zf.setpassword(wrong.encode())
            zf.read(MANIFEST)
    # File names are not encrypted in a ZIP: they hold ids and dates, never a name.
    assert not any("Vandenberg" in info.filename for info in plain.infolist())


@pytest.mark.skipif(shutil.which("7z") is None, reason="7-Zip is not installed (Debian: p7zip-full)")
def test_7_zip_opens_the_archive_with_the_passphrase_alone(archive, passphrase, tmp_path):
    path = tmp_path / "clinic.zip"
    path.write_bytes(archive)

    tested = subprocess.run(["7z", "t", f"-p{passphrase}", str(path)], capture_output=True, text=True)
    refused = subprocess.run(["7z", "t", "-pnot-the-passphrase", str(path)], capture_output=True, text=True)
    extracted = subprocess.run(
        ["7z", "x", f"-p{passphrase}", f"-o{tmp_path / 'out'}", str(path), INDEX], capture_output=True, text=True
    )

    assert tested.returncode == 0 and "Everything is Ok" in tested.stdout
    assert refused.returncode != 0
    assert extracted.returncode == 0 and "Vandenberg" in (tmp_path / "out" / INDEX).read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("=1+2", "'=1+2"),
        ("+1 555 010 2000", "'+1 555 010 2000"),
        ("-Smith", "'-Smith"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Ana", "Ana"),
        ("O'Brien", "O'Brien"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_a_leading_apostrophe(value, shown):
    assert csvsafe.safe_cell(value) == shown


def test_the_safe_writer_neutralises_every_cell_of_every_row():
    stream = io.StringIO()
    csvsafe.writer(stream).writerows([["=A1", "fine", 3], ["@x", "-y", "+z"]])

    assert list(csv.reader(io.StringIO(stream.getvalue()))) == [["'=A1", "fine", "3"], ["'@x", "'-y", "'+z"]]
