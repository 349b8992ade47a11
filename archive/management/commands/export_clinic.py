import getpass
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.export import write_archive
from archive.passphrase import MIN_LENGTH
from archive.services import EXPORT
from audit.models import AccessLog
from jobs.progress import Progress, command_line_stream


class Command(BaseCommand):
    help = (
        "Write the whole clinic to OUTPUT.zip: every record, a PDF per client and the audit trail, "
        "encrypted with a passphrase (AES-256; 7-Zip opens it). The passphrase is asked for twice, "
        "or read from --passphrase-file. docs/export-format.md says what is inside."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="The archive to write (a new file, e.g. clinic-2026-11-29.zip).")
        parser.add_argument("--passphrase-file", help="A file holding the passphrase (keep it private).")
        parser.add_argument("--force", action="store_true", help="Replace OUTPUT if it exists.")

    def handle(self, *args, output, passphrase_file=None, force=False, **options):
        path = Path(output)
        if path.exists() and not force:
            raise CommandError(f"{path} exists: choose another name, or --force to replace it.")
        passphrase = self._passphrase(passphrase_file)
        temporary = path.with_name(f".{path.name}.partial")
        try:
            # Only its owner may read it while it is written, and after.
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(descriptor, "wb") as stream,
                Progress.begin(EXPORT, stream=command_line_stream(self)) as progress,
            ):
                manifest = write_archive(stream, passphrase=passphrase, progress=progress)
                clients = manifest["counts"]["clients.Client"]
                progress.finish(f"Archive written: {clients} client{'s' if clients != 1 else ''}.")
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
        # The whole clinic left the app: the access log says when (no user: the command line).
        AccessLog.objects.create(page="manage.py export_clinic", kind=AccessLog.Kind.EXPORT)
        self.stdout.write(f"Wrote {path} ({clients} clients, {path.stat().st_size} bytes).")

    def _passphrase(self, passphrase_file: str | None) -> str:
        if passphrase_file:
            try:
                # Read as `import_data --source clinic-archive` reads it: spaces around it do not count.
                passphrase = Path(passphrase_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(f"Cannot read {passphrase_file}: {exc.strerror}.") from exc
        else:
            passphrase = getpass.getpass("Passphrase for the archive: ")
            if getpass.getpass("The same passphrase again: ") != passphrase:
                raise CommandError("The two passphrases are not the same.")
        if len(passphrase) < MIN_LENGTH:
            raise CommandError(f"The passphrase needs at least {MIN_LENGTH} characters.")
        return passphrase
