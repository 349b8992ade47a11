import uuid
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from messaging.backends.base import BaseBackend, OutgoingText, SendError


class FileBackend(BaseBackend):
    """Writes each text to a file of its own in a folder (development, staging)."""

    sender = "file"

    def __init__(self, *, path: str, **options):
        super().__init__(**options)
        self.folder = Path(path)
        if self.folder.exists() and not self.folder.is_dir():
            raise ImproperlyConfigured(f"SMS_URL: {self.folder} is a file, not a folder.")

    def send(self, text: OutgoingText) -> str:
        ident = uuid.uuid4().hex
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            name = f"{datetime.now():%Y%m%d-%H%M%S}-{ident}.txt"
            # Only its owner reads it: a text holds a client's name and visit.
            with open(self.folder / name, "x", encoding="utf-8", opener=_private) as out:
                out.write(f"To: {text.to}\n\n{text.body}\n")
        except OSError as problem:
            raise SendError(f"could not write to {self.folder}: {problem.strerror}", permanent=False) from None
        return f"file-{ident}"


def _private(path, flags):
    import os

    return os.open(path, flags, 0o600)
