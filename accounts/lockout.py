"""Lockout after repeated failed sign-ins (django-axes), counted per username *and* address.

Five wrong passwords for one username from one address lock that pair out for the cool-off
(LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES). Colleagues behind the same address, and the same
person elsewhere, still sign in: one attacker cannot lock the whole clinic out.
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.addresses import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The address axes counts failures against: the same one the public pages' rate limit uses
    (the proxy's last X-Forwarded-For entry when TRUST_X_FORWARDED_FOR is on). None when it is
    not an IP address, which the database column would refuse."""
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username failures are counted for, cut to what a username can be (150 characters):
    the sign-in form passes longer input on, and axes stores it in a 255-character column."""
    field = get_user_model().USERNAME_FIELD
    source = credentials or getattr(request, "POST", {})
    username = source.get(field)
    if username is None:
        return None
    return str(username).replace("\x00", "")[:150]


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out (username, address) pair before any password is checked.

    A sign-in without a request (the test client's login(), a script) has no address to count
    against: it is passed on to the next backend. Every sign-in page passes its request.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page a locked-out sign-in gets: what happened and when to try again.

    Each try during the lockout starts the cool-off again (axes' default), so it runs from now.
    """
    cool_off = get_cool_off(request)
    return render(
        request,
        "accounts/locked_out.html",
        {
            "retry_at": timezone.localtime() + cool_off,
            "minutes": int(cool_off.total_seconds() // 60),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )
