"""Text folding shared by the database and Python, so searches ignore case and accents.

The embedded PostgreSQL has no ``unaccent`` extension, so the folding is an
immutable ``lower()`` + ``translate()`` expression used by a generated column;
:func:`fold` applies the very same table to the query in Python.
"""

import re

from django.db.models import F, Func, Value
from django.db.models.functions import Lower

# Each plain letter, and the accented letters that fold to it.
_FOLDS = {
    "a": "àáâãäåāăą",
    "c": "çćč",
    "d": "ďđ",
    "e": "èéêëēėęě",
    "g": "ğ",
    "i": "ìíîïīįı",
    "l": "ľł",
    "n": "ñńň",
    "o": "òóôõöøōő",
    "r": "ŕř",
    "s": "śşšș",
    "t": "ťțþ",
    "u": "ùúûüūůűų",
    "y": "ýÿ",
    "z": "žźż",
    "'": "’`",
}
# Capitals too: PostgreSQL's lower() leaves "É" alone under the "C" locale.
_FOLDS = {
    plain: accented + "".join(c.upper() for c in accented if len(c.upper()) == 1 and c.upper() != c)
    for plain, accented in _FOLDS.items()
}
ACCENTED = "".join(accented for accented in _FOLDS.values())
PLAIN = "".join(plain * len(accented) for plain, accented in _FOLDS.items())
_TABLE = str.maketrans(ACCENTED, PLAIN)
_SPACES = re.compile(r"\s+")
# 0-9 only: PostgreSQL's \D (phone_digits) keeps no other digits ("٥", "５").
_NON_DIGITS = re.compile(r"\D", re.ASCII)
# PostgreSQL's lower() maps each character to one; Python's turns "İ" into "i" and a combining
# dot, and a word-final "Σ" into "ς". Those two are lowered PostgreSQL's way first.
_AS_POSTGRESQL_LOWERS = str.maketrans({"İ": "i", "Σ": "σ"})
_WORD_SPLIT = re.compile(r"[\s-]+")


def _lower(text: str) -> str:
    """str.lower() as PostgreSQL's lower() does it (clients/tests/test_twins.py compares them)."""
    return text.translate(_AS_POSTGRESQL_LOWERS).lower()


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: 'Zoë  O’Brien' -> "zoe o'brien"."""
    folded = _lower(text or "").translate(_TABLE)
    return _SPACES.sub(" ", folded).strip()


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", text or "")


def folded_expression(*field_names: str):
    """SQL twin of fold() over several fields joined by spaces (immutable, so indexable)."""
    joined = F(field_names[0])
    for name in field_names[1:]:
        joined = Func(joined, Value(" "), F(name), function="", arg_joiner=" || ")
    return Func(Lower(joined), Value(ACCENTED), Value(PLAIN), function="translate")


def name_words(text: str) -> list[str]:
    """Python twin of the name_words column: folded words, apostrophes dropped, split at spaces and hyphens."""
    return [word for word in _WORD_SPLIT.split(fold(text).replace("'", "")) if word]


def name_words_expression(*field_names: str):
    """SQL twin of name_words(): a text[] PostgreSQL keeps for the word index."""
    without_apostrophes = Func(folded_expression(*field_names), Value("'"), Value(""), function="translate")
    trimmed = Func(without_apostrophes, function="btrim")
    return Func(trimmed, Value(r"[\s-]+"), function="regexp_split_to_array")


def digits_expression(field_name: str):
    return Func(F(field_name), Value(r"\D"), Value(""), Value("g"), function="regexp_replace")


# pg_trgm's default for the % operator.
TRIGRAM_SIMILARITY_THRESHOLD = 0.3
_WORDS = re.compile(r"[^\W_]+")


def _trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams = set()
    for word in _WORDS.findall(_lower(text)):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    """Python twin of pg_trgm's similarity(a, b)."""
    left, right = _trigrams(a), _trigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)
