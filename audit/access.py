"""Recording who read which client's clinical pages (audit.models.AccessLog)."""

from accounts.addresses import client_address
from audit.models import AccessLog


def record_access(
    request,
    *,
    client_id: int | None,
    page: str,
    kind: str = AccessLog.Kind.VIEW,
    allowed: bool = True,
    object_id: object = "",
) -> AccessLog:
    """Append one line to the access log: who (or anonymous), when, which client, which page, IP.

    `client_id` may also be a subquery selecting the id (audit.pages: NULL for a guessed id).
    """
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    address = client_address(request)
    # The request is then not recorded a second time by audit.middleware.ClinicalAccessMiddleware.
    request.access_recorded = True
    return AccessLog.objects.create(
        user=user,
        client_id=client_id,
        page=page,
        object_id=str(object_id or ""),
        kind=kind,
        allowed=allowed,
        ip=address if address and address != "unknown" else None,
    )
