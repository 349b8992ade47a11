"""What a reply keyword does, registered by the apps that own it.

messaging (a lower layer) cannot import scheduling, yet a client's "C" confirms their next
visit and "X" cancels it. Scheduling registers those keywords here from its AppConfig.ready(),
as the profile's panels are registered (clients/panels.py). STOP and START are messaging's own.
"""

from collections.abc import Callable
from dataclasses import dataclass

# Twilio's own opt-out keywords (Advanced Opt-Out): Twilio stops delivering on these too, and
# answers them itself; the app records them so that nothing more is even tried.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP"})


@dataclass(frozen=True)
class Answer:
    """The text to send back: a registered text (messaging/texts.py), its values, and the client
    whose profile logs it."""

    template: str
    values: dict
    client: object


@dataclass(frozen=True)
class ReplyHandler:
    name: str  # how the log shows the reply: confirm, cancel
    keywords: frozenset
    act: Callable[..., Answer | None]  # act(*, clients, now) inside the transaction that logs the reply


_HANDLERS: dict[str, ReplyHandler] = {}


def register(name: str, *, keywords: set[str], act: Callable[..., Answer | None]) -> None:
    """Add (or replace, by name: ready() may run twice in tests) what some keywords do."""
    handler = ReplyHandler(name=name, keywords=frozenset(k.upper() for k in keywords), act=act)
    if handler.keywords & (STOP_WORDS | START_WORDS):
        raise ValueError("STOP and START words are the client's opt-out and opt-in, never anything else.")
    for other in list(_HANDLERS.values()):
        if other.name != name and other.keywords & handler.keywords:
            raise ValueError(f"Keywords {sorted(other.keywords & handler.keywords)} already belong to {other.name!r}.")
    _HANDLERS[name] = handler


def handler_for(keyword: str) -> ReplyHandler | None:
    return next((h for h in _HANDLERS.values() if keyword in h.keywords), None)


def registered() -> list[ReplyHandler]:
    return list(_HANDLERS.values())
