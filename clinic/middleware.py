"""Cross-cutting middleware: keep pages with health data out of caches."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache``) on every page the app renders.

    Nearly every page shows health data (client lists, charts, intake answers, even a 403 or
    the sign-in page's return address), so no browser, shared computer's back button or proxy
    may keep a copy. Deciding per page would need the signed-in user, a database read this
    middleware must not make (it also runs on the error response of a database outage).
    Static files are answered by WhiteNoise before this middleware and keep their long cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response.headers["Pragma"] = "no-cache"
        return response
