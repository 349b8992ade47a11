from django.db import transaction

from clients.forms import ClientForm
from clients.models import Client


@transaction.atomic
def client_save(*, form: ClientForm, by) -> Client:
    """Create or update a client from a valid form, recording who did it."""
    client = form.save(commit=False)
    if client.pk is None:
        client.created_by = by
    client.updated_by = by
    client.save()
    return client
