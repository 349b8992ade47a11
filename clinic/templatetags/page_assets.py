"""The stylesheets and scripts every page loads, as one cached block of <link>/<script> tags.

Each {% static %} asks the static-files manifest for the file's hashed name; ten of them
on every page added up. The names only change with a deployment (a restart)."""

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

STYLESHEETS = ["vendor/bootstrap/bootstrap.min.css", "css/app.css", "css/body_map.css"]
SCRIPTS = [
    "vendor/htmx/htmx.min.js",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "js/app.js",
    "js/body_map.js",
    "js/signature_pad.js",
    "js/note_form.js",
    "js/idle.js",
]


@register.simple_tag
def page_assets() -> SafeString:
    return _page_assets()


@lru_cache(maxsize=1)
def _page_assets() -> SafeString:
    return format_html(
        "{}\n{}",
        format_html_join("\n", '  <link rel="stylesheet" href="{}">', ((static(p),) for p in STYLESHEETS)),
        format_html_join("\n", '  <script src="{}" defer></script>', ((static(p),) for p in SCRIPTS)),
    )
