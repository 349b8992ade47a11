from dataclasses import dataclass


@dataclass(frozen=True)
class OutgoingText:
    to: str  # E.164, e.g. +15550102000
    body: str


class SendError(Exception):
    """The text did not go. `permanent`: sending it again will not help (a number that is no
    mobile, a client who texted STOP); otherwise a later run may try again. `code` is the
    provider's error code; neither holds the text itself."""

    def __init__(self, reason: str, *, permanent: bool, code: str = ""):
        super().__init__(reason)
        self.permanent = permanent
        self.code = code


class BaseBackend:
    # The number (or name) texts come from, shown in the log of messages.
    sender = ""

    def __init__(self, **options):
        pass

    def send(self, text: OutgoingText) -> str:
        raise NotImplementedError
