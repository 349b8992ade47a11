"""Hostile input for the form fuzzers, and the checks every response must pass.

`form_data(baseline)` draws POST data from a form's valid baseline: most fields keep
their valid value (so some posts are accepted and stored), the rest are replaced by
huge, unicode, control-character, markup, out-of-range or wrong-type values, appended
with a script payload, dropped, or repeated.
"""

import os
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.html import escape
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def _examples() -> int:
    """Examples per form: hundreds in CI (the gate, which has the time); a quick pass on a
    developer's machine, where one request costs 50-500 ms and 200 per form take ~12 minutes.
    FUZZ_EXAMPLES overrides both (FUZZ_EXAMPLES=1000 to search harder)."""
    if os.environ.get("FUZZ_EXAMPLES"):
        return int(os.environ["FUZZ_EXAMPLES"])
    return 200 if os.environ.get("CI") else 20


# One settings object for every fuzz test. Deterministic, so a failure in CI reproduces
# locally; FUZZ_RANDOM=1 explores new examples.
FUZZ = settings(
    max_examples=_examples(),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    print_blob=True,
)

# Markup that must never reach a page unescaped. Each is what an attacker types.
SCRIPT_PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
)
# The raw fragments that would execute if any payload were rendered unescaped.
RAW_MARKERS = (b"<script>alert(", b"<img src=x onerror=alert(", b"<svg onload=alert(")

OTHER_MARKUP = (
    "<b>bold</b>",
    "javascript:alert(1)",
    "{{ request.user }}",
    "{% debug %}",
    "${7*7}",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE clients_client;--",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "&lt;already escaped&gt;",
    "<!--",
    "]]>",
)

# JSON text (some fields hold JSON): escapes that decode to what PostgreSQL refuses.
JSON_TRAPS = (
    '[["first_name", "\\u0000"]]',
    '["\\u0000"]',
    '["\\ud800"]',
    '{"a": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}',
)

UNICODE_SAMPLES = (
    "مرحبا بالعالم",  # Arabic, right to left
    "שלום עולם",  # Hebrew
    "\u202etxt.exe",  # right-to-left override
    "👩🏽‍⚕️💆‍♀️🧘",  # emoji with skin tone and zero-width joiners
    "Zoë Müller-Ortega",
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "Z̷̢͓a̵l̸g̷o̶",
    "𝕳𝖊𝖑𝖑𝖔",  # mathematical letters (outside the BMP)
    "ﷺ",
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and BOM
    "\U0010fffd",
    "İstanbul ß ǅ",  # case mapping that changes length
    "１２３４５",  # full-width digits
    "²³",  # digits that str.isdigit() accepts and int() refuses
    "١٢٣",  # Arabic-Indic digits
)

CONTROL = st.text(
    alphabet=st.sampled_from([chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\u2029"]),
    min_size=1,
    max_size=12,
)

NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(
        [
            "-1",
            "0",
            "-0",
            "32767",
            "32768",
            "65536",
            "2147483648",
            "9223372036854775808",
            "1e309",
            "-1e309",
            "1E+400",
            "NaN",
            "nan",
            "inf",
            "-Infinity",
            "1.5",
            "0.0000001",
            "99999999999999.99",
            "0x10",
            "1_000",
            " 7 ",
            "+5",
            "٣",
            "²",
        ]
    ),
    st.floats().map(str),
)

# The first and last days Python's date can hold, and their neighbours: a page that adds a
# day, a week or a time zone to them overflows. Every date parameter is tried with each
# (test_fuzz_discovered_forms.py), not only when a draw happens to pick one.
EDGE_DATES = ("9999-12-31", "0001-01-01", "9999-12-30", "0001-01-02")

DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(EDGE_DATES),
    st.sampled_from(
        [
            "0000-00-00",
            "2024-02-30",
            "2023-02-29",
            "2024-13-01",
            "99999-01-01",
            "-2024-01-01",
            "1970-01-01",
            "2038-01-19",
            "31/12/2024",
            "12/31/2024",
            "2024-1-1",
            "tomorrow",
            "2024-01-01T00:00:00",
            "2024-01-01 00:00",
            "24:00",
            "23:59:59.999999",
            "12:60",
            "02:30",
            "-1:00",
        ]
    ),
)


def _huge(pieces: list[str], size: int) -> str:
    text = "".join(pieces) or "x"
    return (text * (size // len(text) + 1))[:size]


HUGE = st.builds(
    _huge,
    st.lists(st.sampled_from(["a", "é", "<", "&", "\n", "👩", "ש", " ", "0"]), min_size=1, max_size=6),
    st.sampled_from([10_001, 20_000, 65_537]),
)

HOSTILE = st.one_of(
    st.sampled_from(SCRIPT_PAYLOADS),
    st.sampled_from(OTHER_MARKUP),
    st.sampled_from(JSON_TRAPS),
    st.sampled_from(UNICODE_SAMPLES),
    st.text(max_size=40),
    CONTROL,
    NUMBERS,
    DATES,
    HUGE,
    st.just(""),
    st.just(" "),
)


@dataclass
class Drawn:
    """POST data, and the script payload appended to each field that got one."""

    data: dict
    injected: dict[str, str] = field(default_factory=dict)


# What may happen to a field. The classes most likely to break something (huge values,
# control characters) have their own entries, so each field meets them often.
OPERATIONS = ["inject", "inject", "hostile", "huge", "control", "drop", "repeat", "empty"]


def _mutate(draw, name: str, valid, operation: str, data: dict, injected: dict) -> None:
    if operation == "keep":
        data[name] = valid
    elif operation == "inject":
        payload = draw(st.sampled_from(SCRIPT_PAYLOADS))
        first = valid[0] if isinstance(valid, list) and valid else valid if isinstance(valid, str) else ""
        data[name] = f"{first} {payload}".strip()
        injected[name] = payload
    elif operation == "hostile":
        data[name] = draw(HOSTILE)
    elif operation == "huge":
        data[name] = draw(HUGE)
    elif operation == "control":
        first = valid[0] if isinstance(valid, list) and valid else valid if isinstance(valid, str) else ""
        data[name] = draw(st.one_of(CONTROL, CONTROL.map(lambda c: first + c), st.sampled_from(JSON_TRAPS)))
    elif operation == "repeat":
        data[name] = draw(st.lists(HOSTILE, min_size=2, max_size=4))
    elif operation == "empty":
        data[name] = ""
    # "drop": the field is missing, as when someone edits the form or crafts a post.


@st.composite
def form_data(draw, baseline: dict, *, extra_keys: bool = True) -> Drawn:
    """Hostile POST data built from `baseline` (field name -> str or list of str).

    Half the examples change a few fields and keep the rest valid, so that many are accepted
    and stored; the other half change any number of fields at once.
    """
    data: dict = {}
    injected: dict[str, str] = {}
    names = list(baseline)
    if names and draw(st.booleans(), label="focused"):
        targets = set(draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)))
        for name, valid in baseline.items():
            operation = draw(st.sampled_from(OPERATIONS), label=name) if name in targets else "keep"
            _mutate(draw, name, valid, operation, data, injected)
    else:
        for name, valid in baseline.items():
            operation = draw(st.sampled_from(["keep", "keep", "keep", *OPERATIONS]), label=name)
            _mutate(draw, name, valid, operation, data, injected)
    if extra_keys and draw(st.booleans(), label="extra keys"):
        data |= draw(st.dictionaries(st.one_of(st.text(max_size=20), CONTROL), HOSTILE, min_size=1, max_size=3))
    return Drawn(data, injected)


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is always rolled back, so examples never see
    each other's rows and a database error in one example cannot poison the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_safe_response(response, what: str = "") -> None:
    """Never a server error, and no markup reflected unescaped."""
    assert response.status_code < 500, f"{what}: HTTP {response.status_code}"
    if "html" in response.get("Content-Type", ""):
        body = response.content
        for marker in RAW_MARKERS:
            assert marker not in body, f"{what}: unescaped {marker!r} in the page"


def assert_shown_escaped(html: bytes, payloads, what: str = "") -> None:
    """Each payload appears on the page, escaped (and never raw)."""
    for payload in payloads:
        assert escape(payload).encode() in html, f"{what}: {payload!r} is not shown escaped"
        assert payload.encode() not in html or payload == escape(payload), f"{what}: {payload!r} raw on the page"
