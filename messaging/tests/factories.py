import factory

from clients.tests.factories import ClientFactory
from messaging.models import Channel, ContactPreference, Message


class ContactPreferenceFactory(factory.django.DjangoModelFactory):
    """Reminders by text to a (made-up) mobile number of its own."""

    class Meta:
        model = ContactPreference

    client = factory.SubFactory(ClientFactory)
    reminders = Channel.TEXT
    text_number = factory.Sequence(lambda n: f"+1555{2000000 + n:07d}")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    client = factory.SubFactory(ClientFactory)
    direction = Message.Direction.OUT
    medium = Message.Medium.TEXT
    kind = "reminder"
    to = "+15552000000"
    body = "Hi, a reminder of your visit."
    status = Message.Status.SENT
