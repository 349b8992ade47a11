"""Background jobs: the manager's Jobs page, progress as it goes, periodic jobs run by a worker."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from clients.tests.factories import ClientFactory
from intake.tasks import purge_intake_drafts
from intake.tests.factories import IntakeFactory
from jobs.models import KEPT_ERRORS, JobRun
from jobs.progress import Progress
from jobs.tasks import prune_finished_jobs
from scheduling.tasks import send_reminders
from scheduling.tests.factories import AppointmentFactory

LIST_URL = reverse("jobs:list")
RUN_REMINDERS_URL = reverse("jobs:run", args=["send_reminders"])


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.SITE_URL = "https://clinic.example"
    settings.REMINDER_HOURS_BEFORE = 24


def visit_tomorrow():
    client_record = ClientFactory(email="ana@example.com")
    IntakeFactory(client=client_record)
    start = timezone.now() + timedelta(hours=20)
    return AppointmentFactory(client=client_record, starts_at=start, ends_at=start + timedelta(hours=1))


def run_worker():
    """A real worker, as `manage.py procrastinate worker` runs, until the queue is empty. Without
    its schedule: a worker also queues the periodic jobs due in the last minutes (reminders every
    quarter hour), which would make a test's outcome depend on the time it runs."""
    schedule = app.periodic_registry.periodic_tasks
    app.periodic_registry.periodic_tasks = {}
    failures = []

    def work():
        # A thread of its own, with its own event loop: the browser tests' Playwright keeps one
        # running in the main thread, where asyncio.run() refuses to start another.
        try:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)
        except Exception as error:  # re-raised in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    try:
        worker = threading.Thread(target=work)
        worker.start()
        worker.join(timeout=120)
    finally:
        app.periodic_registry.periodic_tasks = schedule
    if failures:
        raise failures[0]


@pytest.mark.django_db
def test_manager_starts_reminders_from_the_jobs_page_and_follows_their_progress(client, manager):
    visit_tomorrow()
    client.force_login(manager)

    response = client.post(RUN_REMINDERS_URL)

    run = JobRun.objects.get()
    assert response.status_code == 302 and response.url == run.get_absolute_url()
    assert run.status == JobRun.Status.QUEUED and run.started_by == manager
    queued = ProcrastinateJob.objects.get(task_name="scheduling.send_reminders")
    assert queued.args == {"run_id": run.pk}
    waiting = client.get(run.get_absolute_url()).content.decode()
    assert "Waiting for a worker" in waiting and 'hx-trigger="every 1s"' in waiting

    send_reminders(run_id=run.pk)  # what the worker runs

    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.outcome) == ("succeeded", 1, 1, "1 reminder sent.")
    assert len(mail.outbox) == 1
    fragment = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "Done" in fragment and "1 of 1" in fragment and 'value="100"' in fragment
    assert "hx-get" not in fragment  # finished: the page stops polling
    assert "Send visit reminders" in client.get(LIST_URL).content.decode()


@pytest.mark.django_db
def test_a_second_run_now_while_one_waits_queues_nothing_more(client, manager):
    client.force_login(manager)
    client.post(RUN_REMINDERS_URL)

    response = client.post(RUN_REMINDERS_URL, follow=True)

    assert "is already waiting for a worker" in response.content.decode()
    assert ProcrastinateJob.objects.filter(task_name="scheduling.send_reminders").count() == 1
    assert JobRun.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_only_the_manager_sees_or_starts_jobs(client, role, request):
    client.force_login(request.getfixturevalue(role))
    run = JobRun.objects.create(kind="send_reminders")

    assert client.get(LIST_URL).status_code == 403
    assert client.post(RUN_REMINDERS_URL).status_code == 403
    assert client.get(run.get_absolute_url()).status_code == 403
    assert not ProcrastinateJob.objects.exists()


@pytest.mark.django_db
def test_an_unknown_job_is_not_found(client, manager):
    client.force_login(manager)

    assert client.post(reverse("jobs:run", args=["drop_everything"])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_queued_job_and_two_runs_send_each_reminder_once(client, manager):
    visit_tomorrow()
    client.force_login(manager)
    client.post(RUN_REMINDERS_URL)

    run_worker()
    send_reminders()  # the schedule comes by as well: nothing is due twice

    runs = list(JobRun.objects.order_by("id"))
    assert [(r.status, r.outcome) for r in runs] == [
        ("succeeded", "1 reminder sent."),
        ("succeeded", "0 reminders sent."),
    ]
    assert runs[1].started_by is None  # a scheduled run
    assert len(mail.outbox) == 1
    assert ProcrastinateJob.objects.get().status == "succeeded"


def test_reminders_and_the_draft_purge_are_on_a_schedule():
    schedules = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}

    assert schedules["scheduling.send_reminders"] == "*/15 * * * *"
    assert schedules["intake.purge_intake_drafts"] == "17 3 * * *"


@pytest.mark.django_db
def test_the_draft_purge_reports_what_it_erased():
    purge_intake_drafts()

    run = JobRun.objects.get(kind="purge_intake_drafts")
    assert run.status == "succeeded" and run.outcome == "Erased the unsubmitted answers of 0 intake links."


@pytest.mark.django_db
def test_progress_keeps_errors_with_their_row_and_draws_a_bar_on_the_command_line():
    stream = StringIO()
    with Progress.begin("import", stream=stream) as progress:
        progress.set_total(4)
        progress.advance(3)
        for row in range(KEPT_ERRORS + 5):
            progress.error("date of birth is not a date", row=row + 1)
        progress.advance()

    run = JobRun.objects.get()
    assert (run.status, run.done, run.error_count, len(run.errors)) == ("succeeded", 4, KEPT_ERRORS + 5, KEPT_ERRORS)
    assert run.errors[0] == {"row": 1, "message": "date of birth is not a date"}
    assert "[##############################] 100% 4/4, 205 errors" in stream.getvalue()


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_run_without_its_text():
    with pytest.raises(ValueError), Progress.begin("import") as progress:
        progress.set_total(10)
        progress.advance(2)
        raise ValueError("Ana Lopez, chronic migraines")  # health data in an exception message

    run = JobRun.objects.get()
    assert run.status == "failed"
    assert run.outcome == "Stopped by an unexpected error (ValueError); nothing after row 2."
    assert "migraine" not in str(run.errors) + run.outcome


@pytest.mark.django_db(transaction=True)
def test_runs_finished_long_ago_are_pruned_by_the_nightly_job():
    old = JobRun.objects.create(kind="send_reminders", status=JobRun.Status.SUCCEEDED)
    JobRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    recent = JobRun.objects.create(kind="send_reminders", status=JobRun.Status.SUCCEEDED)
    stuck = JobRun.objects.create(kind="send_reminders", status=JobRun.Status.RUNNING)
    JobRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(days=91))
    prune_finished_jobs.defer()

    run_worker()

    assert set(JobRun.objects.values_list("pk", flat=True)) == {recent.pk, stuck.pk}
    assert ProcrastinateJob.objects.get(task_name="jobs.prune_finished_jobs").status == "succeeded"


@pytest.mark.django_db
@pytest.mark.parametrize("runs", [2, 25])
def test_the_jobs_page_costs_the_same_queries_for_many_runs(client, manager, django_assert_max_num_queries, runs):
    for _ in range(runs):
        JobRun.objects.create(kind="send_reminders", started_by=manager, status=JobRun.Status.SUCCEEDED)
    client.force_login(manager)
    client.get(LIST_URL)  # the session and sign-in checks settle

    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL)

    assert response.content.decode().count("Send visit reminders") >= runs
