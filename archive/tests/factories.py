"""Archive factories: an archive made and kept (its file in the archives storage)."""

import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from archive.models import ClinicArchive, archive_storage

CONTENT = b"PK\x03\x04 stand-in for an encrypted archive"


class ClinicArchiveFactory(factory.django.DjangoModelFactory):
    """`ClinicArchiveFactory(content=b"...")`: the row and its file in the storage."""

    class Meta:
        model = ClinicArchive
        exclude = ["content"]

    content = CONTENT
    file_name = factory.LazyAttribute(
        lambda o: archive_storage().save("clinic-archive-2026-11-29-101500.zip", ContentFile(o.content))
    )
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    clients = 3
    finished_at = factory.LazyFunction(timezone.now)
