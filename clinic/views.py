import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import can_manage_clinic, can_read_clinical

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    if can_read_clinical(request.user) and not can_manage_clinic(request.user):
        return redirect("scheduling:dashboard")
    if request.user.has_perm("clients.view_client"):
        return redirect("clients:list")
    return redirect("password_change")


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer, 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
