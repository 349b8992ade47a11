from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import manager_only
from imports import engine, services, tasks
from imports.forms import ChoicesForm, UploadForm
from imports.models import ImportBatch
from jobs.models import JobRun

RECENT_BATCHES = 50


@manager_only
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a file to import, and the latest imports."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.max_bytes():
            form.add_error(
                "file", f"The file is larger than {settings.IMPORT_MAX_MEGABYTES} MB: split it and import the parts."
            )
        else:
            try:
                batch = services.batch_upload(
                    data=upload.read(),
                    file_name=upload.name,
                    source=form.cleaned_data["source"],
                    kind=form.cleaned_data["kind"],
                    source_name=form.cleaned_data["program"],
                    by=request.user,
                )
            except services.ImportRefused as refused:
                form.add_error("file", str(refused))
            else:
                tasks.start(tasks.PREVIEW, batch, by=request.user)
                return redirect(batch)
    batches = ImportBatch.objects.select_related("created_by").defer("content", "preview", "outcome", "choices")
    return render(
        request,
        "imports/import_list.html",
        {"form": form, "batches": batches[:RECENT_BATCHES], "undo_days": settings.IMPORT_UNDO_DAYS},
    )


def _running_run(batch: ImportBatch) -> JobRun | None:
    run_id = {ImportBatch.Status.UPLOADED: batch.preview_run_id, ImportBatch.Status.IMPORTING: batch.import_run_id}.get(
        batch.status
    )
    return JobRun.objects.filter(pk=run_id).first() if run_id else None


@manager_only
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.defer("content").select_related("created_by", "undone_by"), pk=pk)
    run = _running_run(batch)
    if request.htmx:
        if run is not None and not run.is_finished:
            return render(request, "imports/_running.html", {"batch": batch, "run": run})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {"batch": batch, "run": run, "outcome_labels": engine.OUTCOME_LABELS, "outcomes": engine.OUTCOMES}
    if batch.status == ImportBatch.Status.PREVIEWED:
        context["form"] = ChoicesForm(batch=batch)
        context["questions"] = engine.questions_left(batch)
    return render(request, "imports/import_detail.html", context)


@manager_only
@require_POST
def import_choose(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        messages.info(request, "This import is no longer waiting for choices.")
        return redirect(batch)
    form = ChoicesForm(request.POST, batch=batch)
    if not form.is_valid():
        context = {
            "batch": batch,
            "form": form,
            "questions": engine.questions_left(batch),
            "outcome_labels": engine.OUTCOME_LABELS,
            "outcomes": engine.OUTCOMES,
        }
        return render(request, "imports/import_detail.html", context, status=400)
    try:
        batch = services.batch_choose(batch, **form.choices())
    except services.ImportRefused as refused:
        messages.error(request, str(refused))
        return redirect(batch)
    tasks.start(tasks.PREVIEW, batch, by=request.user)
    return redirect(batch)


@manager_only
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    try:
        batch = services.batch_claim(batch.pk)
    except services.ImportRefused as refused:  # a double click, a second tab: the first one is running
        messages.info(request, str(refused))
        return redirect(batch)
    tasks.start(tasks.IMPORT, batch, by=request.user)
    return redirect(batch)


@manager_only
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    try:
        services.batch_cancel(batch)
    except services.ImportRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Import cancelled: nothing was written.")
    return redirect("imports:list")


@manager_only
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk)
    try:
        counts = services.batch_undo(batch, by=request.user)
    except services.ImportRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"Import undone: {counts['removed']} removed, {counts['reverted']} put back as they were, "
            f"{counts['withdrawn']} notes withdrawn from the charts, {counts['kept']} kept (changed since).",
        )
    return redirect(batch)
