import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Persona accounts get a password; the production hasher would make each test slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
