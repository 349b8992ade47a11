"""Writes of client profiles. Services take plain values (a form's cleaned data, an import's
row), never forms, so the desk, the intake review and an import all go through the same code."""

import uuid

from django.db import transaction

from clients.models import Client


@transaction.atomic
def client_create(*, by, creation_key: uuid.UUID | None = None, **fields) -> Client:
    """A new client from validated values, recording who created it.

    `creation_key` makes a double submit harmless: the second press finds the first's client
    (a unique key; the caller handles the IntegrityError of two presses arriving together).
    """
    client = Client(**fields, created_by=by, updated_by=by)
    if creation_key is not None:
        client.creation_key = creation_key
    client.save()
    return client


@transaction.atomic
def client_update(*, client: Client, by, **fields) -> Client:
    """Change a client's profile from validated values, recording who changed it."""
    for name, value in fields.items():
        setattr(client, name, value)
    client.updated_by = by
    client.save()
    return client
