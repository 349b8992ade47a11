"""Panels other apps show on a client's profile page: upcoming visits, the intake.

The profile page is part of clients/, the base the other apps build on, so it cannot import
them. Each app registers its panel in its AppConfig.ready() instead: a template and a
function that returns the template's context for one request and client (None: no panel
for this person). The profile shows the panels in the order of `position`.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    position: int
    template: str
    context: Callable  # (request, client) -> dict | None


_PANELS: dict[str, Panel] = {}


def register(name: str, *, position: int, template: str, context: Callable) -> None:
    """Add (or replace, by name: ready() may run twice in tests) a panel of the profile page."""
    _PANELS[name] = Panel(position=position, template=template, context=context)


def panels_for(request, client) -> list[tuple[str, dict]]:
    """(template, context) of each panel this person sees for this client, in order."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: p.position):
        context = panel.context(request, client)
        if context is not None:
            shown.append((panel.template, context))
    return shown
