"""Real-browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live_server.

Only the system browser is used (/usr/bin/chromium from the Debian package); nothing here
downloads one. Without it the tests skip locally and fail in CI (CI set), which must never skip.
"""

import os
import re
from pathlib import Path

import pytest

from browser_tests.helpers import DESK_CONTEXT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_REPORTS = pytest.StashKey[dict]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def system_chromium() -> str:
    """Debian's Chromium, or a skip (a failure in CI) saying how to install it."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"Browser tests need Debian's Chromium at {CHROMIUM}: sudo apt-get install chromium"
        if _in_ci():
            pytest.fail(f"{message} (CI is set, so browser tests may not skip)", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def _django_async_unsafe():
    """Playwright's sync API keeps an event loop in the test thread, and Django then refuses
    database access from that thread (SynchronousOnlyOperation). The test itself and the
    transactional_db flush after it query synchronously, which is safe here. Set for the browser
    tests only (before Playwright starts, until it stops) rather than for the whole suite."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _browser_test_setup(system_chromium, _django_async_unsafe):
    """Every browser test: the Chromium check and the async workaround come before Playwright starts."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, system_chromium, _django_async_unsafe):
    """pytest-playwright's launch options, pointed at the system Chromium (never a downloaded one)."""
    return {
        **browser_type_launch_args,
        "executable_path": system_chromium,
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Every page is a phone: 390x844, touch, mobile viewport handling."""
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "en-US"}


@pytest.fixture
def new_desk_context(browser, browser_context_args):
    """Another browser context, the size of the front desk's tablet or PC (1024x768, no touch),
    in a test whose pages are phones. (A whole test at desk size uses the marker instead:
    @pytest.mark.browser_context_args(**DESK_CONTEXT).)"""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(**{**browser_context_args, **DESK_CONTEXT, **kwargs})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, browser, new_context, new_desk_context):
    """On failure, save the last open page to test-artifacts/<test>.png (git-ignored)."""
    yield
    reports = request.node.stash.get(_REPORTS, {})
    if not any(report.failed for report in reports.values()):
        return
    pages = [page for context in browser.contexts for page in context.pages if not page.is_closed()]
    if pages:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", request.node.name).strip("_") + ".png")
        pages[-1].screenshot(path=path, full_page=True)
        print(f"\nScreenshot of the last page: {path}")
