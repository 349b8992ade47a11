from datetime import date

import factory

from clients.models import Client


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_between", start_date=date(1940, 1, 1), end_date=date(2008, 1, 1))
    phone = factory.Sequence(lambda n: f"555-{100 + n // 10000:03d}-{n % 10000:04d}")
    email = factory.LazyAttributeSequence(lambda c, n: f"client{n}@example.com")
