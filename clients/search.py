"""How names become search terms, and how far a typed word is from a name word.

Everything here is plain Python, applied the same way to the names a client is stored
with (Client.save and bulk_create fill the search columns) and to what the desk types,
so the two always agree:

- fold(): case folded, accents taken off for the whole of Unicode (NFKD decomposition,
  combining marks dropped after Latin, Greek and Cyrillic letters), and Latin letters that
  do not decompose (ø, æ, ß, ł, đ, þ, ı...) written in ASCII by anyascii's maintained table.
  Other scripts keep their letters: Chinese, Japanese, Korean, Arabic, Hebrew, Hindi...
- search_terms(): the words of the names, plus what people type for them: a name of
  several words also as one ("van der berg" -> "vanderberg", "mac leod" -> "macleod"),
  names in scripts written without spaces (Chinese, Japanese, Korean) by each character
  too, and names in other scripts also transliterated ("王" -> "wang", "Иванов" -> "ivanov").
- word_deletes(): the symmetric-deletion keys behind typo tolerance: a word and the
  words made by leaving out one letter (two for words of six letters or more). Two
  words within the allowed edit distance always share a key; the lexicon's keys are kept
  in clients_nameworddelete, and candidates are checked with the true distance.
"""

import re
import unicodedata
from functools import cache

from anyascii import anyascii
from rapidfuzz.distance import OSA, JaroWinkler

# 0-9 only: PostgreSQL's \D (phone_digits) keeps no other digits ("٥", "５").
_NON_DIGITS = re.compile(r"\D", re.ASCII)
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼʻ")
_WORDS = re.compile(r"[^\W_]+")
# Scripts written without spaces between a family and a given name: each character is a term.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002ffff]")
_FOLDED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")


@cache
def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


@cache
def _fold_char(char: str) -> str:
    """A base letter left after decomposition: Latin ones outside ASCII in ASCII (ø -> o, ß -> ss)."""
    if char.isascii() or not char.isalpha() or _script(char) != "LATIN":
        return char
    return anyascii(char).lower() or char


def fold(text: str) -> str:
    """Case-folded, accent-free, single-spaced: 'Zoë  O’Brien' -> "zoe o'brien", 'Łukasz' -> 'lukasz'."""
    # Case folded after compatibility decomposition too: "ᴬ" and "ℍ" decompose to capitals.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text or "").casefold())
    kept, base_script = [], ""
    for char in decomposed:
        if unicodedata.combining(char):
            if base_script in _FOLDED_SCRIPTS:
                continue  # an accent on a Latin, Greek or Cyrillic letter
            kept.append(char)
            continue
        base_script = _script(char) if char.isalpha() else ""
        kept.append(_fold_char(char))
    folded = unicodedata.normalize("NFC", "".join(kept)).casefold().replace("’", "'")
    return _SPACES.sub(" ", folded).strip()


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", text or "")


def digits_expression(field_name: str):
    """SQL twin of digits() for the phone_digits column PostgreSQL keeps."""
    from django.db.models import F, Func, Value

    return Func(F(field_name), Value(r"\D"), Value(""), Value("g"), function="regexp_replace")


def words_of(text: str) -> list[str]:
    """The folded words of a text: apostrophes dropped (O'Brien -> obrien), split at anything else."""
    return _WORDS.findall(fold(text).translate(_APOSTROPHES))


def is_unspaced(word: str) -> bool:
    return bool(_UNSPACED.search(word))


def _unspaced_parts(word: str) -> list[str]:
    """A word of Chinese, Japanese or Korean characters, character by character (other letters kept together)."""
    parts, run = [], ""
    for char in word:
        if _UNSPACED.match(char):
            if run:
                parts.append(run)
                run = ""
            parts.append(char)
        else:
            run += char
    return parts + ([run] if run else [])


def _transliterated(word: str) -> str:
    if word.isascii():
        return ""
    latin = "".join(_WORDS.findall(anyascii(word).lower()))
    return latin if latin != word else ""


def _is_initial(term: str) -> bool:
    return term.endswith(".")  # no word has a full stop (words_of keeps letters and digits)


def given_name_initial(letter: str) -> str:
    """The term marking a given name's initial ("j." for John): "j smith" ranks John Smith above Ann Smith-Jones."""
    return f"{letter}."


def search_terms(first_name: str, last_name: str, preferred_name: str = "") -> list[str]:
    """Every term a client's names can be found by (see the module's docstring), in order, once each."""
    terms: dict[str, None] = {}
    for given, name in ((True, first_name), (False, last_name), (True, preferred_name)):
        words = words_of(name)
        if given:
            for word in words:
                if not is_unspaced(word):
                    terms[given_name_initial(word[0])] = None
        for word in words:
            terms[word] = None
            if is_unspaced(word):
                for part in _unspaced_parts(word):
                    terms[part] = None
                    if latin := _transliterated(part):
                        terms[latin] = None
            if latin := _transliterated(word):
                terms[latin] = None
        if len(words) > 1:
            terms["".join(words)] = None  # van der berg -> vanderberg; mary-kate -> marykate
            for first, second in zip(words, words[1:], strict=False):
                terms[first + second] = None  # van der berg -> vander, derberg
    return list(terms)


def query_words(text: str) -> list[str]:
    """The words of a typed query; Chinese, Japanese and Korean split character by character."""
    found = []
    for word in words_of(text):
        found.extend(_unspaced_parts(word) if is_unspaced(word) else [word])
    return found


# --- typo tolerance -----------------------------------------------------------------------------

# Names this long or longer forgive two typos: among shorter ones two typos make most names
# look alike ("jones" and "josep").
TWO_TYPOS_FROM = 6


def max_deletes(word: str) -> int:
    """Letters a deletion key may leave out of a word: two from six letters on, else one.

    Enough for allowed_edits(): two words of which the longer has six letters or more and
    which are two edits apart differ by at most two letters left out of a word of six or more
    and one of a shorter word; one edit apart, by one letter left out of each."""
    if is_unspaced(word) or _is_initial(word):
        return 0
    return 2 if len(word) >= TWO_TYPOS_FROM else 1


def word_deletes(word: str) -> set[str]:
    """The word and every word made by leaving out up to max_deletes(word) letters (never empty)."""
    keys = {word}
    frontier = {word}
    for _ in range(max_deletes(word)):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))} - {""}
        keys |= frontier
    return keys


def allowed_edits(typed: str, name_word: str) -> int:
    """Typos forgiven between a typed word and a name word: one, two from six letters on."""
    longest = max(len(typed), len(name_word))
    if is_unspaced(typed) or is_unspaced(name_word) or _is_initial(name_word) or longest < 2:
        return 0
    return 2 if longest >= TWO_TYPOS_FROM else 1


def edit_distance(a: str, b: str) -> int:
    """Letters inserted, left out, replaced or swapped with a neighbour (optimal string alignment)."""
    return OSA.distance(a, b)


# How far a name word is from a typed word, for ranking (lower is closer). Bands:
EXACT, PREFIX, NICKNAME, ONE_TYPO, TWO_TYPOS = 0, 10, 20, 30, 60
UNMATCHED = 100


def closeness(typed: str, name_word: str, *, nickname: bool = False) -> int | None:
    """The rank of name_word for a typed word, or None when it is not a spelling of it.

    Within a band, closer spellings first: a completion by its length ("jo" -> "joe" before
    "jonathan"); for a typo, swapped letters ("matrin": martin before marin), then a letter
    missing or added, then a wrong one, and among those the spelling keeping more of the
    start (Jaro-Winkler similarity)."""
    if name_word == typed:
        return EXACT
    if name_word.startswith(typed):
        return PREFIX + min(9, len(name_word) - len(typed))
    if nickname:
        return NICKNAME
    allowed = allowed_edits(typed, name_word)
    if not allowed:
        return None
    distance = OSA.distance(typed, name_word, score_cutoff=allowed)
    if distance > allowed:
        return None
    band = ONE_TYPO if distance == 1 else TWO_TYPOS
    if sorted(typed) == sorted(name_word):
        kind = 0  # letters swapped: the very letters of the name
    elif len(typed) != len(name_word):
        kind = 4  # a letter missing or one too many
    else:
        kind = 8  # a wrong letter
    return band + kind + round((1 - JaroWinkler.similarity(typed, name_word)) * 9)


# --- whole-name similarity (the last resort, and duplicate checks) ------------------------------

# pg_trgm's default for the % operator.
TRIGRAM_SIMILARITY_THRESHOLD = 0.3


# PostgreSQL's lower() maps each character to one; Python's turns "İ" into "i" and a combining
# dot, and a word-final "Σ" into "ς". Those two are lowered PostgreSQL's way first.
_AS_POSTGRESQL_LOWERS = str.maketrans({"İ": "i", "Σ": "σ"})


def _trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams = set()
    for word in _WORDS.findall(text.translate(_AS_POSTGRESQL_LOWERS).lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a: str, b: str) -> float:
    """Python twin of pg_trgm's similarity(a, b)."""
    left, right = _trigrams(a), _trigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


# --- nicknames and short forms ------------------------------------------------------------------


@cache
def _nicknamer():
    from nicknames import NickNamer  # a maintained list of English given names and their short forms

    return NickNamer()


def nicknames_of(word: str) -> set[str]:
    """Names a first name may be written as: Bob -> Robert; Robert -> Bob, Rob, Bobby; Liz -> Elizabeth."""
    if len(word) < 2 or not word.isascii():
        return set()
    namer = _nicknamer()
    return {name for name in namer.nicknames_of(word) | namer.canonicals_of(word) if name.isalpha()} - {word}
