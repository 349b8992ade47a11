import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import EmptyPage, Paginator
from django.db import IntegrityError
from django.db.models import Count, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from clients.forms import ClientForm
from clients.models import Client, is_ranked_search
from clients.panels import panels_for
from clients.services import client_create as create_client
from clients.services import client_update

PAGE_SIZE = 25
DROPDOWN_SIZE = 8
# A search counts its matches up to here ("1,000+ matches"): counting all 18,000 clients
# whose names start with "s" would cost more than the page, and nobody pages through them.
SEARCH_COUNT_LIMIT = 1000
# What a row of the list shows (clients/templatetags/client_rows.py).
LIST_FIELDS = ("id", "first_name", "last_name", "preferred_name", "date_of_birth", "phone", "email", "status")
SORTS = {
    "name": ("last_name", "first_name", "id"),
    "newest": ("-created_at", "-id"),
}
# One URL answers with the page, the results fragment or the dropdown, chosen by these
# request headers: caches must not mix them.
VARY_ON = ["HX-Request", "HX-Target", "HX-History-Restore-Request"]
STATUS_FILTERS = {
    "active": Client.Status.ACTIVE,
    "archived": Client.Status.ARCHIVED,
    "all": None,
}


class SearchPaginator(Paginator):
    """Pages of search results.

    The rows of a page bring the number of matches with them (COUNT(*) OVER ()), so a search
    costs one query, not a count and then a page: ranking already reads every match. Searches
    of a letter or two are listed alphabetically straight from the name index, which a
    window count would defeat: those count separately, up to SEARCH_COUNT_LIMIT ("1000+").
    """

    more_than_counted = False

    def __init__(self, object_list, per_page, *, count_with_rows: bool):
        super().__init__(object_list, per_page)
        self.count_with_rows = count_with_rows

    @cached_property
    def count(self) -> int:
        # No ORDER BY: the count stops at the limit instead of ranking every match first.
        counted = self.object_list.order_by().values("pk")[: SEARCH_COUNT_LIMIT + 1].count()
        self.more_than_counted = counted > SEARCH_COUNT_LIMIT
        return min(counted, SEARCH_COUNT_LIMIT)

    def get_page(self, number):
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        try:
            return self.page(number)
        except EmptyPage:  # past the end (an old link): the last page
            if self.count_with_rows:
                self._set_count(self.object_list.order_by().count())
            return self.page(self.num_pages)

    def _set_count(self, count: int) -> None:
        self.__dict__["count"] = count
        self.__dict__.pop("num_pages", None)

    def page(self, number):
        if not self.count_with_rows:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(matches=Window(Count("*")))[bottom : bottom + self.per_page])
        if rows:
            self._set_count(rows[0]["matches"])
        elif number > 1:
            raise EmptyPage("That page contains no results")
        else:
            self._set_count(0)
        return self._get_page(rows, number, self)


@permission_required("clients.view_client", raise_exception=True)
def client_list(request: HttpRequest) -> HttpResponse:
    """The client list and front-desk search: full page, or the results fragment for htmx."""
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "active")
    if status not in STATUS_FILTERS:
        status = "active"
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = ""  # best match when searching, by name otherwise

    clients = Client.objects.for_list()
    if STATUS_FILTERS[status]:
        clients = clients.filter(status=STATUS_FILTERS[status])
    if query:
        clients = clients.search(query)
    if sort or not query:
        clients = clients.order_by(*SORTS[sort or "name"])

    if request.htmx and request.htmx.target == "global-search-results":
        results = list(clients[: DROPDOWN_SIZE + 1]) if query else []
        response = render(
            request,
            "clients/_search_dropdown.html",
            {"query": query, "results": results[:DROPDOWN_SIZE], "more": len(results) > DROPDOWN_SIZE},
        )
        patch_vary_headers(response, VARY_ON)
        return response

    rows = clients.values(*LIST_FIELDS)
    if query:
        paginator = SearchPaginator(rows, PAGE_SIZE, count_with_rows=is_ranked_search(query))
    else:
        paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "status": status, "sort": sort, "sorts": SORTS}
    fragment = request.htmx and not request.htmx.history_restore_request
    response = render(request, "clients/_results.html" if fragment else "clients/client_list.html", context)
    patch_vary_headers(response, VARY_ON)
    return response


@permission_required("clients.view_client", raise_exception=True)
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client.objects.select_related("created_by", "updated_by"), pk=pk)
    panels = panels_for(request, client)  # upcoming visits, the intake (clients/panels.py)
    return render(request, "clients/client_detail.html", {"client": client, "panels": panels})


@permission_required("clients.add_client", raise_exception=True)
def client_create(request: HttpRequest) -> HttpResponse:
    """New client, with a warning about likely duplicates before anything is stored."""
    duplicates = []
    if request.method == "POST":
        form = ClientForm(request.POST)
        creation_key = _parse_uuid(request.POST.get("creation_key")) or uuid.uuid4()
        already = Client.objects.filter(creation_key=creation_key).first()
        if already:  # the same form submitted twice: show what the first press created
            return redirect(already)
        if form.is_valid():
            duplicates = [] if request.POST.get("confirm_new") else form.likely_duplicates()
            if not duplicates:
                try:
                    client = create_client(by=request.user, creation_key=creation_key, **form.cleaned_data)
                except IntegrityError:
                    # Two presses arriving together both pass the check above; the unique
                    # key lets one in, and the other opens what it stored instead of a 500.
                    already = Client.objects.filter(creation_key=creation_key).first()
                    if already is None:
                        raise
                    return redirect(already)
                messages.success(request, f"Created {client.display_name}.")
                return redirect(client)
    else:
        form = ClientForm()
        creation_key = uuid.uuid4()
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "duplicates": duplicates, "creation_key": creation_key},
    )


@permission_required("clients.change_client", raise_exception=True)
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        client_update(client=client, by=request.user, **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect(client)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@permission_required("clients.archive_client", raise_exception=True)
@require_POST
def client_archive(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    if not client.is_archived:
        client.archive(by=request.user)
        messages.success(request, f"Archived {client.display_name}. Their records are kept; restore at any time.")
    return redirect(client)


@permission_required("clients.archive_client", raise_exception=True)
@require_POST
def client_restore(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    if client.is_archived:
        client.restore(by=request.user)
        messages.success(request, f"Restored {client.display_name}.")
    return redirect(client)


def _parse_uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None
