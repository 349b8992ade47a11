import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from imports import tasks
from imports.models import ImportBatch
from jobs.models import JobRun

FILES = Path(__file__).parent / "files"


def file_bytes(name: str) -> bytes:
    return (FILES / name).read_bytes()


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, *, data: bytes, name: str, source: str, kind: str = "clients", program: str = ""):
    """The manager uploads a file on the Import page; returns the response and the new batch."""
    response = client.post(
        reverse("imports:list"),
        {"source": source, "kind": kind, "program": program, "file": SimpleUploadedFile(name, data)},
    )
    return response, ImportBatch.objects.order_by("-id").first()


def work_preview(batch: ImportBatch) -> ImportBatch:
    """What the worker does with the queued preview."""
    batch.refresh_from_db()
    tasks.preview_batch(run_id=batch.preview_run_id, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def work_import(batch: ImportBatch) -> ImportBatch:
    batch.refresh_from_db()
    tasks.import_batch(run_id=batch.import_run_id, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def previewed(client, **kwargs) -> ImportBatch:
    response, batch = upload(client, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    return work_preview(batch)


def imported(client, **kwargs) -> ImportBatch:
    batch = previewed(client, **kwargs)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.outcome
    response = client.post(reverse("imports:confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch = work_import(batch)
    assert batch.status == ImportBatch.Status.IMPORTED, batch.outcome
    assert JobRun.objects.get(pk=batch.import_run_id).status == JobRun.Status.SUCCEEDED
    return batch
