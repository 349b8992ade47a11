"""The archive's passphrase on its way from the manager's page to the worker.

The worker that builds the archive needs the passphrase the manager typed, and the only way
from a web node to a worker is the database. Procrastinate keeps a job's arguments in its
jobs table for months, so the passphrase is not one of them: it waits in the archive's own
row (archive.models.ClinicArchive.sealed_passphrase), encrypted with a key derived from
SECRET_KEY (which is in every node's environment, never in the database), and the worker
erases it as soon as it has read it. Someone with a copy of the database alone cannot read it.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MIN_LENGTH = 12
PURPOSE = b"clinic archive passphrase v1"


class PassphraseUnavailable(Exception):
    """The sealed passphrase cannot be opened (SECRET_KEY changed since it was sealed)."""


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    # SECRET_KEY_FALLBACKS: a passphrase sealed just before a key rotation still opens.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(secret) for secret in secrets])


def seal(passphrase: str) -> str:
    return _keys().encrypt(passphrase.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _keys().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise PassphraseUnavailable from exc
