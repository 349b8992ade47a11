"""Each access rule has one home (accounts/access.py), and the clinical querysets follow it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from intake.models import Intake
from intake.tests.factories import IntakeFactory
from sessions.models import Assessment, SessionNote, TreatmentPlan
from sessions.tests.factories import AssessmentFactory, SessionNoteFactory, TreatmentPlanFactory, signed_note

pytestmark = pytest.mark.django_db

APP_DIRS = ("accounts", "audit", "clients", "clinic", "demo", "intake", "ops", "scheduling", "sessions")


def test_permission_names_are_written_once():
    """The permission strings of the access rules appear in accounts/access.py and nowhere else
    in the code (migrations and tests aside): a rule copied into a view would drift."""
    base = Path(settings.BASE_DIR)
    found = []
    for app in APP_DIRS:
        for path in (base / app).rglob("*.py"):
            if "migrations" in path.parts or "tests" in path.parts or path == base / "accounts" / "access.py":
                continue
            for needle in ("clinic.view_clinical_records", "clinic.manage_clinic"):
                if re.search(rf"[\"']{re.escape(needle)}[\"']", path.read_text()):
                    found.append(f"{path.relative_to(base)}: {needle}")
    assert not found, "use accounts.access instead of spelling the permission: " + ", ".join(found)


def test_front_desk_sees_no_clinical_record_through_the_querysets(front_desk, therapist):
    signed_note(therapist=therapist)
    AssessmentFactory(therapist=therapist)
    TreatmentPlanFactory(therapist=therapist)
    IntakeFactory()

    for model in (SessionNote, Assessment, TreatmentPlan, Intake):
        assert model.objects.visible_to(front_desk).count() == 0
        assert model.objects.visible_to(therapist).count() == 1


def test_only_the_author_may_edit_a_draft(therapist, manager):
    mine = SessionNoteFactory(therapist=therapist)
    signed = signed_note(therapist=therapist)
    someone_elses = SessionNoteFactory(therapist=manager)

    assert list(SessionNote.objects.editable_by(therapist)) == [mine]
    assert mine.can_edit(therapist) and not mine.can_edit(manager)
    assert not signed.can_edit(therapist)
    assert not someone_elses.can_edit(therapist)


def test_templates_ask_the_access_rules_not_the_permissions():
    base = Path(settings.BASE_DIR) / "templates"
    spelled = [
        str(path.relative_to(base))
        for path in base.rglob("*.html")
        if re.search(r"perms\.clinic\.(view_clinical_records|manage_clinic)", path.read_text())
    ]
    assert not spelled, "use {{ access.clinical }} / {{ access.manage }}: " + ", ".join(spelled)
