"""The texts the clinic sends, by name: their default wording, placeholders and samples.

Apps register the texts they send from their AppConfig.ready() (scheduling: the reminder and
the answers to C and X). The manager rewords them (MessageTemplate); `render` fills one in.

Placeholders are `$name` (string.Template): plain substitution of strings the code computes,
no attribute access, no format specs, nothing else a template could reach. Each text may use
only its own placeholders: names, dates, times, the clinic's name, phone and links, never
health data; a wording with any other is refused when saved.
"""

import math
import string
from dataclasses import dataclass

from messaging.models import MAX_TEMPLATE_LENGTH, MAX_TEXT_LENGTH, MessageTemplate

# Every text may use these; the values come from settings.
CLINIC_PLACEHOLDERS = {
    "clinic": ("the clinic's name", "Harbourside Massage Therapy"),
    "clinic_phone": ("the clinic's phone number", "(555) 010-0000"),
}


@dataclass(frozen=True)
class TextTemplate:
    key: str
    label: str
    default: str
    placeholders: dict  # name -> (what it is, a sample value for the preview)

    @property
    def samples(self) -> dict[str, str]:
        return {name: sample for name, (_, sample) in self.placeholders.items()}


_TEXTS: dict[str, TextTemplate] = {}


def register(key: str, *, label: str, default: str, placeholders: dict) -> None:
    """Add (or replace, by key: ready() may run twice in tests) a text the clinic sends."""
    text = TextTemplate(key, label, default, {**placeholders, **CLINIC_PLACEHOLDERS})
    problems = problems_with(text, default)
    if problems:
        raise ValueError(f"The default wording of {key!r}: {' '.join(problems)}")
    _TEXTS[key] = text


def registered() -> list[TextTemplate]:
    return sorted(_TEXTS.values(), key=lambda t: t.label)


def get(key: str) -> TextTemplate | None:
    return _TEXTS.get(key)


def problems_with(text: TextTemplate, body: str) -> list[str]:
    """What is wrong with a wording of this text ([] when nothing)."""
    problems = []
    if not body.strip():
        problems.append("The text is empty.")
    if len(body) > MAX_TEMPLATE_LENGTH:
        problems.append(f"Keep it to {MAX_TEMPLATE_LENGTH} characters.")
    template = string.Template(body)
    if not template.is_valid():
        problems.append("A $ must start a placeholder such as $first_name; write $$ for a dollar sign.")
    else:
        unknown = sorted(set(template.get_identifiers()) - set(text.placeholders))
        if unknown:
            problems.append(
                f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {', '.join('$' + u for u in unknown)}. "
                f"This text may use {', '.join('$' + p for p in sorted(text.placeholders))}."
            )
    return problems


def wording(key: str) -> str:
    """The manager's wording of a text, or its default."""
    stored = MessageTemplate.objects.filter(key=key).values_list("body", flat=True).first()
    return stored if stored is not None else _TEXTS[key].default


def fill(text: TextTemplate, body: str, values: dict[str, str]) -> str:
    """The wording with its placeholders filled: only this text's own, as plain strings."""
    allowed = {name: _one_line(str(values.get(name, ""))) for name in text.placeholders}
    return string.Template(body).safe_substitute(allowed)[:MAX_TEXT_LENGTH].strip()


def render(key: str, values: dict[str, str], *, clinic: dict[str, str]) -> str:
    return fill(_TEXTS[key], wording(key), {**values, **clinic})


def _one_line(value: str) -> str:
    """A value never adds lines or control characters to a text."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


# GSM 03.38, the alphabet a text uses unless it holds anything else (then UCS-2, 70 a segment).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")  # two characters' room each


@dataclass(frozen=True)
class Segments:
    characters: int
    count: int
    unicode: bool  # some character is outside GSM: 70 per segment, 67 once split

    @property
    def per_segment(self) -> int:
        if self.unicode:
            return 70 if self.count <= 1 else 67
        return 160 if self.count <= 1 else 153


def segments(text: str) -> Segments:
    """How many SMS segments a text takes (each is billed as one message)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        count = 1 if units <= 160 else math.ceil(units / 153)
        return Segments(characters=units, count=count if text else 0, unicode=False)
    units = len(text.encode("utf-16-le")) // 2
    count = 1 if units <= 70 else math.ceil(units / 67)
    return Segments(characters=units, count=count, unicode=True)
