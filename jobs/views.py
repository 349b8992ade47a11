from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from procrastinate.contrib.django.models import ProcrastinateWorker

from accounts.access import manager_only
from jobs.models import JobRun
from jobs.registry import RUNNABLE, label_of
from jobs.services import AlreadyWaiting, job_start

RECENT_RUNS = 30
# A worker that has not said it is alive for this long is taken for stopped.
WORKER_SILENT_AFTER = timedelta(minutes=2)


@manager_only
def job_list(request: HttpRequest) -> HttpResponse:
    """The background jobs: which can be run now, the workers alive, the latest runs."""
    runs = list(JobRun.objects.select_related("started_by").order_by("-created_at", "-id")[:RECENT_RUNS])
    for run in runs:
        run.label = label_of(run.kind)
    workers = ProcrastinateWorker.objects.filter(last_heartbeat__gte=timezone.now() - WORKER_SILENT_AFTER).count()
    return render(
        request,
        "jobs/job_list.html",
        {"runs": runs, "runnable": RUNNABLE.values(), "workers": workers},
    )


@manager_only
@require_POST
def job_run(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in RUNNABLE:
        raise Http404
    if RUNNABLE[kind].start_url_name:  # it needs more than a click: its own page asks
        return redirect(RUNNABLE[kind].start_url_name)
    try:
        run = job_start(kind=kind, by=request.user)
    except AlreadyWaiting:
        messages.info(request, f"“{RUNNABLE[kind].label}” is already waiting for a worker.")
        return redirect("jobs:list")
    return redirect(run)


@manager_only
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(JobRun.objects.select_related("started_by"), pk=pk)
    run.label = label_of(run.kind)
    template = "jobs/_progress.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"run": run})
