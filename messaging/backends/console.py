import sys
import threading
import uuid

from messaging.backends.base import BaseBackend, OutgoingText


class ConsoleBackend(BaseBackend):
    """Prints each text to standard output (development), as Django's console email backend."""

    sender = "console"
    _lock = threading.RLock()

    def __init__(self, *, stream=None, **options):
        super().__init__(**options)
        self.stream = stream or sys.stdout

    def send(self, text: OutgoingText) -> str:
        with self._lock:
            self.stream.write(f"Text to {text.to}:\n{text.body}\n{'-' * 40}\n")
            self.stream.flush()
        return f"console-{uuid.uuid4().hex}"
