"""The manager's audit pages: the whole clinic's log, and one client's access history."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.access import manager_only
from audit import selectors
from audit.forms import AuditFilterForm
from clients.models import Client

PAGE_SIZE = 50
TABS = {"reads": "Reads", "changes": "Changes"}


@manager_only
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who read and who changed which client's records, filtered by client, staff member and dates."""
    return _audit_page(request, client=None, template="audit/log.html")


@manager_only
def client_history(request: HttpRequest, client_pk: int) -> HttpResponse:
    """One client's access history: every read of their clinical pages and every change to their records."""
    client = get_object_or_404(Client, pk=client_pk)
    return _audit_page(request, client=client, template="audit/client_history.html")


def _audit_page(request: HttpRequest, *, client: Client | None, template: str) -> HttpResponse:
    tab = request.GET.get("tab", "reads")
    if tab not in TABS:
        tab = "reads"
    form = AuditFilterForm(request.GET or None, with_client=client is None)
    filters = _filters(form, client=client)
    if filters is None:  # invalid filters: show the errors, not an unfiltered log
        rows = selectors.access_log(selectors.AuditFilters()).none()
    elif tab == "reads":
        rows = selectors.access_log(filters)
    else:
        rows = selectors.changes(filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if tab == "changes":
        page.object_list = selectors.name_people(page.object_list)
    return render(request, template, {"client": client, "form": form, "tab": tab, "tabs": TABS, "page": page})


def _filters(form: AuditFilterForm, *, client: Client | None) -> selectors.AuditFilters | None:
    if not form.is_bound:
        return selectors.AuditFilters(client=client)
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return selectors.AuditFilters(
        client=client,
        client_query=data.get("client", ""),
        user=data["staff"],
        date_from=data["date_from"],
        date_to=data["date_to"],
        refused_only=data["refused"],
    )
