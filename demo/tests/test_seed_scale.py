"""`manage.py seed_scale`: synthetic clinic-scale data for the benchmark (small sizes here)."""

import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from clients.models import Client
from sessions.models import SessionNote
from sessions.seals import verify_all

pytestmark = pytest.mark.django_db


class RollBack(Exception):
    pass


def seed_and_describe(seed: int) -> tuple:
    """Seed 400 clients and 4,000 visits, describe what was made, and undo it."""
    try:
        with transaction.atomic():
            call_command("seed_scale", clients=400, visits=4000, seed=seed, batch=500, verbosity=0)
            clients = list(
                Client.objects.order_by("id").values_list("first_name", "last_name", "phone", "date_of_birth")
            )
            visits = sorted(Counter(SessionNote.objects.values_list("client__phone", flat=True)).values())
            raise RollBack((clients, visits))
    except RollBack as made:
        return made.args[0]


def test_seed_makes_realistic_clients_and_visits():
    call_command("seed_scale", clients=400, visits=4000, seed=3, batch=500, verbosity=0)

    assert Client.objects.count() == 400
    assert SessionNote.objects.count() == 4000
    names = " ".join(f"{c.first_name} {c.last_name}" for c in Client.objects.all())
    assert "'" in names and "-" in names and re.search(r"[éëöüñçø]", names)
    assert len({re.sub(r"\d", "9", c.phone) for c in Client.objects.all()}) >= 4  # phone formats mixed
    visits_per_client = Counter(SessionNote.objects.values_list("client_id", flat=True))
    assert max(visits_per_client.values()) >= 300  # long-term maintenance clients
    note = SessionNote.objects.filter(client_id=max(visits_per_client, key=visits_per_client.get)).first()
    assert note.is_signed and note.areas.exists() and note.pain_before is not None
    assert note.hash_matches()  # signatures computed as signing computes them
    assert note.seal_check().ok  # and sealed in the client's chain as signing seals them
    assert list(verify_all()) == []


def test_seeded_clients_can_be_found_with_a_typo():
    call_command("seed_scale", clients=400, visits=4000, seed=3, batch=500, verbosity=0)
    someone = Client.objects.exclude(last_name__contains=" ").order_by("id")[7]
    typo = someone.last_name[0] + someone.last_name[2:] if len(someone.last_name) > 5 else someone.last_name

    assert someone in Client.objects.search(f"{someone.first_name} {typo}")


def test_the_same_seed_makes_the_same_data():
    first = seed_and_describe(seed=5)

    assert seed_and_describe(seed=5) == first
    assert seed_and_describe(seed=6) != first


def test_seed_refuses_a_database_with_clients():
    Client.objects.create(first_name="Real", last_name="Person", date_of_birth="1980-01-01")

    with pytest.raises(CommandError, match="already has clients"):
        call_command("seed_scale", clients=10, visits=10, verbosity=0)
