"""URLs for long lists of objects."""

from django.urls import reverse

_SENTINEL = 2147483647  # a primary key that cannot also appear in the rest of a URL pattern


def url_for_pk(view_name: str):
    """A function pk -> reverse(view_name, args=[pk]) that reverses only once.

    reverse() walks the URL patterns each time; a day of 160 visits or a page of 25 clients
    would pay for it on every row.
    """
    before, after = reverse(view_name, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda pk: f"{before}{pk}{after}"
