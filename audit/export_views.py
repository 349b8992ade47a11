"""Right-of-access exports: one client's complete record as PDF or JSON (clinicians only).

Each export is written to the access log. The file name holds the client's number and the
date, never a name, and no cache may keep the file.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.access import clinical_only
from audit.access import record_access
from audit.export import export_filename, record_as_json, record_as_pdf
from audit.models import AccessLog
from audit.record import client_record


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@clinical_only
@never_cache
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = client_record(pk)
    pdf = record_as_pdf(record, exported_by=request.user, exported_at=timezone.now())
    record_access(request, client_id=record.client.pk, page="clients:export_pdf", kind=AccessLog.Kind.EXPORT)
    return _attachment(pdf, content_type="application/pdf", filename=export_filename(record.client.pk, "pdf"))


@clinical_only
@never_cache
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    record = client_record(pk)
    data = record_as_json(record, exported_by=request.user, exported_at=timezone.now())
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    record_access(request, client_id=record.client.pk, page="clients:export_json", kind=AccessLog.Kind.EXPORT)
    return _attachment(
        content, content_type="application/json; charset=utf-8", filename=export_filename(record.client.pk, "json")
    )
