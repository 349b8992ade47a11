from django.contrib.auth import get_user_model
from django.db import transaction

from feeds.models import CalendarFeed, hash_token


@transaction.atomic
def feed_create(*, user) -> tuple[CalendarFeed, str]:
    """A new feed address for `user`, and its token (shown once, never stored).

    Revokes the address they had: one active feed per person (a constraint says so too).
    The user's row is locked first, so two clicks at once make one feed after the other.
    """
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    for old in CalendarFeed.objects.active().filter(user=user):
        old.revoke(by=user)
    token = CalendarFeed.new_token()
    feed = CalendarFeed.objects.create(user=user, token_hash=hash_token(token))
    return feed, token
