from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.functional import cached_property

from accounts import access

# The URLs every page's frame links to (navigation, idle sign-out, global search), as
# {{ links.<key> }}: reversed once per process, not some twenty times on every page.
FRAME_URLS = {
    "home": "home",
    "clients": "clients:list",
    "new_client": "clients:new",
    "schedule": "scheduling:day",
    "recalls": "scheduling:recalls",
    "my_day": "scheduling:dashboard",
    "intakes": "intake:review_queue",
    "web_forms": "intake:match_queue",
    "services": "scheduling:services",
    "consent": "intake:consent",
    "security": "accounts:security",
    "audit": "audit:log",
    "jobs": "jobs:list",
    "imports": "imports:list",
    "online_bookings": "booking:desk",
    "waitlist": "booking:waitlist",
    "booking_rules": "booking:rules",
    "archive": "archive:home",
    "text_messages": "messaging:templates",
    "admin": "admin:index",
    "password_change": "password_change",
    "two_factor": "accounts:two_factor",
    "calendar_feed": "feeds:home",
    "logout": "logout",
    "login": "login",
    "session_status": "accounts:session_status",
    "keep_alive": "accounts:keep_alive",
    "stash": "accounts:stash",
    "stash_discard": "accounts:stash_discard",
}


@lru_cache(maxsize=4)
def _frame_links(script_prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in FRAME_URLS.items()}


class Access:
    """The access rules for templates, as {{ access.clinical }} and {{ access.manage }}
    (accounts/access.py; templates never spell the permissions behind them)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def clinical(self) -> bool:
        return access.can_read_clinical(self.user)

    @cached_property
    def manage(self) -> bool:
        return access.can_manage_clinic(self.user)


def clinic(request):
    return {
        "access": Access(request.user) if hasattr(request, "user") else None,
        "CLINIC_NAME": settings.CLINIC_NAME,
        "CLINIC_PHONE": settings.CLINIC_PHONE,
        "CLINIC_ADDRESS": settings.CLINIC_ADDRESS,
        "links": _frame_links(get_script_prefix()),
    }
