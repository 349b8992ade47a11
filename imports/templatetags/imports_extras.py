from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (the report's counts and samples are keyed by outcome)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
