"""Helpers shared by the browser tests: signing in through the real pages, axe-core, console errors.

axe-core (browser_tests/vendor/axe.min.js, from the npm package axe-core, MPL-2.0) is injected with
page.evaluate(): the app's Content-Security-Policy forbids inline and foreign scripts, and code run
through the DevTools protocol is not subject to it, so the pages are checked under their real policy.
"""

import re
from binascii import unhexlify
from functools import cache
from pathlib import Path

from django.urls import reverse
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from clinic.tests.factories import PASSWORD

DESK = {"width": 1024, "height": 768}
# A context the size of the front desk's tablet or PC (the conftest's default is a phone).
DESK_CONTEXT = {"viewport": DESK, "is_mobile": False, "has_touch": False}

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa"]
BLOCKING = {"serious", "critical"}


def watch(page: Page) -> list[str]:
    """JavaScript errors on this page: uncaught exceptions and console errors (CSP violations
    included), the browser's own /favicon.ico request aside."""
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", console)
    return errors


def current_code(hex_key: str) -> str:
    """What an authenticator app set up with this (django-otp, hex) key shows now."""
    return f"{totp(unhexlify(hex_key.encode())):06d}"


def sign_in(page: Page, base_url: str, username: str, *, otp_key: str | None = None, next_path: str = "") -> None:
    """Sign in through the real sign-in page, typing like a person; with otp_key, also pass the
    two-factor step with the code the authenticator app shows now."""
    url = base_url + reverse("login") + (f"?next={next_path}" if next_path else "")
    page.goto(url)
    expect(page.get_by_role("heading", name=re.compile("sign in$"))).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if otp_key:
        expect(page.get_by_role("heading", name="One more step")).to_be_visible()
        page.get_by_role("textbox", name=re.compile(r"^Code\b")).fill(current_code(otp_key))
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


class Axe:
    """axe-core on each page a test visits; serious and critical violations are collected and
    reported together at the end, so one run shows everything to fix."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages: list[str] = []

    def check(self, page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(_axe_source())
        results = page.evaluate(
            """async (tags) => {
                const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
                // page.evaluate() has no timeout of its own: never wait for axe forever.
                const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("axe timed out")), 3e4));
                const results = await Promise.race([axe.run(document, options), timeout]);
                return results.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    targets: v.nodes.filter(n => ["serious", "critical"].includes(n.impact))
                        .map(n => n.target.join(" ")),
                    summary: (v.nodes[0] && v.nodes[0].failureSummary || "").split("\\n").slice(1, 2).join(" ").trim(),
                }));
            }""",
            AXE_TAGS,
        )
        self.pages.append(name)
        for violation in results:
            if violation["impact"] in BLOCKING:
                targets = "; ".join(violation["targets"][:8]) + (" ..." if len(violation["targets"]) > 8 else "")
                self.problems.append(
                    f"{name} ({page.url}): {violation['id']} [{violation['impact']}] {violation['help']}: "
                    f"{targets} ({violation['summary']})"
                )

    def assert_clean(self) -> None:
        assert self.pages, "axe ran on no page"
        assert not self.problems, "Serious or critical accessibility violations:\n" + "\n".join(self.problems)
