"""Privacy and transport headers: CSP, no caching of pages, HTTPS, and the production check."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from clients.tests.factories import ClientFactory

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def desk_http(client, front_desk):
    client.force_login(front_desk)
    return client


def assert_not_stored(response) -> None:
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control
    assert response["Pragma"] == "no-cache"


@pytest.mark.django_db
def test_client_profile_is_never_cached_and_has_the_policy(desk_http):
    client_record = ClientFactory()

    response = desk_http.get(client_record.get_absolute_url())

    assert response.status_code == 200
    assert_not_stored(response)
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.django_db
def test_htmx_search_fragment_is_never_cached(desk_http):
    ClientFactory(last_name="Vandersloot")

    response = desk_http.get(reverse("clients:list"), {"q": "Vandersloot"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert_not_stored(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["intake:new", "login"])
def test_public_pages_are_never_cached(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_not_stored(response)
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_static_files_keep_their_cache(settings):
    # WhiteNoise answers before the no-store middleware; here it serves straight from static/.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = HttpClient().get(settings.STATIC_URL + "css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


@pytest.mark.django_db
def test_https_is_enforced_except_for_the_health_check(settings):
    settings.SECURE_SSL_REDIRECT = True
    http = HttpClient()

    response = http.get(reverse("clients:list"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    # Load balancers probe over plain HTTP.
    assert http.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_https_responses_carry_hsts_for_a_year(client):
    response = client.get(reverse("login"), secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_sign_in_cookies_are_secure_and_http_only(client, front_desk):
    front_desk.set_password("a-long-test-password")
    front_desk.save()

    response = client.post(reverse("login"), {"username": "desk", "password": "a-long-test-password"}, secure=True)

    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert settings.CSRF_COOKIE_SECURE


def _templates() -> list[Path]:
    dirs = [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    return sorted(path for folder in dirs for path in folder.rglob("*.html") if ".venv" not in path.parts)


INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on... event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\shx-on", re.I), "an hx-on handler (needs eval)"),
]


@pytest.mark.parametrize("template", _templates(), ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_templates_have_nothing_inline_the_policy_would_block(template):
    source = template.read_text()
    found = [what for pattern, what in INLINE if pattern.search(source)]
    assert not found, f"{template.relative_to(BASE_DIR)} has {', '.join(found)}: move it to static/js or app.css"


def test_deploy_check_passes_with_production_settings(tmp_path):
    """What .ci/run checks, here too: `check --deploy` finds nothing with production variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The production environment only: nothing of the test or developer setup.
        if not key.startswith(("DJANGO_", "PYTEST", "DEBUG", "SECURE_", "SESSION_", "CSRF_", "DATABASE_"))
    }
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "RECORD_SEAL_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "clinic.example.com",
        "SITE_URL": "https://clinic.example.com",
        # The check does not connect; any PostgreSQL address will do.
        "DATABASE_URL": "postgres://clinic@127.0.0.1:5432/clinic",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_about_a_local_site_url():
    from django.test import override_settings

    from clinic.checks import check_site_url

    with override_settings(SITE_URL="http://127.0.0.1:8000"):
        assert [w.id for w in check_site_url()] == ["clinic.W002"]
    with override_settings(SITE_URL="https://clinic.example.com/harbour/"):
        assert check_site_url() == []
