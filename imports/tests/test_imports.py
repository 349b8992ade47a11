"""Importing a clinic's history: Jane, Cliniko and a hand-made Excel file, with preview, matching,
re-import without duplicates, newer exports, undo, and bad input that never half-writes."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from audit.export import record_as_json
from audit.models import Change
from audit.record import client_record
from clients.models import Client
from clients.tests.factories import ClientFactory
from imports import engine
from imports.models import ExternalRecord, ImportBatch, SavedMapping
from imports.tests.helpers import file_bytes, imported, previewed, upload, work_import, work_preview, xlsx
from jobs.models import JobRun
from scheduling.models import Appointment, Service
from sessions.models import ImportedNote
from sessions.seals import verify_all

pytestmark = pytest.mark.django_db

JANE_PATIENTS = file_bytes("jane_patients.csv")
JANE_APPOINTMENTS = file_bytes("jane_appointments.csv")
CLINIKO_PATIENTS = file_bytes("Patients-Cliniko-20261101.csv")
CLINIKO_APPOINTMENTS = file_bytes("Appointments-Cliniko-20261101.csv")
CLINIKO_NOTES = file_bytes("TreatmentNotes-Cliniko-20261101.csv")


@pytest.fixture
def desk(client, manager):
    client.force_login(manager)
    return client


def jane_patients(desk, data=JANE_PATIENTS):
    return imported(desk, data=data, name="patients.csv", source="jane")


# --- Jane ---------------------------------------------------------------------------------------------


def test_jane_patient_list_previews_first_and_writes_nothing_until_confirmed(desk):
    batch = previewed(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")

    report = batch.preview["report"]
    assert report["counts"]["new"] == 3 and report["counts"]["error"] == 1
    assert report["errors"] == [
        {
            "row": 6,
            "outcome": "error",
            "message": "First name looks like a spreadsheet formula (starts with '='); fix it in the file",
        }
    ]
    assert Client.objects.count() == 0  # the dry run rolled back
    page = desk.get(batch.get_absolute_url()).content.decode()
    assert "Preview: what the import will do" in page and "Row 6: First name looks like a spreadsheet formula" in page
    assert "Zoë Lefèvre, born 1987-11-23" in page  # the first rows of each outcome
    assert "Import now" in page


def test_jane_patient_list_imports_every_column_it_can(desk, settings):
    settings.CLINIC_COUNTRY = "CA"
    batch = jane_patients(desk)

    assert batch.outcome["counts"]["new"] == 3
    zoe = Client.objects.get(last_name="Lefèvre")
    assert (zoe.first_name, zoe.date_of_birth, zoe.email, zoe.pronouns) == (
        "Zoë",
        date(1987, 11, 23),
        "zoe.lefevre@example.com",
        "she/her",
    )
    assert zoe.phone == "(416) 555-0102"  # the mobile first; the others noted for the desk
    assert "home (416) 555-0101" in zoe.desk_notes and "Imported from Jane (id 1001)" in zoe.desk_notes
    assert zoe.address == "12 King St W\nToronto, ON M5H 1A1"
    assert (zoe.emergency_contact_name, zoe.emergency_contact_phone) == ("Marc Lefèvre", "(416) 555-0103")
    assert Client.objects.get(last_name="O'Brien").date_of_birth is None  # Jane had none: kept unknown
    assert Client.objects.get(last_name="García").phone == "+34 612 34 56 78"
    assert Client.objects.search("lefevre").first() == zoe  # the search columns are filled
    assert ExternalRecord.objects.filter(system="jane", kind="clients").count() == 3


def test_importing_the_same_file_again_changes_nothing(desk):
    jane_patients(desk)
    before = list(Client.objects.order_by("id").values_list("id", "updated_at"))

    again = jane_patients(desk)

    assert again.outcome["counts"]["unchanged"] == 3 and again.outcome["counts"]["new"] == 0
    assert list(Client.objects.order_by("id").values_list("id", "updated_at")) == before


def test_a_newer_export_updates_only_what_changed_at_the_source(desk):
    jane_patients(desk)
    zoe = Client.objects.get(last_name="Lefèvre")
    zoe.desk_notes = "Prefers mornings"  # the clinic's own note: not the import's to change
    zoe.save()
    newer = JANE_PATIENTS.decode("cp1252").replace("416.555.0102", "416 555 0199").encode("cp1252")

    batch = jane_patients(desk, data=newer)

    assert batch.outcome["counts"]["updated"] == 1 and batch.outcome["counts"]["unchanged"] == 2
    zoe.refresh_from_db()
    assert zoe.phone == "(416) 555-0199" and zoe.desk_notes == "Prefers mornings"


def test_an_existing_client_is_matched_and_linked_not_duplicated(desk):
    existing = ClientFactory(first_name="Zoe", last_name="Lefevre", date_of_birth=date(1987, 11, 23), phone="")
    by_email = ClientFactory(
        first_name="José", last_name="García", email="pepe@example.com", date_of_birth=date(1975, 2, 5)
    )
    batch = previewed(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")

    assert batch.preview["report"]["counts"]["matched"] == 2
    samples = batch.preview["report"]["matches"]  # each match, listed
    assert {s["detail"].split(";")[0] for s in samples} == {
        f"Existing client #{existing.pk}",
        f"Existing client #{by_email.pk}",
    }
    page = desk.get(batch.get_absolute_url()).content.decode()
    assert "Every row matched to an existing client" in page and f"Existing client #{existing.pk}" in page

    desk.post(reverse("imports:confirm", args=[batch.pk]))
    work_import(batch)
    assert Client.objects.count() == 3
    existing.refresh_from_db()
    assert existing.phone == "(416) 555-0102"  # a blank filled in; the names stay the clinic's
    assert existing.first_name == "Zoe"


def test_an_email_of_someone_else_is_a_conflict_not_a_merge(desk):
    ClientFactory(first_name="Maria", last_name="García", email="pepe@example.com", date_of_birth=date(1950, 1, 1))
    batch = previewed(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")

    report = batch.preview["report"]
    assert report["counts"]["conflict"] == 1
    assert "another name and date of birth" in [e for e in report["errors"] if e["outcome"] == "conflict"][0]["message"]


def test_jane_appointments_map_services_staff_and_statuses(desk, therapist):
    jane_patients(desk)
    therapist.first_name, therapist.last_name = "Dana", "Smith"
    therapist.save()
    batch = previewed(desk, data=JANE_APPOINTMENTS, name="appointments.csv", source="jane", kind="appointments")

    survey = batch.preview["survey"]
    assert survey["unknown_services"] == ["Massage Therapy 30", "Massage Therapy 60"]
    assert survey["unknown_staff"] == ["Former Therapist"]  # Dana Smith is on the staff list
    page = desk.get(batch.get_absolute_url()).content.decode()
    assert "Service “Massage Therapy 60”" in page and "Therapist “Former Therapist”" in page

    desk.post(reverse("imports:confirm", args=[batch.pk]))
    batch = work_import(batch)

    assert batch.outcome["counts"]["new"] == 3 and batch.outcome["counts"]["error"] == 1
    assert "import the client list of the same program first" in batch.outcome["errors"][0]["message"]
    statuses = dict(Appointment.objects.values_list("starts_at__day", "status"))
    assert statuses == {2: "completed", 9: "no_show", 16: "cancelled"}
    arrived = Appointment.objects.get(starts_at__day=2)
    assert (arrived.therapist, arrived.fee, arrived.desk_notes, arrived.service.name) == (
        therapist,
        110,
        "Parking at back",
        "Massage Therapy 60",
    )
    assert not Service.objects.get(name="Massage Therapy 60").active  # not offered for booking
    former = Appointment.objects.get(starts_at__day=16).therapist
    assert (former.get_full_name(), former.is_active, former.has_usable_password()) == (
        "Former Therapist",
        False,
        False,
    )
    assert (
        imported(desk, data=JANE_APPOINTMENTS, name="a.csv", source="jane", kind="appointments").outcome["counts"][
            "unchanged"
        ]
        == 3
    )
    assert Appointment.objects.count() == 3


# --- Cliniko -------------------------------------------------------------------------------------------


def cliniko_set(desk):
    patients = imported(desk, data=CLINIKO_PATIENTS, name="Patients-Cliniko-20261101.csv", source="cliniko")
    appointments = imported(
        desk, data=CLINIKO_APPOINTMENTS, name="Appointments-Cliniko-20261101.csv", source="cliniko", kind="appointments"
    )
    notes = imported(
        desk, data=CLINIKO_NOTES, name="TreatmentNotes-Cliniko-20261101.csv", source="cliniko", kind="notes"
    )
    return patients, appointments, notes


def test_cliniko_export_set_imports_patients_appointments_and_sealed_notes(desk, therapist):
    patients, appointments, notes = cliniko_set(desk)

    assert patients.outcome["counts"]["new"] == 3
    kim = Client.objects.get(first_name="Kim")
    assert ExternalRecord.objects.get(kind="clients", object_id=kim.pk).external_id == "5001"  # ="5001" unwrapped
    assert Client.objects.get(first_name="Liam").status == "archived"  # archived in Cliniko
    assert appointments.outcome["counts"]["new"] == 2 and appointments.outcome["counts"]["conflict"] == 1
    assert "Overlaps another visit of the same therapist" in appointments.outcome["errors"][0]["message"]
    assert dict(kim.appointments.values_list("starts_at__day", "status")) == {2: "completed", 9: "no_show"}

    assert notes.outcome["counts"]["new"] == 1 and notes.outcome["counts"]["skipped"] == 1  # the draft
    note = ImportedNote.objects.get()
    assert (note.client, note.source, note.author_name, note.title) == (
        kim,
        "Cliniko",
        "Dana Smith",
        "Remedial massage note",
    )
    assert note.signed_at.isoformat() == "2025-01-02T11:20:00+00:00"  # finalized, not created
    assert note.content["sections"][0]["questions"][0] == {
        "name": "Presenting complaint",
        "type": "paragraph",
        "answer": "Low back pain, 3 weeks.\nWorse sitting.",
    }
    assert note.content["sections"][1]["questions"][0]["answers"] == ["Swedish", "Trigger point"]
    assert note.seal_check().ok and list(verify_all()) == []
    assert Change.objects.filter(model="visits.importednote", object_id=note.pk, action="insert").exists()

    desk.force_login(therapist)
    chart = desk.get(reverse("visits:chart", args=[kim.pk])).content.decode()
    assert "imported from Cliniko" in chart and "signed by Dana Smith" in chart
    page = desk.get(note.get_absolute_url()).content.decode()
    assert "Low back pain, 3 weeks.<br>Worse sitting." in page and "Swedish, Trigger point" in page
    assert "Seal intact" in page
    exported = record_as_json(client_record(kim.pk))
    assert exported["imported_notes"][0]["content"] == note.content and exported["imported_notes"][0]["seal"]["intact"]


def test_imported_notes_cannot_be_changed_even_by_the_database_login(desk):
    from django.db import DatabaseError, transaction

    cliniko_set(desk)
    note = ImportedNote.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ImportedNote.objects.filter(pk=note.pk).update(title="Changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ImportedNote.objects.filter(pk=note.pk).delete()


def test_a_note_changed_at_the_source_is_kept_beside_the_first_version(desk):
    cliniko_set(desk)
    changed = CLINIKO_NOTES.decode().replace("Worse sitting.", "Worse sitting and driving.").encode()

    batch = imported(desk, data=changed, name="notes.csv", source="cliniko", kind="notes")

    assert batch.outcome["counts"]["updated"] == 1
    first, second = ImportedNote.objects.order_by("id")
    assert second.replaces == first and "driving" in second.content["sections"][0]["questions"][0]["answer"]
    assert list(verify_all()) == []


# --- Any other program: a hand-made Excel file -------------------------------------------------------------


HANDMADE = [
    ["Given", "Family", "Born", "Cell", "E-mail address", "Shoe size"],
    ["Ana", "Silva", "03/04/1980", "416-555-0111", "ana@example.com", "38"],
    ["Bo", "Chen", "05/06/1975", "", "", "44"],
]


def test_a_hand_made_excel_file_asks_for_its_columns_and_date_order_then_remembers_them(desk):
    batch = previewed(desk, data=xlsx(HANDMADE), name="clients.xlsx", source="csv", program="Old Spreadsheet")

    assert batch.status == ImportBatch.Status.PREVIEWED and not batch.preview["report"]
    assert engine.questions_left(batch)[0].startswith("Choose the columns with the first and last names")
    page = desk.get(batch.get_absolute_url()).content.decode()
    assert "Before importing" in page and 'name="column_0"' in page and "Import now" not in page

    response = desk.post(
        reverse("imports:choose", args=[batch.pk]),
        {
            "column_0": "first_name",
            "column_1": "last_name",
            "column_2": "date_of_birth",
            "column_3": "mobile_phone",
            "column_4": "email",
            "column_5": "",
            "date_order": "",
        },
    )
    assert response.status_code == 302
    batch = work_preview(batch)
    assert engine.questions_left(batch) == [
        "Dates like 03/04/1987 could be day-first or month-first: choose the order this file uses."
    ]

    desk.post(
        reverse("imports:choose", args=[batch.pk]),
        {
            "column_0": "first_name",
            "column_1": "last_name",
            "column_2": "date_of_birth",
            "column_3": "mobile_phone",
            "column_4": "email",
            "column_5": "",
            "date_order": "dmy",
        },
    )
    batch = work_preview(batch)
    assert batch.preview["report"]["counts"]["new"] == 2
    desk.post(reverse("imports:confirm", args=[batch.pk]))
    work_import(batch)
    assert Client.objects.get(last_name="Silva").date_of_birth == date(1980, 4, 3)

    # The next file of the same program: its columns are known.
    second = previewed(desk, data=xlsx(HANDMADE), name="again.xlsx", source="csv", program="old spreadsheet")
    assert second.preview["survey"]["columns"]["Given"] == "first_name"
    assert SavedMapping.objects.get(system="csv:old spreadsheet").columns["given"] == "first_name"


# --- Undo ----------------------------------------------------------------------------------------------------


def test_undo_takes_back_a_batch_except_what_changed_since(desk):
    existing = ClientFactory(first_name="Zoe", last_name="Lefevre", date_of_birth=date(1987, 11, 23), phone="")
    batch = jane_patients(desk)
    changed_since = Client.objects.get(last_name="O'Brien")
    changed_since.preferred_name = "Amy"
    changed_since.save()

    response = desk.post(reverse("imports:undo", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert batch.outcome["undo"]["counts"] == {"removed": 1, "reverted": 1, "withdrawn": 0, "kept": 1}
    assert set(Client.objects.values_list("last_name", flat=True)) == {"Lefevre", "O'Brien"}
    existing.refresh_from_db()
    assert existing.phone == ""  # the blank it filled in is blank again
    # Undone: the same file imports as new again (its external records went with it).
    assert ExternalRecord.objects.filter(system="jane", external_id="1002").count() == 0
    assert "Undone" in desk.get(batch.get_absolute_url()).content.decode()


def test_undo_withdraws_imported_notes_and_keeps_their_seals(desk, therapist):
    *_, notes = cliniko_set(desk)
    note = ImportedNote.objects.get()

    desk.post(reverse("imports:undo", args=[notes.pk]))

    notes.refresh_from_db()
    assert notes.outcome["undo"]["counts"]["withdrawn"] == 1
    assert ImportedNote.objects.on_chart().count() == 0 and note.seal_check().ok
    assert list(verify_all()) == []
    desk.force_login(therapist)
    assert "imported from Cliniko" not in desk.get(reverse("visits:chart", args=[note.client_id])).content.decode()


def test_undo_is_refused_after_the_undo_period(desk, settings):
    batch = jane_patients(desk)
    ImportBatch.objects.filter(pk=batch.pk).update(
        imported_at=timezone.now() - timedelta(days=settings.IMPORT_UNDO_DAYS + 1)
    )

    response = desk.post(reverse("imports:undo", args=[batch.pk]), follow=True)

    assert "can be undone for" in response.content.decode()
    assert Client.objects.count() == 3


# --- Bad input, races, limits ------------------------------------------------------------------------------------


def test_a_batch_that_fails_half_way_writes_nothing(desk, monkeypatch):
    batch = previewed(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")
    desk.post(reverse("imports:confirm", args=[batch.pk]))
    monkeypatch.setattr(engine, "CHUNK", 1)
    calls = {"n": 0}
    original = engine.ClientImporter.handle

    def failing_third_chunk(self, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(self, rows)

    monkeypatch.setattr(engine.ClientImporter, "handle", failing_third_chunk)

    with pytest.raises(RuntimeError):
        work_import(batch)

    batch.refresh_from_db()
    assert Client.objects.count() == 0 and ExternalRecord.objects.count() == 0
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.outcome["message"] == "Nothing was imported: stopped by an unexpected error (RuntimeError)."
    run = JobRun.objects.get(pk=batch.import_run_id)
    assert run.status == JobRun.Status.FAILED and "disk full" not in run.outcome


def test_confirming_twice_imports_once(desk):
    batch = previewed(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")

    desk.post(reverse("imports:confirm", args=[batch.pk]))
    second = desk.post(reverse("imports:confirm", args=[batch.pk]), follow=True)

    assert "already started" in second.content.decode()
    assert ProcrastinateJob.objects.filter(task_name="imports.import_batch").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("patients.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file"),
        ("patients.csv", b"", "The submitted file is empty"),
    ],
)
def test_files_of_the_wrong_kind_are_refused_at_upload(desk, name, data, message):
    response, batch = upload(desk, data=data, name=name, source="jane")

    assert response.status_code == 200 and message in response.content.decode() and batch is None


def test_a_file_over_the_size_limit_is_refused(desk, settings):
    settings.IMPORT_MAX_MEGABYTES = 0

    response, batch = upload(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")

    assert "larger than 0 MB" in response.content.decode() and batch is None


def test_a_file_that_is_not_a_table_fails_with_a_clear_message_and_is_dropped(desk):
    batch = previewed(desk, data=b"\x00\x01\x02\x03 not a table", name="patients.csv", source="jane")

    assert batch.status == ImportBatch.Status.FAILED
    assert "This is not a table" in desk.get(batch.get_absolute_url()).content.decode()
    assert bytes(ImportBatch.objects.get(pk=batch.pk).content) == b""


def test_html_in_a_file_is_refused_in_names_and_escaped_in_text(desk):
    rows = [
        ["First Name", "Last Name", "Referral Source"],
        ["<img src=x onerror=alert(1)>", "X", "ok"],
        ["Ana", "Silva", "<b>friend</b>"],
    ]
    data = io.StringIO()
    csv.writer(data).writerows(rows)
    batch = previewed(desk, data=data.getvalue().encode(), name="p.csv", source="csv", program="Other")

    assert batch.preview["report"]["errors"][0]["message"] == "First name contains HTML; fix it in the file"
    page = desk.get(batch.get_absolute_url()).content.decode()
    assert "<img src=x" not in page


# --- Roles and pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["front_desk", "therapist", "no_role_user"])
def test_only_the_manager_may_import(request, client, persona):
    batch = ImportBatch.objects.create(
        source="jane", kind="clients", file_name="p.csv", file_size=1, file_sha256="x", content=b"x"
    )
    client.force_login(request.getfixturevalue(persona))
    for name, method in [
        ("list", "get"),
        ("detail", "get"),
        ("choose", "post"),
        ("confirm", "post"),
        ("cancel", "post"),
        ("undo", "post"),
    ]:
        url = reverse(f"imports:{name}", args=[] if name == "list" else [batch.pk])
        assert getattr(client, method)(url).status_code == 403, name
    assert client.post(reverse("imports:list"), {"source": "jane", "kind": "clients"}).status_code == 403


def test_the_progress_fragment_polls_while_the_preview_runs_and_reloads_when_done(desk):
    response, batch = upload(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")

    fragment = desk.get(batch.get_absolute_url(), headers={"HX-Request": "true"})
    assert (
        'hx-trigger="every 1s"' in fragment.content.decode()
        and "Waiting for a background worker" in fragment.content.decode()
    )
    work_preview(batch)
    done = desk.get(batch.get_absolute_url(), headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    run = JobRun.objects.get(pk=batch.preview_run_id)
    assert (run.status, run.total, run.done, run.error_count) == ("succeeded", 4, 4, 1)


def test_the_import_list_reads_a_fixed_number_of_queries(desk, django_assert_max_num_queries):
    for _ in range(3):
        upload(desk, data=JANE_PATIENTS, name="patients.csv", source="jane")
    with django_assert_max_num_queries(12):
        response = desk.get(reverse("imports:list"))
    assert response.content.decode().count("patients.csv") == 3


def test_a_client_the_clinic_had_keeps_its_names_and_status_when_a_newer_export_differs(desk):
    existing = ClientFactory(first_name="Zoe", last_name="Lefevre", date_of_birth=date(1987, 11, 23), phone="")
    jane_patients(desk)  # linked, blanks filled
    archived = (
        JANE_PATIENTS.decode("cp1252")
        .replace("Zoë,,Lefèvre", "Zoë,,Lefèvre-Roy")
        .replace("416.555.0102", "416 555 0177")
    )

    jane_patients(desk, data=archived.encode("cp1252"))

    existing.refresh_from_db()
    assert (existing.first_name, existing.last_name) == ("Zoe", "Lefevre")  # the clinic's own
    assert existing.phone == "(416) 555-0177"  # what an import fills in follows the source


def test_an_end_column_with_a_time_only_ends_the_visit_that_day(desk, therapist):
    jane_patients(desk)
    rows = [
        ["Patient Number", "Date", "Time", "End time", "Service", "Staff"],
        ["1001", "2024-03-02", "10:00", "10:45 AM", "Massage", "Dana"],
    ]
    data = io.StringIO()
    csv.writer(data).writerows(rows)

    batch = imported(desk, data=data.getvalue().encode(), name="a.csv", source="jane", kind="appointments")

    visit = Appointment.objects.get()
    assert batch.outcome["counts"]["new"] == 1
    assert timezone.localtime(visit.ends_at).strftime("%H:%M") == "10:45"


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_start_one_import(client, manager):
    import threading

    from django.db import connections

    from imports import services

    client.force_login(manager)
    batch = previewed(client, data=JANE_PATIENTS, name="patients.csv", source="jane")
    outcomes, barrier = [], threading.Barrier(2)

    def confirm():
        try:
            barrier.wait()
            services.batch_claim(batch.pk)
            outcomes.append("claimed")
        except services.ImportRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["claimed", "refused"]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTING
