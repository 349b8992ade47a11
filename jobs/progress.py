"""How far a run has got, written to its JobRun row (the page that started it polls the row)
and, from the command line, drawn as a bar.

Progress is written with its own UPDATE, outside the work's transactions: report between
batches, so a page polling the row sees it as it goes. Work that must be one transaction
from start to end (an import) may report from inside it: the row is then written through a
connection of its own, committed at once. Messages say which row and why,
never the health data being worked on.
"""

import json
import sys
import time

from django.db import connection
from django.utils import timezone

from jobs.models import KEPT_ERRORS, JobRun

WRITE_EVERY = 0.5  # seconds: the row is written at most this often while the work goes on
BAR_WIDTH = 30


class Progress:
    def __init__(self, run: JobRun, *, stream=None):
        self.run = run
        self.stream = stream
        self._pending_errors: list[dict] = []
        self._written_at = 0.0
        self._beside = None

    @classmethod
    def begin(cls, kind: str, *, run_id: int | None = None, by=None, stream=None) -> "Progress":
        """Mark a run as running: the row a page queued (run_id), or a new one (periodic and command-line runs)."""
        now = timezone.now()
        if run_id is None:
            run = JobRun.objects.create(kind=kind, started_by=by, status=JobRun.Status.RUNNING, started_at=now)
        else:
            run = JobRun.objects.get(pk=run_id, kind=kind)
            JobRun.objects.filter(pk=run.pk).update(status=JobRun.Status.RUNNING, started_at=now)
            run.status, run.started_at = JobRun.Status.RUNNING, now
        return cls(run, stream=stream)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if error is not None and not self.run.is_finished:
            # The kind of error only: its text may quote the data being worked on.
            self.fail(f"Stopped by an unexpected error ({kind.__name__}); nothing after row {self.run.done}.")
        elif not self.run.is_finished:
            self.finish()
        self.close_connection()
        return False

    def set_total(self, total: int) -> None:
        self.run.total = total
        self._update(total=total)
        self._draw()

    def advance(self, count: int = 1) -> None:
        self.run.done += count
        self._write()

    def error(self, message: str, *, row: int | None = None) -> None:
        """An error that does not stop the run (a row skipped): kept on the run, counted."""
        self.run.error_count += 1
        if len(self.run.errors) + len(self._pending_errors) < KEPT_ERRORS:
            self._pending_errors.append({"row": row, "message": message[:300]})
        self._write()

    def finish(self, outcome: str = "") -> None:
        self._close(JobRun.Status.SUCCEEDED, outcome)

    def fail(self, outcome: str) -> None:
        self._close(JobRun.Status.FAILED, outcome)

    def _close(self, status: str, outcome: str) -> None:
        self.run.status, self.run.outcome, self.run.finished_at = status, outcome[:500], timezone.now()
        self._write(force=True, status=status, outcome=self.run.outcome, finished_at=self.run.finished_at)
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

    def _write(self, *, force: bool = False, **fields) -> None:
        self._draw()
        now = time.monotonic()
        if not force and now - self._written_at < WRITE_EVERY:
            return
        self._written_at = now
        if self._pending_errors:  # one writer per run: the whole list, kept in memory
            self.run.errors = self.run.errors + self._pending_errors
            self._pending_errors = []
            fields["errors"] = self.run.errors
        self._update(done=self.run.done, error_count=self.run.error_count, **fields)

    def _update(self, **fields) -> None:
        if not (connection.in_atomic_block and self._update_beside(fields)):
            JobRun.objects.filter(pk=self.run.pk).update(**fields)

    def _update_beside(self, fields: dict) -> int:
        """UPDATE the row through a connection of its own, outside the work's open transaction.
        0 when that connection cannot see the row (it was made in the same transaction: tests)."""
        if self._beside is None:
            self._beside = connection.get_new_connection(connection.get_connection_params())
            self._beside.autocommit = True
        columns = ", ".join(f"{name} = %s{'::jsonb' if name == 'errors' else ''}" for name in fields)
        values = [json.dumps(value) if name == "errors" else value for name, value in fields.items()]
        with self._beside.cursor() as cursor:
            cursor.execute(f"UPDATE {JobRun._meta.db_table} SET {columns} WHERE id = %s", [*values, self.run.pk])
            return cursor.rowcount

    def close_connection(self) -> None:
        if self._beside is not None:
            self._beside.close()
            self._beside = None

    def _draw(self) -> None:
        if self.stream is None:
            return
        run = self.run
        if run.total:
            filled = BAR_WIDTH * min(run.done, run.total) // run.total
            bar = (
                f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {run.done * 100 // run.total:3d}% {run.done}/{run.total}"
            )
        else:
            bar = f"{run.done} done"
        errors = f", {run.error_count} error{'s' if run.error_count != 1 else ''}" if run.error_count else ""
        self.stream.write(f"\r{bar}{errors}")
        self.stream.flush()


def command_line_stream(command) -> object | None:
    """Where a management command draws its bar: its stderr when that is a terminal."""
    stream = getattr(command.stderr, "_out", sys.stderr)
    return stream if hasattr(stream, "isatty") and stream.isatty() else None
