import uuid

import messaging
from messaging.backends.base import BaseBackend, OutgoingText


class LocmemBackend(BaseBackend):
    """Keeps each text in `messaging.outbox` (tests), as Django's mail.outbox."""

    sender = "locmem"

    def send(self, text: OutgoingText) -> str:
        if not hasattr(messaging, "outbox"):
            messaging.outbox = []
        messaging.outbox.append(text)
        return f"locmem-{uuid.uuid4().hex}"
