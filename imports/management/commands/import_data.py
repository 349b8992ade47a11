"""Import a file from the command line: the same preview, matching and writing as the Import page."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports import engine, services, tasks
from imports.fields import fields_of
from imports.models import DateOrder, ImportBatch, Kind, Source
from jobs.progress import command_line_stream

SOURCES = [*Source.values, "clinic-archive"]


class Command(BaseCommand):
    help = (
        "Import clients, appointments or treatment notes from Jane, Cliniko or any CSV/Excel file "
        "(--dry-run shows what would happen), or restore a whole-clinic archive (--source clinic-archive)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True, choices=SOURCES)
        parser.add_argument("--kind", choices=Kind.values, help="What the file holds (default: clients).")
        parser.add_argument(
            "--program", default="", help="For --source csv: the program it comes from (remembers its columns)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would be imported; write nothing.")
        parser.add_argument("--date-order", choices=DateOrder.values, help="For dates like 03/04/1987: dmy or mdy.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="Read a column as a field (repeatable), e.g. --map 'Cell=mobile_phone'. FIELD '' skips the column.",
        )
        parser.add_argument("--passphrase-file", help="For --source clinic-archive: a file holding the passphrase.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["source"] == "clinic-archive":
            return self._restore(path, options)
        kind = options["kind"] or Kind.CLIENTS
        try:
            batch = services.batch_upload(
                data=path.read_bytes(),
                file_name=path.name,
                source=options["source"],
                kind=kind,
                source_name=options["program"],
            )
        except services.ImportRefused as refused:
            raise CommandError(str(refused)) from None
        services.batch_preview(batch)
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.FAILED:
            raise CommandError(batch.outcome.get("message", "The file could not be read."))
        choices = {}
        if options["map"]:
            columns = dict(batch.preview["survey"]["columns"])
            valid = set(fields_of(kind)) | {"", "question"}
            for item in options["map"]:
                header, _, field = item.partition("=")
                if header not in columns or field not in valid:
                    raise CommandError(f"--map {item!r}: no column {header!r} or no field {field!r}.")
                columns[header] = field
            choices["columns"] = columns
        if options["date_order"]:
            choices["date_order"] = options["date_order"]
        if choices:
            batch = services.batch_choose(batch, **choices)
            services.batch_preview(batch)
            batch.refresh_from_db()
        self._show_columns(batch)
        left = engine.questions_left(batch)
        if left:
            raise CommandError(" ".join(left) + " (use --map / --date-order)")
        self._show_report(batch.preview["report"], "would be")
        if options["dry_run"]:
            services.batch_cancel(batch)
            self.stdout.write("Dry run: nothing was written.")
            return
        batch = services.batch_claim(batch.pk)
        stream = command_line_stream(self)
        try:
            report = tasks.run_import(batch_id=batch.pk, stream=stream)
        except Exception as error:
            raise CommandError(f"Nothing was imported: {type(error).__name__}.") from None
        batch.refresh_from_db()
        if batch.status != ImportBatch.Status.IMPORTED:
            raise CommandError(batch.outcome.get("message", "Nothing was imported."))
        self._show_report(report, "were")
        self.stdout.write(f"Imported as batch #{batch.pk} (undo on its page: /imports/{batch.pk}/).")

    def _show_columns(self, batch):
        survey = batch.preview["survey"]
        self.stdout.write(f"{survey['rows']} rows; columns read:")
        for header in survey["headers"]:
            field = survey["columns"].get(header, "")
            self.stdout.write(f"  {header!r} -> {field or '(not imported)'}")

    def _show_report(self, report, verb):
        counts = report["counts"]
        self.stdout.write(", ".join(f"{engine.OUTCOME_LABELS[k].lower()}: {counts[k]}" for k in engine.OUTCOMES))
        for error in report["errors"][:50]:
            self.stdout.write(f"  row {error['row']}: {error['message']}")
        if report["error_total"] > 50:
            self.stdout.write(f"  ... and {report['error_total'] - 50} more")
        for notice in report.get("notices", []):
            self.stdout.write(f"  {notice}")

    def _restore(self, path, options):
        from archive.restore import ArchiveError, restore_archive

        if options["passphrase_file"]:
            passphrase = Path(options["passphrase_file"]).read_text().strip()
        else:
            passphrase = getpass.getpass("Passphrase of the archive: ")
        try:
            counts = restore_archive(path=path, passphrase=passphrase)
        except ArchiveError as problem:
            raise CommandError(str(problem)) from None
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count}")
        self.stdout.write("Restored. Run `manage.py verify_records` to check the seals.")
