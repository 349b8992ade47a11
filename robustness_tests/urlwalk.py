"""Every named URL of the project, found by walking the URL resolver."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # namespaced, e.g. "visits:note_edit"
    kwargs: tuple[str, ...]  # the URL's parameters, e.g. ("client_pk", "pk")
    callback: object

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]

    @property
    def model_admin(self):
        """The ModelAdmin behind an admin page, or None."""
        return getattr(self.callback, "model_admin", None)


def _walk(resolver, namespace: str = "", inherited: tuple[str, ...] = ()):
    for entry in resolver.url_patterns:
        params = _params(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner, inherited + params)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}{entry.name}", inherited + params, entry.callback)


def _params(pattern) -> tuple[str, ...]:
    # A path() pattern names its parameters as converters; a re_path() one (e.g. the admin's
    # app_list, "(?P<app_label>...)") has an empty `converters` and only named groups.
    return tuple(getattr(pattern, "converters", None) or pattern.regex.groupindex)


def routes() -> list[Route]:
    """Every named URL, once per name (the first pattern wins, as reverse() picks it)."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver()):
        seen.setdefault(route.name, route)
    return list(seen.values())
