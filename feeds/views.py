import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_GET, require_POST

from accounts.access import VIEW_SCHEDULE, can_manage_clinic
from accounts.ratelimit import rate_limited
from feeds import ical, services
from feeds.models import CalendarFeed
from feeds.selectors import DAYS_AHEAD, DAYS_BACK, feed_appointments

# Anyone who works with the schedule may have a feed of the visits booked with them (front desk
# and managers who also treat, therapists above all); an account without a role may not.
staff_only = permission_required(VIEW_SCHEDULE, raise_exception=True)

NEW_FEED = "new_calendar_feed"  # session: the new address, shown on the next page only


@staff_only
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Your feed: make one, see when it was last fetched, revoke it. The manager also sees
    everyone's active feeds and revokes them."""
    feed = CalendarFeed.objects.active().filter(user=request.user).first()
    new = request.session.pop(NEW_FEED, None)
    if new and feed and new.get("feed") == feed.pk:
        new["webcal"] = "webcal://" + new["url"].split("://", 1)[1]  # iPhones and Macs subscribe in one tap
    else:
        new = None  # nothing new, or the address of a feed revoked since
    staff_feeds = None
    if can_manage_clinic(request.user):
        staff_feeds = (
            CalendarFeed.objects.active()
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__username")
        )
    return render(
        request,
        "feeds/home.html",
        {
            "feed": feed,
            "new": new,
            "staff_feeds": staff_feeds,
            "days_back": DAYS_BACK,
            "days_ahead": DAYS_AHEAD,
        },
    )


@staff_only
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """A new address for your feed; the old one stops working."""
    had_one = CalendarFeed.objects.active().filter(user=request.user).exists()
    feed, token = services.feed_create(user=request.user)
    # The token is never stored: the address is shown once, on the next page only.
    request.session[NEW_FEED] = {
        "feed": feed.pk,
        "url": request.build_absolute_uri(reverse("feeds:feed", args=[token])),
    }
    if had_one:
        messages.success(request, "New feed address made; the old one no longer works. Copy the new one below.")
    else:
        messages.success(request, "Your calendar feed is ready. Copy its address below; it is shown only now.")
    return redirect("feeds:home")


@staff_only
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Your own feed, or (the manager) anyone's: its address answers "not found" from now on."""
    feed = get_object_or_404(CalendarFeed.objects.revocable_by(request.user).active().select_related("user"), pk=pk)
    feed.revoke(by=request.user)
    if feed.user_id == request.user.pk:
        messages.success(request, "Your calendar feed no longer works. Remove it from your phone's calendar.")
    else:
        messages.success(request, f"The calendar feed of {feed.user} no longer works.")
    return redirect("feeds:home")


@login_not_required
@rate_limited("calendar_feed")
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for calendar apps: public, found by its secret token only.

    An unknown, revoked or deactivated owner's token is the same 404, after the same single
    lookup of the token's hash. 304 when the calendar's If-None-Match matches the ETag (a
    hash of the text). Last-Modified is informational only: the newest change of the visits
    shown cannot tell that a visit moved to another therapist, so If-Modified-Since alone
    always gets the full feed.
    """
    feed = CalendarFeed.objects.serving().by_token(token).select_related("user").first()
    if feed is None or not feed.user.has_perm(VIEW_SCHEDULE):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    now = timezone.now()
    appointments = list(feed_appointments(feed.user, now=now))
    body = ical.calendar(
        appointments, name=f"{settings.CLINIC_NAME} visits", host=request.get_host(), user_id=feed.user_id
    )
    feed.record_fetch(now=now)
    etag = quote_etag(hashlib.sha256(body).hexdigest())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    newest = max((appointment.updated_at for appointment in appointments), default=feed.created_at)
    response["Last-Modified"] = http_date(newest.timestamp())
    response["Content-Disposition"] = 'inline; filename="visits.ics"'
    return get_conditional_response(request, etag=etag, response=response)
