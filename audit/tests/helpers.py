from audit.models import Change


def history(obj, pk: int | None = None) -> list[Change]:
    """The changes recorded for one object (give `pk` once it is deleted), oldest first."""
    return list(Change.objects.filter(model=obj._meta.label_lower, object_id=pk or obj.pk).order_by("at", "event_id"))


def actions(obj, pk: int | None = None) -> list[str]:
    return [change.action for change in history(obj, pk)]
