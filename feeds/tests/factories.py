"""Calendar feed factories. `make_feed(user)` gives the feed and its token (only its hash is stored)."""

import factory

from accounts.roles import THERAPIST
from clinic.tests.factories import UserFactory
from feeds.models import CalendarFeed, hash_token


class CalendarFeedFactory(factory.django.DjangoModelFactory):
    """An active feed whose token nobody knows; make_feed() when the test fetches it."""

    class Meta:
        model = CalendarFeed

    user = factory.SubFactory(UserFactory, role=THERAPIST)
    token_hash = factory.LazyFunction(lambda: hash_token(CalendarFeed.new_token()))


def make_feed(user, **kwargs) -> tuple[CalendarFeed, str]:
    """A feed of `user` and the token of its address."""
    token = CalendarFeed.new_token()
    return CalendarFeedFactory(user=user, token_hash=hash_token(token), **kwargs), token
