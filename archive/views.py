"""The manager's Clinic archive page: ask for an archive, follow it, download it."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.access import manager_only
from archive.forms import ArchiveForm
from archive.models import ClinicArchive, archive_storage
from archive.services import EXPORT, archive_request
from audit.access import record_access
from audit.models import AccessLog
from jobs.models import JobRun
from jobs.registry import label_of
from jobs.services import AlreadyWaiting

DOWNLOAD_PAGE = "archive:download"


@manager_only
def archive_home(request: HttpRequest) -> HttpResponse:
    """The archives kept, and the form that asks for a new one."""
    if request.method == "POST":
        form = ArchiveForm(request.POST)
        if form.is_valid():
            try:
                run = archive_request(passphrase=form.cleaned_data["passphrase"], by=request.user)
            except AlreadyWaiting:
                messages.info(request, "An archive is already waiting for a worker: it is made one at a time.")
                return redirect("archive:home")
            return redirect("archive:run", pk=run.pk)
    else:
        form = ArchiveForm()
    archives = list(ClinicArchive.objects.ready().select_related("requested_by")[:50])
    pending = list(
        JobRun.objects.filter(kind=EXPORT)
        .exclude(status__in=JobRun.FINISHED)
        .select_related("started_by")
        .order_by("-created_at")[:5]
    )
    return render(
        request,
        "archive/home.html",
        {"form": form, "archives": archives, "pending": pending, "keep_days": settings.ARCHIVE_KEEP_DAYS},
    )


@manager_only
def archive_run(request: HttpRequest, pk: int) -> HttpResponse:
    """One export's progress (polled by htmx), then its download."""
    run = get_object_or_404(JobRun.objects.select_related("started_by"), pk=pk, kind=EXPORT)
    run.label = label_of(run.kind)
    archive = ClinicArchive.objects.ready().filter(run=run).first() if run.is_finished else None
    context = {
        "run": run,
        "poll_url": reverse("archive:run", args=[run.pk]),
        "result_url": archive.get_absolute_url() if archive else "",
        "result_label": "Download the archive",
    }
    template = "jobs/_progress.html" if request.htmx else "archive/run.html"
    return render(request, template, context)


@manager_only
@never_cache
def archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The archive file, streamed from the archives storage; each download is in the access log."""
    archive = get_object_or_404(ClinicArchive.objects.ready(), pk=pk)
    storage = archive_storage()
    if not storage.exists(archive.file_name):
        raise Http404("The archive file is no longer in the storage.")
    response = FileResponse(
        storage.open(archive.file_name, "rb"),
        as_attachment=True,
        filename=archive.download_name,
        content_type="application/zip",
    )
    record_access(request, client_id=None, page=DOWNLOAD_PAGE, kind=AccessLog.Kind.EXPORT, object_id=archive.pk)
    return response
