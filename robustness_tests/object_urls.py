"""How to fill every URL that has an id, and which roles may open it that way.

Used by the object-level access sweep (test_object_access.py) and by the fuzzer of
discovered forms (test_fuzz_discovered_forms.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from intake.tests.helpers import step_data
from robustness_tests.world import World
from sessions.tests.helpers import assessment_form_data, note_form_data

ROLES = ("front_desk", "therapist", "manager", "no_role", "anonymous")
STAFF = frozenset({"front_desk", "therapist", "manager"})
CLINICAL = frozenset({"therapist", "manager"})
MANAGER = frozenset({"manager"})
AUTHOR = frozenset({"therapist"})  # the `therapist` persona wrote the record
NOBODY = frozenset()


@dataclass(frozen=True)
class Case:
    """One way to fill a URL, and who may open it that way."""

    label: str
    kwargs: Callable[[World], dict]
    allowed: frozenset
    post: Callable[[World], dict] = field(default=lambda w: {})
    query: Callable[[World], dict] = field(default=lambda w: {})
    public: bool = False  # open without sign-in: anonymous visitors get 404, not the sign-in page


def _client_data(w: World) -> dict:
    return {
        "first_name": "Changed",
        "last_name": "Byoutsider",
        "date_of_birth": "1980-01-01",
        "phone": "555 010 9999",
        "email": "changed@example.com",
    }


def _reschedule(w: World) -> dict:
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    return {"therapist": w.therapist.pk, "date": day, "time": "11:00", "outside_hours_ok": "on"}


def _note_a(w):
    return {"client_pk": w.a.client.pk, "pk": w.a.signed_note.pk}


def _note_of_a_under_b(w):
    return {"client_pk": w.b.client.pk, "pk": w.a.signed_note.pk}


NOTE_POST = {"reason": "Outsider", "text": "Should not be stored", "tissue_response": "Changed by an outsider"}

CASES: dict[str, list[Case]] = {
    # Client profiles: all staff; never a no-role account.
    "clients:detail": [Case("client", lambda w: {"pk": w.a.client.pk}, STAFF)],
    "clients:edit": [Case("client", lambda w: {"pk": w.a.client.pk}, STAFF, post=_client_data)],
    "clients:archive": [Case("client", lambda w: {"pk": w.a.client.pk}, STAFF)],
    "clients:restore": [Case("archived client", lambda w: {"pk": w.archived_client.pk}, STAFF)],
    "clients:export_pdf": [Case("client", lambda w: {"pk": w.a.client.pk}, CLINICAL)],
    "clients:export_json": [Case("client", lambda w: {"pk": w.a.client.pk}, CLINICAL)],
    # The audit trail and sign-in security: the manager's.
    "audit:client": [Case("client", lambda w: {"client_pk": w.a.client.pk}, MANAGER)],
    "accounts:two_factor_reset": [Case("a therapist", lambda w: {"user_pk": w.other_therapist.pk}, MANAGER)],
    # Text messages: a client's log and reminder channel, all staff; the texts' wording, the manager's.
    "messaging:client_messages": [Case("client", lambda w: {"client_pk": w.a.client.pk}, STAFF)],
    "messaging:preference": [
        Case(
            "client",
            lambda w: {"client_pk": w.a.client.pk},
            STAFF,
            post=lambda w: {"reminders": "text", "text_number": "555 010 9999"},
        )
    ],
    "messaging:template_edit": [
        Case(
            "reminder",
            lambda w: {"key": "reminder"},
            MANAGER,
            post=lambda w: {"action": "save", "body": "Changed by an outsider $first_name"},
        )
    ],
    # Background jobs: the manager's.
    "jobs:run": [Case("reminders", lambda w: {"kind": "send_reminders"}, MANAGER)],
    "jobs:detail": [Case("a run", lambda w: {"pk": w.job_run.pk}, MANAGER)],
    # Online booking: the client's private link opens for whoever holds it; the desk's refusal is staff's.
    "booking:manage": [
        Case("private link", lambda w: {"token": w.online_token}, frozenset(ROLES), public=True),
        Case("unknown token", lambda w: {"token": "not-a-real-token"}, NOBODY, public=True),
    ],
    "booking:move": [
        Case("private link", lambda w: {"token": w.online_token}, frozenset(ROLES), public=True),
        Case("unknown token", lambda w: {"token": "not-a-real-token"}, NOBODY, public=True),
    ],
    "booking:offer": [
        Case("an offer", lambda w: {"token": w.offer_token}, frozenset(ROLES), public=True),
        Case("unknown token", lambda w: {"token": "not-a-real-token"}, NOBODY, public=True),
    ],
    "booking:waitlist_remove": [Case("a waiting client", lambda w: {"pk": w.waitlist_entry.pk}, STAFF)],
    "booking:refuse": [
        Case("online booking", lambda w: {"pk": w.online_booking.pk}, STAFF, post=lambda w: {"message": "Call us"})
    ],
    # Imports: the manager's.
    "imports:detail": [Case("a previewed import", lambda w: {"pk": w.import_batch.pk}, MANAGER)],
    "imports:choose": [
        Case(
            "a previewed import",
            lambda w: {"pk": w.import_batch.pk},
            MANAGER,
            post=lambda w: {"column_0": "first_name", "column_1": "last_name", "date_order": ""},
        )
    ],
    "imports:confirm": [Case("a previewed import", lambda w: {"pk": w.import_batch.pk}, MANAGER)],
    "imports:cancel": [Case("a previewed import", lambda w: {"pk": w.import_batch.pk}, MANAGER)],
    "imports:undo": [Case("an imported batch", lambda w: {"pk": w.imported_batch.pk}, MANAGER)],
    # The whole-clinic archive: the manager's.
    "archive:run": [Case("an export", lambda w: {"pk": w.archive_run.pk}, MANAGER)],
    "archive:download": [Case("an archive", lambda w: {"pk": w.clinic_archive.pk}, MANAGER)],
    # Intake: the client's side is public, but a link works only for whoever proved who they are.
    "intake:open": [
        Case(
            "in-clinic link",
            lambda w: {"token": w.a.in_clinic_token},
            CLINICAL,
            post=lambda w: {"last_name": w.a.client.last_name, "date_of_birth": w.a.client.date_of_birth},
            public=True,
        ),
        Case("unknown token", lambda w: {"token": "not-a-real-token"}, NOBODY, public=True),
    ],
    "intake:step": [
        Case(
            "link not verified in this browser",
            lambda w: {"token": w.a.link_token, "step": "reason"},
            NOBODY,
            post=lambda w: step_data("reason"),
            public=True,
        ),
        Case(
            "in-clinic link",
            lambda w: {"token": w.a.in_clinic_token, "step": "reason"},
            CLINICAL,
            post=lambda w: step_data("reason"),
            public=True,
        ),
    ],
    "intake:done": [Case("link not submitted here", lambda w: {"token": w.a.link_token}, NOBODY, public=True)],
    "intake:link_create": [
        Case("client", lambda w: {"client_pk": w.a.client.pk}, STAFF, post=lambda w: {"send_email": "1"})
    ],
    "intake:link_revoke": [Case("link", lambda w: {"pk": w.a.link.pk}, STAFF)],
    "intake:in_clinic": [Case("client", lambda w: {"client_pk": w.a.client.pk}, CLINICAL)],
    "intake:match_attach": [
        Case("unmatched", lambda w: {"pk": w.unmatched_intake.pk}, STAFF, post=lambda w: {"client": w.a.client.pk})
    ],
    "intake:match_create_client": [Case("unmatched", lambda w: {"pk": w.unmatched_intake.pk}, STAFF)],
    "intake:detail": [Case("intake", lambda w: {"pk": w.a.intake.pk}, CLINICAL)],
    "intake:accept": [
        Case(
            "awaiting review",
            lambda w: {"pk": w.a.awaiting_intake.pk},
            CLINICAL,
            post=lambda w: {"update_fields": "phone"},
        )
    ],
    # The schedule: everyone books and runs visits; services are the manager's.
    "scheduling:service_edit": [
        Case(
            "service",
            lambda w: {"pk": w.service.pk},
            MANAGER,
            post=lambda w: {
                "name": "Renamed",
                "duration_minutes": "30",
                "fee": "1.00",
                "position": "1",
                "active": "on",
            },
        )
    ],
    "scheduling:appointment_detail": [Case("appointment", lambda w: {"pk": w.a.appointment.pk}, STAFF)],
    "scheduling:appointment_reschedule": [
        Case("appointment", lambda w: {"pk": w.a.appointment.pk}, STAFF, post=_reschedule)
    ],
    "scheduling:appointment_cancel": [
        Case("appointment", lambda w: {"pk": w.a.appointment.pk}, STAFF, post=lambda w: {"reason": "Outsider"})
    ],
    "scheduling:appointment_no_show": [Case("appointment", lambda w: {"pk": w.a.appointment.pk}, STAFF)],
    "scheduling:appointment_check_in": [Case("appointment", lambda w: {"pk": w.a.appointment.pk}, STAFF)],
    "scheduling:appointment_complete": [Case("appointment", lambda w: {"pk": w.a.appointment.pk}, STAFF)],
    "scheduling:receipt": [Case("completed visit", lambda w: {"pk": w.a.completed_appointment.pk}, STAFF)],
    # Calendar feeds: the feed answers whoever has its token (a calendar app, signed in as nobody);
    # a revoked or unknown token is a 404 for everyone. A feed is revoked by its owner or the manager.
    "feeds:feed": [
        Case("active feed", lambda w: {"token": w.feed_token}, frozenset(ROLES), public=True),
        Case("revoked feed", lambda w: {"token": w.revoked_feed_token}, NOBODY, public=True),
        Case("unknown token", lambda w: {"token": "not-a-real-token"}, NOBODY, public=True),
    ],
    "feeds:revoke": [
        Case("own feed", lambda w: {"pk": w.feed.pk}, AUTHOR | MANAGER),
        Case("another therapist's feed", lambda w: {"pk": w.other_feed.pk}, MANAGER),
    ],
    # Clinical records: therapists and the manager; front desk never. Every lookup is scoped
    # to the client in the URL: another client's record id is a 404 for everyone.
    "visits:chart": [Case("client", lambda w: {"client_pk": w.a.client.pk}, CLINICAL)],
    "visits:progress": [Case("client", lambda w: {"client_pk": w.a.client.pk}, CLINICAL)],
    "visits:note_new": [Case("client", lambda w: {"client_pk": w.a.client.pk}, CLINICAL)],
    "visits:plan_new": [
        Case(
            "client",
            lambda w: {"client_pk": w.a.client.pk},
            CLINICAL,
            post=lambda w: {"goals": "Outsider goals", "visit_interval_days": "7", "starts_on": "2025-01-01"},
        )
    ],
    "visits:assessment_new": [
        Case("client", lambda w: {"client_pk": w.a.client.pk}, CLINICAL, post=lambda w: assessment_form_data()),
        Case(
            "another therapist's draft note",
            lambda w: {"client_pk": w.a.client.pk},
            NOBODY,
            post=lambda w: assessment_form_data(),
            query=lambda w: {"note": w.a.other_draft_note.pk},
        ),
        Case(
            "another client's draft note",
            lambda w: {"client_pk": w.b.client.pk},
            NOBODY,
            post=lambda w: assessment_form_data(),
            query=lambda w: {"note": w.a.draft_note.pk},
        ),
    ],
    "visits:imported_note_detail": [
        Case("imported note", lambda w: {"client_pk": w.a.client.pk, "pk": w.a.imported_note.pk}, CLINICAL),
        Case("another client's", lambda w: {"client_pk": w.b.client.pk, "pk": w.a.imported_note.pk}, NOBODY),
    ],
    "visits:note_detail": [
        Case("signed note", _note_a, CLINICAL),
        Case("another client's note", _note_of_a_under_b, NOBODY),
    ],
    "visits:note_print": [
        Case("signed note", _note_a, CLINICAL),
        Case("another client's note", _note_of_a_under_b, NOBODY),
    ],
    "visits:note_handout": [
        Case("signed note", _note_a, CLINICAL),
        Case("another client's note", _note_of_a_under_b, NOBODY),
    ],
    "visits:note_edit": [
        Case(
            "own draft",
            lambda w: {"client_pk": w.a.client.pk, "pk": w.a.draft_note.pk},
            AUTHOR,
            post=lambda w: note_form_data(w.a.draft_note, tissue_response="Changed by an outsider"),
        ),
        Case(
            "another therapist's draft",
            lambda w: {"client_pk": w.a.client.pk, "pk": w.a.other_draft_note.pk},
            NOBODY,
            post=lambda w: note_form_data(w.a.other_draft_note, tissue_response="Changed by an outsider"),
        ),
        Case(
            "another client's draft",
            lambda w: {"client_pk": w.b.client.pk, "pk": w.a.draft_note.pk},
            NOBODY,
            post=lambda w: note_form_data(w.a.draft_note, tissue_response="Changed by an outsider"),
        ),
    ],
    "visits:note_sign": [
        Case("own draft", lambda w: {"client_pk": w.a.client.pk, "pk": w.a.draft_note.pk}, AUTHOR),
        Case(
            "another therapist's draft", lambda w: {"client_pk": w.a.client.pk, "pk": w.a.other_draft_note.pk}, NOBODY
        ),
        Case("another client's draft", lambda w: {"client_pk": w.b.client.pk, "pk": w.a.draft_note.pk}, NOBODY),
    ],
    "visits:addendum_new": [
        Case("signed note", _note_a, CLINICAL, post=lambda w: NOTE_POST),
        Case("another client's note", _note_of_a_under_b, NOBODY, post=lambda w: NOTE_POST),
    ],
    "visits:plan_detail": [
        Case("plan", lambda w: {"client_pk": w.a.client.pk, "pk": w.a.plan.pk}, CLINICAL),
        Case("another client's plan", lambda w: {"client_pk": w.b.client.pk, "pk": w.a.plan.pk}, NOBODY),
    ],
    "visits:plan_complete": [
        Case("plan", lambda w: {"client_pk": w.a.client.pk, "pk": w.a.plan.pk}, CLINICAL),
        Case("another client's plan", lambda w: {"client_pk": w.b.client.pk, "pk": w.a.plan.pk}, NOBODY),
    ],
    "visits:assessment_detail": [
        Case("assessment", lambda w: {"client_pk": w.a.client.pk, "pk": w.a.assessment.pk}, CLINICAL),
        Case("another client's assessment", lambda w: {"client_pk": w.b.client.pk, "pk": w.a.assessment.pk}, NOBODY),
    ],
}
