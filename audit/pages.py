"""Which pages show a client's clinical record, and what the access log calls them.

The access log (audit.models.AccessLog) gets one line per clinical page opened, printed
or refused (audit.middleware.ClinicalAccessMiddleware). A page is known by its URL name
and the ids in its URL, never by anything else in the URL.
"""

from dataclasses import dataclass

from django.db.models import Subquery

from audit.models import AccessLog
from clients.models import Client
from intake.models import Intake

MAX_ID = 2**63 - 1  # the largest id PostgreSQL stores (bigint)

# Printable pages: the access log says "printed" for them.
PRINT_PAGES = {"visits:note_print", "visits:note_handout"}

# Exports record themselves (audit/export_views.py); refused attempts are recorded here.
EXPORT_PAGES = {"clients:export_pdf", "clients:export_json"}

# The whole-clinic archive's download (archive/): every client's records in one file. The view
# records each download; a refused one is recorded here. It names no client.
WHOLE_CLINIC_PAGES = {"archive:download"}

# What the audit pages call each page of the access log (other names are shown as they are).
PAGE_LABELS = {
    "visits:chart": "Chart",
    "visits:progress": "Progress charts",
    "visits:note_new": "New session note",
    "visits:note_detail": "Session note",
    "visits:note_edit": "Session note (edit)",
    "visits:note_sign": "Session note (sign)",
    "visits:addendum_new": "Addendum",
    "visits:note_print": "Visit summary (print)",
    "visits:note_handout": "Home-care handout (print)",
    "visits:plan_new": "New treatment plan",
    "visits:plan_detail": "Treatment plan",
    "visits:plan_complete": "Treatment plan (complete)",
    "visits:assessment_new": "New assessment",
    "visits:assessment_detail": "Assessment",
    "visits:imported_note_detail": "Imported treatment note",
    "intake:detail": "Intake",
    "clients:detail": "Client profile (with clinical alerts)",
    "clients:export_pdf": "Record export (PDF)",
    "clients:export_json": "Record export (JSON)",
    "audit:client": "Access history",
    "archive:download": "Whole-clinic archive (download)",
    "manage.py export_clinic": "Whole-clinic archive (command line)",
}


@dataclass(frozen=True)
class ClinicalPage:
    name: str  # the URL name, e.g. "visits:note_detail"
    client: Subquery | None  # selects the client (NULL when there is no such row)
    object_id: str = ""
    kind: str = AccessLog.Kind.VIEW
    # Pages everyone at the desk uses, with clinical content only for clinicians: recorded
    # when a clinician opened them, or when someone was refused.
    clinical_for_clinicians_only: bool = False


def clinical_page(request) -> ClinicalPage | None:
    """The clinical page a request asked for, or None for any other page.

    Costs no query: the client is selected by the INSERT of the access-log line itself.
    """
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    name, kwargs = match.view_name, match.kwargs
    if match.namespace == "visits" and "client_pk" in kwargs:
        return ClinicalPage(
            name=name,
            client=_existing(Client, kwargs["client_pk"]),
            object_id=_object_id(kwargs.get("pk")),
            kind=AccessLog.Kind.PRINT if name in PRINT_PAGES else AccessLog.Kind.VIEW,
        )
    if name == "intake:detail":
        return ClinicalPage(
            name=name, client=_existing(Intake, kwargs["pk"], "client_id"), object_id=_object_id(kwargs["pk"])
        )
    if name == "clients:detail":
        return ClinicalPage(name=name, client=_existing(Client, kwargs["pk"]), clinical_for_clinicians_only=True)
    if name in EXPORT_PAGES:
        return ClinicalPage(name=name, client=_existing(Client, kwargs["pk"]), kind=AccessLog.Kind.EXPORT)
    if name in WHOLE_CLINIC_PAGES:
        return ClinicalPage(name=name, client=None, object_id=_object_id(kwargs.get("pk")), kind=AccessLog.Kind.EXPORT)
    if name == "audit:client":  # shows the before and after values of the client's records
        return ClinicalPage(name=name, client=_existing(Client, kwargs["client_pk"]))
    return None


def _existing(model, pk: int, column: str = "pk") -> Subquery | None:
    """The client of the row a URL names, only if that row exists: a guessed id must not break
    the log's foreign key (nor an id too large for PostgreSQL the INSERT)."""
    if not 0 < pk <= MAX_ID:
        return None
    return Subquery(model.objects.filter(pk=pk).values(column)[:1])


def _object_id(pk: int | None) -> str:
    return str(pk) if pk is not None and 0 <= pk <= MAX_ID else ""


def page_label(name: str) -> str:
    return PAGE_LABELS.get(name, name)
