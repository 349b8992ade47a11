"""The import's background jobs: the preview (read, match, dry run) and the import itself.
A worker runs them (README: Background jobs); the batch page follows their progress."""

from django.db import transaction
from procrastinate.contrib.django import app

from imports import services
from imports.models import ImportBatch
from jobs.models import JobRun
from jobs.progress import Progress

PREVIEW = "import_preview"
IMPORT = "import"


# One import or preview at a time, whichever worker takes it: two runs matching the same rows
# at once could both decide "new".
@app.task(name="imports.preview_batch", lock="imports")
def preview_batch(run_id: int, batch_id: int) -> None:
    run_preview(batch_id=batch_id, run_id=run_id)


@app.task(name="imports.import_batch", lock="imports")
def import_batch(run_id: int, batch_id: int) -> None:
    run_import(batch_id=batch_id, run_id=run_id)


def run_preview(*, batch_id: int, run_id: int | None = None, stream=None) -> dict:
    batch = ImportBatch.objects.get(pk=batch_id)
    with Progress.begin(PREVIEW, run_id=run_id, by=batch.created_by, stream=stream) as progress:
        report = services.batch_preview(batch, progress=progress)
        batch.refresh_from_db(fields=["status", "outcome"])
        if batch.status == ImportBatch.Status.FAILED:
            progress.fail(batch.outcome.get("message", "The file could not be read."))
        else:
            progress.finish(_summary(report, "would be"))
    return report


def run_import(*, batch_id: int, run_id: int | None = None, stream=None) -> dict:
    batch = ImportBatch.objects.get(pk=batch_id)
    with Progress.begin(IMPORT, run_id=run_id, by=batch.created_by, stream=stream) as progress:
        try:
            report = services.batch_import(batch, progress=progress)
        except services.engine.BatchRefused as problem:
            progress.fail(f"Nothing was imported: {problem}")
            return {}
        progress.finish(_summary(report, "were"))
    return report


def _summary(report: dict, verb: str) -> str:
    counts = report.get("counts", {})
    if not counts:
        return "Answer the questions on the import page, then preview again."
    return (
        f"{counts['new']} new, {counts['matched']} matched, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['conflict']} conflicts and {counts['error']} errors {verb} imported."
    ).replace(f"errors {verb} imported", f"errors ({verb} not imported)" if verb == "were" else "errors")


def start(kind: str, batch: ImportBatch, *, by) -> JobRun:
    """Queue the preview or the import of a batch, with the run its page follows. One transaction."""
    task = preview_batch if kind == PREVIEW else import_batch
    with transaction.atomic():
        run = JobRun.objects.create(kind=kind, started_by=by)
        field = "preview_run_id" if kind == PREVIEW else "import_run_id"
        ImportBatch.objects.filter(pk=batch.pk).update(**{field: run.pk})
        setattr(batch, field, run.pk)
        task.defer(run_id=run.pk, batch_id=batch.pk)
    return run
