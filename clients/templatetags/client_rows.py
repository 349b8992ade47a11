"""The rows of the client list, built in Python: the front desk's busiest page renders up to
25 of them per keystroke, and the template language spent more time on them than the search
query itself took (see docs/performance.md)."""

from django import template
from django.utils.html import format_html, format_html_join

from clients.models import Client
from clients.urlutil import url_for_pk

register = template.Library()

ROW = (
    '<tr><td><a href="{}" class="fw-semibold">{}</a>{}</td>'
    '<td>{}</td><td class="text-nowrap">{}</td><td class="d-none d-md-table-cell">{}</td></tr>\n'
)
ARCHIVED = format_html('<span class="badge text-bg-secondary ms-1">{}</span>', "Archived")


@register.simple_tag
def client_rows(clients) -> str:
    """<tr>s of name (linked), date of birth, phone and email; escaped like any template output.

    `clients`: rows of clients.views.LIST_FIELDS as dicts (no model instances: building 25 of
    them per keystroke was a noticeable part of the search's time)."""
    detail_url = url_for_pk("clients:detail")
    return format_html_join(
        "",
        ROW,
        (
            (
                detail_url(client["id"]),
                Client.name_for_display(client["first_name"], client["preferred_name"], client["last_name"]),
                ARCHIVED if client["status"] == Client.Status.ARCHIVED else "",
                _born(client["date_of_birth"]),
                client["phone"] or "—",
                client["email"] or "—",
            )
            for client in clients
        ),
    )


def _born(date_of_birth) -> str:
    if date_of_birth is None:  # imported from software that did not have it
        return "—"
    return f"{date_of_birth:%b} {date_of_birth.day}, {date_of_birth.year}"
