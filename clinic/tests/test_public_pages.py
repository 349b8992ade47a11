"""Deny by default: every page needs sign-in unless it is on the public list."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.urls import PUBLIC_URL_NAMES


def _named_patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _is_public(callback) -> bool:
    # LoginRequiredMiddleware lets a view through when it is marked login_required = False.
    view_class = getattr(callback, "view_class", None)
    return getattr(callback, "login_required", True) is False or (
        view_class is not None and getattr(view_class, "login_required", True) is False
    )


def test_every_public_page_is_on_the_public_list():
    public = {name for name, pattern in _named_patterns(get_resolver()) if _is_public(pattern.callback)}
    unexpected = public - PUBLIC_URL_NAMES
    assert not unexpected, f"Pages open without sign-in but not in PUBLIC_URL_NAMES: {sorted(unexpected)}"


def test_public_list_names_real_pages():
    names = {name for name, _ in _named_patterns(get_resolver())}
    assert PUBLIC_URL_NAMES <= names


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "clients:list", "clients:new", "password_change", "admin:index"])
def test_anonymous_visitor_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login")) or response["Location"].startswith(reverse("admin:login"))
