"""Writing a session note: drafts, two tabs, author-only editing, signing, carry-forward, alerts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import Intake
from intake.tests.factories import IntakeFactory
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at
from sessions import services
from sessions.forms import SIGNING_FIELDS
from sessions.models import SessionNote
from sessions.tests.factories import (
    HOME_CARE_STRETCHES,
    TISSUE_RESPONSE,
    NoteAreaFactory,
    SessionNoteFactory,
    signed_note,
)
from sessions.tests.helpers import note_form_data
from timekeeping.timeutil import today

pytestmark = pytest.mark.django_db


def edit_url(note):
    return reverse("visits:note_edit", args=[note.client_id, note.pk])


def sign_url(note):
    return reverse("visits:note_sign", args=[note.client_id, note.pk])


def region_row(html: str, code: str) -> str:
    """The note form's row for one body region (plain list, not the figure)."""
    start = html.index(f'data-region-row="{code}"')
    end = html.find("data-region-row=", start + 1)
    return html[start : end if end != -1 else None]


# --- starting and saving drafts ------------------------------------------------------------------


def test_new_note_starts_an_empty_draft_by_the_therapist(client, therapist, client_record):
    client.force_login(therapist)

    response = client.post(reverse("visits:note_new", args=[client_record.pk]))

    note = SessionNote.objects.get(client=client_record)
    assert response.url == edit_url(note)
    assert note.therapist == therapist
    assert not note.is_signed
    assert note.version == 1
    assert (note.techniques, note.home_care_stretches, note.areas.count()) == ([], "", 0)


def test_saving_a_draft_stores_fields_and_areas_and_bumps_the_version(client, therapist):
    note = SessionNoteFactory(therapist=therapist, empty=True)
    client.force_login(therapist)
    data = note_form_data(
        note,
        pain_before="7",
        pain_after="2",
        duration_minutes="75",
        techniques=["Swedish", "Cupping"],
        pressure="firm",
        tissue_response="Knots under the right scapula eased",
        areas=[("shoulder", "right", 6, "deep", ["Trigger point therapy"]), ("abdomen", "center", None, "", [])],
    )

    response = client.post(edit_url(note), data, follow=True)

    assert "Draft saved." in response.content.decode()
    note.refresh_from_db()
    assert (note.pain_before, note.pain_after, note.duration_minutes) == (7, 2, 75)
    assert note.techniques == ["Swedish", "Cupping"]
    assert note.tissue_response == "Knots under the right scapula eased"
    assert note.version == 2
    assert sorted(note.areas.values_list("region", "side", "pain", "pressure", "techniques")) == [
        ("abdomen", "center", None, "", []),
        ("shoulder", "right", 6, "deep", ["Trigger point therapy"]),
    ]


def test_saving_replaces_the_areas_of_the_draft(client, therapist):
    note = SessionNoteFactory(therapist=therapist, areas=[("neck_back", "both", 5), ("calf", "left", 2)])
    client.force_login(therapist)

    client.post(edit_url(note), note_form_data(note, areas=[("calf", "right", 1, "light", [])]))

    assert list(note.areas.values_list("region", "side", "pain")) == [("calf", "right", 1)]


def test_save_and_review_goes_to_the_note_page(client, therapist):
    note = SessionNoteFactory(therapist=therapist)
    client.force_login(therapist)

    response = client.post(edit_url(note), {**note_form_data(note), "then": "sign"})

    assert response.url == note.get_absolute_url()


def test_invalid_draft_keeps_what_was_typed(client, therapist):
    note = SessionNoteFactory(therapist=therapist, next_visit_interval_days=None)
    client.force_login(therapist)
    data = note_form_data(
        note, next_visit_date="2030-01-10", next_visit_interval_days="14", client_feedback="Typed but not saved yet"
    )

    response = client.post(edit_url(note), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Give a date or an interval, not both." in html
    assert "Typed but not saved yet" in html
    note.refresh_from_db()
    assert note.client_feedback != "Typed but not saved yet"
    assert note.version == 1


# --- two tabs: optimistic locking ----------------------------------------------------------------


def test_second_tab_gets_a_conflict_and_nothing_is_lost(client, therapist):
    note = SessionNoteFactory(therapist=therapist, empty=True)
    client.force_login(therapist)
    first_tab = client.get(edit_url(note))
    second_tab = client.get(edit_url(note))
    assert first_tab.context["form"]["version"].value() == second_tab.context["form"]["version"].value() == 1

    saved = client.post(
        edit_url(note),
        note_form_data(note, tissue_response="First tab: adhesions at T4", areas=[("mid_back", "left", 4, "", [])]),
    )
    assert saved.status_code == 302

    conflict = client.post(
        edit_url(note),
        note_form_data(
            note,
            tissue_response="Second tab: hypertonic quadratus lumborum",
            pain_before="8",
            areas=[("lower_back", "right", 6, "deep", ["Cupping"])],
        ),
    )

    assert conflict.status_code == 200
    html = conflict.content.decode()
    saved_part = html[html.index('id="note-conflict"') : html.index("<form", html.index('id="note-conflict"'))]
    assert "saved in another tab or device" in saved_part
    assert "First tab: adhesions at T4" in saved_part
    assert "Mid back, left" in saved_part
    form_part = html[html.index('class="note-form"') :]
    assert "Second tab: hypertonic quadratus lumborum" in form_part
    assert "First tab: adhesions at T4" not in form_part
    assert re.search(r'name="version" value="2"', form_part)
    typed = conflict.context["form"]
    assert typed["area_lower_back_side"].value() == "right"
    assert typed["area_lower_back_techniques"].value() == ["Cupping"]
    assert typed["area_mid_back_side"].value() == ""
    # The database still holds the first tab's save, untouched by the refused second save.
    note.refresh_from_db()
    assert note.tissue_response == "First tab: adhesions at T4"
    assert note.pain_before is None
    assert note.version == 2
    assert list(note.areas.values_list("region", "side")) == [("mid_back", "left")]

    # Saving again from the conflict form is deliberate: the second tab's version wins.
    again = client.post(edit_url(note), conflict.context["form"].data)

    assert again.status_code == 302
    note.refresh_from_db()
    assert note.tissue_response == "Second tab: hypertonic quadratus lumborum"
    assert note.pain_before == 8
    assert note.version == 3
    assert list(note.areas.values_list("region", "side", "techniques")) == [("lower_back", "right", ["Cupping"])]


def test_a_stale_form_cannot_overwrite_a_note_signed_meanwhile(client, therapist):
    note = SessionNoteFactory(therapist=therapist, areas=[("neck_back", "both", 5)])
    client.force_login(therapist)
    stale = note_form_data(note, tissue_response="Typed in a forgotten tab")
    client.post(sign_url(note))

    response = client.post(edit_url(note), stale)

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.is_signed
    assert note.tissue_response == TISSUE_RESPONSE


# --- only the author edits and signs a draft ------------------------------------------------------


def test_another_therapist_cannot_edit_a_draft(client, therapist, other_therapist):
    note = SessionNoteFactory(therapist=therapist)
    client.force_login(other_therapist)

    assert client.get(edit_url(note)).status_code == 403
    assert client.post(edit_url(note), note_form_data(note, tissue_response="Not mine")).status_code == 403

    note.refresh_from_db()
    assert note.tissue_response == TISSUE_RESPONSE
    assert note.version == 1


def test_another_therapist_cannot_sign_a_draft(client, therapist, other_therapist):
    note = SessionNoteFactory(therapist=therapist, areas=[("neck_back", "both", 5)])
    client.force_login(other_therapist)

    page = client.get(note.get_absolute_url()).content.decode()
    response = client.post(sign_url(note))

    assert f"Only {therapist} can edit and sign this draft." in page
    assert "Edit draft" not in page
    assert response.status_code == 403
    note.refresh_from_db()
    assert not note.is_signed


def test_manager_reads_but_does_not_edit_or_sign_a_therapists_draft(client, therapist, manager):
    note = SessionNoteFactory(therapist=therapist, areas=[("neck_back", "both", 5)])
    client.force_login(manager)

    assert TISSUE_RESPONSE in client.get(note.get_absolute_url()).content.decode()
    assert client.get(edit_url(note)).status_code == 403
    assert client.post(sign_url(note)).status_code == 403
    note.refresh_from_db()
    assert not note.is_signed


# --- what signing needs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing_field, wording",
    [("pain_before", "pain before"), ("pain_after", "pain after"), ("duration_minutes", "duration")],
)
def test_signing_needs_pain_before_and_after_and_duration(client, therapist, missing_field, wording):
    note = SessionNoteFactory(therapist=therapist, areas=[("neck_back", "both", 5)], **{missing_field: None})
    client.force_login(therapist)

    response = client.post(sign_url(note), follow=True)

    assert f"Before signing, add: {wording}." in response.content.decode()
    note.refresh_from_db()
    assert not note.is_signed
    assert note.content_hash == ""


def test_signing_needs_an_area_or_a_technique(client, therapist):
    note = SessionNoteFactory(therapist=therapist, techniques=[])
    client.force_login(therapist)

    page = client.get(note.get_absolute_url()).content.decode()
    response = client.post(sign_url(note), follow=True)

    assert "Before signing, add: areas worked or techniques." in page
    assert re.search(r'<button type="submit" class="btn btn-primary" disabled>Sign note</button>', page)
    assert "Before signing, add: areas worked or techniques." in response.content.decode()
    note.refresh_from_db()
    assert not note.is_signed


def test_an_empty_draft_lists_everything_missing(client, therapist):
    note = SessionNoteFactory(therapist=therapist, empty=True)
    client.force_login(therapist)

    response = client.post(sign_url(note), follow=True)

    assert (
        "Before signing, add: pain before, pain after, duration, areas worked or techniques."
        in response.content.decode()
    )


@pytest.mark.parametrize("with_area, techniques", [(True, []), (False, ["Swedish"])], ids=["area", "technique"])
def test_an_area_or_a_technique_is_enough_to_sign(client, therapist, with_area, techniques):
    note = SessionNoteFactory(therapist=therapist, techniques=techniques)
    if with_area:
        NoteAreaFactory(note=note)
    client.force_login(therapist)

    client.post(sign_url(note))

    note.refresh_from_db()
    assert note.is_signed


def needs_line(html: str) -> str:
    """The note form's line saying what signing still needs."""
    return re.search(r'<p id="sign-needs"[^>]*>\s*(.*?)\s*</p>', html, re.S).group(1)


def test_note_form_says_what_signing_needs_before_signing_and_marks_those_fields(client, therapist):
    note = SessionNoteFactory(therapist=therapist, empty=True)
    client.force_login(therapist)

    html = client.get(edit_url(note)).content.decode()

    assert needs_line(html) == "To sign, add: pain before, pain after, duration, areas worked or techniques."
    for name in ("pain_before", "pain_after", "duration_minutes"):
        assert re.search(rf'<(input|select)[^>]*class="[^"]*needed-to-sign[^"]*"[^>]*id="id_{name}"', html), name
        assert f'id="id_{name}_helptext"' in html
    assert "Needed to sign: an area worked (above) or a technique." in html


def test_note_form_lists_only_what_is_still_missing_and_then_nothing(client, therapist):
    note = SessionNoteFactory(therapist=therapist, pain_after=None, duration_minutes=None, techniques=[])
    client.force_login(therapist)

    html = client.get(edit_url(note)).content.decode()

    assert needs_line(html) == "To sign, add: pain after, duration, areas worked or techniques."
    assert 'class="form-select needed-to-sign"' not in html.split('id="id_pain_before"')[0].rsplit("<select", 1)[1]

    client.post(edit_url(note), note_form_data(note, pain_after="2", duration_minutes="60", techniques=["Swedish"]))
    html = client.get(edit_url(note)).content.decode()

    assert needs_line(html).startswith("Everything signing needs is filled in")
    assert "needed-to-sign" not in html.split('class="note-form"')[1]


def test_note_form_counts_what_was_typed_when_it_comes_back_with_an_error(client, therapist):
    note = SessionNoteFactory(therapist=therapist, empty=True)
    client.force_login(therapist)
    data = note_form_data(
        note, pain_before="6", duration_minutes="45", next_visit_date="2030-01-10", next_visit_interval_days="14"
    )

    response = client.post(edit_url(note), data)

    assert response.status_code == 200
    assert needs_line(response.content.decode()) == "To sign, add: pain after, areas worked or techniques."


@pytest.mark.parametrize("missing", [*SIGNING_FIELDS.values(), "everything"])
def test_note_form_names_exactly_what_signing_would_refuse(client, therapist, missing):
    note = (
        SessionNoteFactory(therapist=therapist, empty=True)
        if missing == "everything"
        else SessionNoteFactory(therapist=therapist, **{missing: [] if missing == "techniques" else None})
    )
    client.force_login(therapist)

    response = client.get(edit_url(note))

    assert response.context["form"].signing_needs == services.missing_for_signature(note)
    assert set(response.context["form"].signing_needs) <= set(SIGNING_FIELDS)


def test_a_note_of_a_booked_visit_takes_its_duration_from_the_visit(client, therapist):
    ninety = ServiceFactory(name="Deep tissue, 90 minutes", duration_minutes=90)
    note = SessionNoteFactory(therapist=therapist, empty=True)
    AppointmentFactory(client=note.client, therapist=therapist, service=ninety, note=note, status="checked_in")
    client.force_login(therapist)

    html = client.get(edit_url(note)).content.decode()

    assert re.search(r'name="duration_minutes" value="90"', html)
    assert needs_line(html) == "To sign, add: pain before, pain after, areas worked or techniques."
    client.post(edit_url(note), note_form_data(note, duration_minutes="90"))
    note.refresh_from_db()
    assert note.duration_minutes == 90


def test_checking_in_opens_the_note_with_the_visits_length_filled_in(client, therapist):
    visit = AppointmentFactory(
        therapist=therapist, service=ServiceFactory(duration_minutes=75), starts_at=at(today(), "09:00")
    )
    client.force_login(therapist)

    response = client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]), follow=True)

    html = response.content.decode()
    assert re.search(r'name="duration_minutes" value="75"', html)
    assert "duration" not in needs_line(html)


# --- carry forward -------------------------------------------------------------------------------


def test_new_note_from_the_last_one_copies_regions_and_home_care(client, therapist, client_record):
    older = SessionNoteFactory(
        client=client_record, visit_date=timezone.localdate() - timedelta(days=30), home_care_posture="Old advice"
    )
    NoteAreaFactory(note=older, region="knee", side="left")
    last = signed_note(
        client=client_record,
        visit_date=timezone.localdate() - timedelta(days=7),
        areas=[],
        home_care_posture="Sit back in the chair",
        techniques=["Cupping"],
        pressure="deep",
    )
    client.force_login(therapist)
    chart = client.get(reverse("visits:chart", args=[client_record.pk])).content.decode()
    assert "New note from the last one" in chart

    response = client.post(reverse("visits:note_new", args=[client_record.pk]), {"carry_forward": "1"})

    new = SessionNote.objects.exclude(pk__in=[older.pk, last.pk]).get()
    assert response.url == edit_url(new)
    assert new.therapist == therapist
    assert new.home_care_posture == "Sit back in the chair"
    assert new.home_care_stretches == HOME_CARE_STRETCHES
    assert new.techniques == ["Cupping"]
    assert new.pressure == "deep"
    assert new.areas.count() == 0  # the last note had no areas; the older note's are not used
    # What happened at this visit is not copied.
    assert (new.pain_before, new.pain_after, new.tissue_response, new.duration_minutes) == (None, None, "", None)


def test_carry_forward_copies_areas_with_side_pressure_and_techniques_but_not_pain(client, therapist, client_record):
    last = SessionNoteFactory(client=client_record, visit_date=timezone.localdate() - timedelta(days=7))
    NoteAreaFactory(note=last, region="upper_back", side="right", pain=7, pressure="deep", techniques=["Cupping"])
    NoteAreaFactory(note=last, region="abdomen", side="center", pain=None, pressure="light", techniques=[])
    services.note_sign(note=last, by=last.therapist)
    client.force_login(therapist)

    response = client.post(reverse("visits:note_new", args=[client_record.pk]), {"carry_forward": "1"})
    new = SessionNote.objects.exclude(pk=last.pk).get()

    assert sorted(new.areas.values_list("region", "side", "pressure", "techniques", "pain")) == [
        ("abdomen", "center", "light", [], None),
        ("upper_back", "right", "deep", ["Cupping"], None),
    ]
    form = client.get(response.url).context["form"]
    assert form["area_upper_back_side"].value() == "right"
    assert form["area_upper_back_pressure"].value() == "deep"
    assert form["area_upper_back_techniques"].value() == ["Cupping"]
    assert form["home_care_stretches"].value() == HOME_CARE_STRETCHES
    # Copying left the previous note untouched.
    assert last.areas.count() == 2


def test_new_note_without_carry_forward_copies_nothing(client, therapist, client_record):
    SessionNoteFactory(client=client_record, areas=[("knee", "left", 3)])
    client.force_login(therapist)

    client.post(reverse("visits:note_new", args=[client_record.pk]))

    new = SessionNote.objects.filter(client=client_record).latest("id")
    assert (new.home_care_stretches, new.techniques, new.areas.count()) == ("", [], 0)


def test_no_new_notes_for_an_archived_client(client, therapist, client_record, manager):
    client_record.archive(by=manager)
    client.force_login(therapist)

    assert client.post(reverse("visits:note_new", args=[client_record.pk])).status_code == 404
    assert not SessionNote.objects.exists()


# --- alerts --------------------------------------------------------------------------------------


@pytest.fixture
def intake_with_alerts(client_record):
    return IntakeFactory(
        client=client_record,
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": "Warfarin 5 mg"},
        do_not_work=["ankle_foot"],
    )


ALERTS = ["Taking blood thinners: Warfarin 5 mg", "Do not work: Ankle and foot"]


def test_alerts_show_on_the_chart_the_note_form_and_the_note_page(client, therapist, client_record, intake_with_alerts):
    note = SessionNoteFactory(client=client_record, therapist=therapist)
    client.force_login(therapist)

    for url in (reverse("visits:chart", args=[client_record.pk]), edit_url(note), note.get_absolute_url()):
        html = client.get(url).content.decode()
        alerts = html[html.index('aria-label="Client alerts"') :]
        for alert in ALERTS:
            assert alert in alerts, url


def test_do_not_work_region_is_marked_in_the_note_forms_region_list(
    client, therapist, client_record, intake_with_alerts
):
    note = SessionNoteFactory(client=client_record, therapist=therapist)
    client.force_login(therapist)

    html = client.get(edit_url(note)).content.decode()

    assert "Client asked: do not work" in region_row(html, "ankle_foot")
    assert "Client asked: do not work" not in region_row(html, "calf")
    assert html.count("Client asked: do not work") == 1
    assert 'data-do-not-work="ankle_foot"' in html


def test_alerts_come_from_the_current_accepted_intake_only(client, therapist, client_record):
    IntakeFactory(client=client_record, cautions=["pregnancy"], submitted_at=timezone.now() - timedelta(days=200))
    IntakeFactory(client=client_record, cautions=["osteoporosis"], do_not_work=["knee"])
    IntakeFactory(client=client_record, status=Intake.Status.AWAITING_REVIEW, cautions=["fever"])
    note = SessionNoteFactory(client=client_record, therapist=therapist)
    client.force_login(therapist)

    html = client.get(edit_url(note)).content.decode()

    assert "Osteoporosis" in html
    assert "Client asked: do not work" in region_row(html, "knee")
    assert "Pregnancy" not in html
    assert "Fever or acute infection" not in html


def test_no_alert_box_without_an_accepted_intake(client, therapist, client_record):
    client.force_login(therapist)

    html = client.get(reverse("visits:chart", args=[client_record.pk])).content.decode()

    assert "Client alerts" not in html
    assert "No accepted intake yet." in html


# --- printable pages -----------------------------------------------------------------------------


def test_printable_visit_summary_shows_the_note_and_its_signature(client, therapist):
    note = signed_note(therapist=therapist, areas=[("shoulder", "left", 4)])
    client.force_login(therapist)

    html = client.get(reverse("visits:note_print", args=[note.client_id, note.pk])).content.decode()

    assert f"Visit summary: {note.client.first_name} {note.client.last_name}" in html
    assert TISSUE_RESPONSE in html
    assert "Shoulder (trapezius), left, pain 4/10" in html
    assert "6 → 3" in html
    assert note.content_hash in html
    assert "Draft: not signed." not in html


def test_printable_summary_of_a_draft_says_so(client, therapist):
    note = SessionNoteFactory(therapist=therapist)
    client.force_login(therapist)

    html = client.get(reverse("visits:note_print", args=[note.client_id, note.pk])).content.decode()

    assert "Draft: not signed." in html


def test_home_care_handout_shows_home_care_and_next_visit_only(client, therapist):
    note = signed_note(therapist=therapist)
    client.force_login(therapist)

    html = client.get(reverse("visits:note_handout", args=[note.client_id, note.pk])).content.decode()

    assert "Your home care" in html
    assert HOME_CARE_STRETCHES in html
    assert "Band pull-aparts, 2 x 15" in html
    assert "Raise the screen to eye level" in html
    assert "coming back in about 14 days" in html
    assert TISSUE_RESPONSE not in html  # the client gets advice, not the clinical observations


def test_handout_without_home_care_says_none_was_given(client, therapist):
    note = SessionNoteFactory(
        therapist=therapist, home_care_stretches="", home_care_strengthening="", home_care_posture=""
    )
    client.force_login(therapist)

    html = client.get(reverse("visits:note_handout", args=[note.client_id, note.pk])).content.decode()

    assert "No home care was given at this visit." in html


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_lists_drafts_unsigned_for_more_than_a_day(client, therapist, other_therapist):
    old = SessionNoteFactory(therapist=therapist, overdue=True, client__first_name="Overdueton")
    SessionNoteFactory(
        therapist=therapist, created_at=timezone.now() - timedelta(hours=2), client__first_name="Freshley"
    )
    SessionNoteFactory(therapist=other_therapist, overdue=True, client__first_name="Elsewhere")
    signed_note(therapist=therapist, created_at=timezone.now() - timedelta(days=3), client__first_name="Donewell")
    client.force_login(therapist)

    html = client.get(reverse("scheduling:dashboard")).content.decode()

    overdue = html[html.index("Unsigned for more than 24 hours") : html.index('id="drafts-heading"')]
    assert "Overdueton" in overdue
    assert old.get_absolute_url() in overdue
    assert "Freshley" not in overdue
    assert "Donewell" not in overdue
    drafts = html[html.index('id="drafts-heading"') : html.index('id="recent-heading"')]
    assert "Freshley" in drafts and "Overdueton" in drafts
    assert "Donewell" in html[html.index('id="recent-heading"') :]
    assert "Elsewhere" not in html


def test_dashboard_has_no_overdue_box_when_drafts_are_recent(client, therapist):
    SessionNoteFactory(therapist=therapist, created_at=timezone.now() - timedelta(hours=23))
    client.force_login(therapist)

    html = client.get(reverse("scheduling:dashboard")).content.decode()

    assert "Unsigned for more than 24 hours" not in html
