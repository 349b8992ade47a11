"""Drop NUL characters from query strings and form posts before any view sees them.

PostgreSQL cannot store NUL (U+0000) in text or JSON. Django's form fields refuse it, but
code that keeps raw input (the intake form saves every typed value as a draft) or that
searches with it would answer with a server error. No browser sends NUL from a form, so
nothing a person typed is lost.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, QueryDict

NUL = "\x00"
FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _has_nul(query: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


def _without_nul(query: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        name = key.replace(NUL, "")
        cleaned.setlist(name, cleaned.getlist(name) + [value.replace(NUL, "") for value in values])
    cleaned._mutable = False
    return cleaned


class StripNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        # Only form posts: other bodies (JSON from scripts) stay unread for the view.
        if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)
