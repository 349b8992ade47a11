from django import template

from audit.pages import page_label as _page_label

register = template.Library()


@register.filter
def page_label(name: str) -> str:
    """What the audit pages call a page of the access log ("visits:note_detail" is "Session note")."""
    return _page_label(name)
