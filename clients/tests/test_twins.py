"""Rules kept twice, in Python and in PostgreSQL, compared on the same inputs.

- the search columns (search_name, name_words) against fold() and search_terms(), and the
  lexicon and its deletion keys against word_deletes();
- clients_name_spellings() (three index lookups) against a full scan of the lexicon with
  closeness(), the Python rule of which name words a typed word stands for;
- trigram_similarity() and pg_trgm's similarity() and % operator;
- digits() and the phone_digits column;
- the duplicate-client check: _duplicate_condition (the query behind the new-client warning)
  and _could_be (its Python twin, which narrows the intake match queue's suggestions).

The SQL side is read from the database where it is generated (pg_get_expr of phone_digits),
not from the model, so a column left behind by a migration is compared too.
"""

import string
import unicodedata
from datetime import date

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from clients.models import Client, ClientNameWord, NameWordDelete, _could_be
from clients.search import (
    allowed_edits,
    closeness,
    digits,
    edit_distance,
    fold,
    nicknames_of,
    search_terms,
    trigram_similarity,
    word_deletes,
)
from clients.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

# A hundred examples each: enough to wander through the alphabets, a second or so per test.
EXAMPLES = settings(max_examples=100, deadline=None, database=None)

# Names a clinic meets, and spellings that trip folding up (case mappings, spaces, punctuation).
TRICKY_NAMES = [
    "",
    "Zoë  O’Brien",
    "Liam O'Brien",
    "D’Angelo",
    "N`Diaye",
    "García-López",
    "Jean-Luc  Picard",
    "  Ana   María  ",
    "ÉMILE Zola",
    "Ærøskøbing",
    "Søren Kierkegaard",
    "Łukasz Żółć",
    "Straße",
    "STRAẞE",
    "Dvořák",
    "Nguyễn Thị Minh Khai",
    "Ştefan Ţăran",
    "Șerban Țepeș",
    "İsmail Yılmaz",
    "ISIK ışık IŞIK",
    "Ğülşen Çelik",
    "Björn Ångström",
    "Þórunn Guðmundsdóttir",
    "Œdipe Cœur",
    "ĲSSEL Ĳssel",
    "ΟΔΥΣΣΕΑΣ Παπαδόπουλος",
    "ΝΙΚΟΣ Σ",
    "Пётр Ильич Чайковский",
    "Ꭰ Cherokee",
    "张伟",
    "Mary-Kate  Olsen-Smith",
    "-Leading and trailing-",
    "Tab\tSeparated",
    "x_y%z\\",
    "Ǆ ǅ ǆ",
    "ﬁnn",
    "Kelvin \u212a",
    "a\u0301ccent combining",
    "MAC\u00a0DONALD",
]

# Characters a typist or a paste may put in a name: letters of many languages (both cases),
# digits, apostrophes, hyphens and spaces.
ACCENTED = "àáâãäåāăąçćčďđèéêëēėęěğìíîïīįıľłñńňòóôõöøōőŕřśşšșťțþùúûüūůűųýÿžźżÀÉÎÕÜŁŚŽ"
NAME_ALPHABET = string.ascii_letters + string.digits + ACCENTED + "ßẞæÆœŒðÐþÞıİĲĳǄǅǆΣσςΑαΒβΟοЖжЯяЁё张伟" + " -'’`_%\\"
names = st.text(alphabet=NAME_ALPHABET, max_size=30)
# Anything PostgreSQL accepts in a text value (no NUL, no lone surrogates), with characters
# this Python knows of (a newer Unicode in the C library is another matter).
any_text = st.text(st.characters(exclude_categories=("Cs", "Cn", "Co"), exclude_characters="\x00"), max_size=30)

# pg_trgm splits words at what the C library's iswalnum() refuses; trigram_similarity() at
# what Python's str.isalnum() refuses. They differ on combining marks (Mn, Mc: vowel signs
# of Indic scripts, Hebrew and Arabic points), numbers that are not digits (No: "²", "½"),
# circled letters (So: "Ⓐ") and one ideograph (U+24976): 2,300 characters in all. Generated
# text leaves them out; the cases marked WORD_CHARACTERS_DIFFER keep the gap in view.
WORD_CHARACTERS_DIFFER = pytest.mark.xfail(
    strict=True,
    reason="known disagreement: pg_trgm (glibc iswalnum) and trigram_similarity (str.isalnum) split words "
    "at different characters: combining marks, other numbers, circled letters",
)
trigram_text = st.text(
    st.characters(
        exclude_categories=("Cs", "Cn", "Co", "Mn", "Mc", "Me", "No", "So"), exclude_characters="\x00\U00024976"
    ),
    max_size=30,
)


def installed_expression(table: str, column: str) -> str:
    """The SQL of a generated column, as PostgreSQL holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = %s::regclass AND a.attname = %s AND a.attgenerated = 's'",
            [table, column],
        )
        row = cursor.fetchone()
    assert row, f"{table}.{column} is not a generated column"
    return row[0]


def evaluate(expression: str, rows: list[dict]) -> list:
    """The expression over rows of made-up column values, in one query, in order."""
    columns = ["first_name", "last_name", "preferred_name", "phone"]
    arrays = [[row.get(column, "") for row in rows] for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {expression} FROM unnest({', '.join(['%s::text[]'] * len(columns))}) "
            f"WITH ORDINALITY AS v({', '.join(columns)}, n) ORDER BY n",
            arrays,
        )
        return [value for (value,) in cursor.fetchall()]


def single_spaced(text: str) -> str:
    return " ".join(text.split())


# --- the search columns, fold() and search_terms() ----------------------------------------


@pytest.mark.parametrize("text", TRICKY_NAMES)
def test_saved_clients_search_columns_are_the_python_folding_of_their_names(text):
    client = ClientFactory(first_name=text or "x", last_name="Lee", preferred_name=text)
    client.refresh_from_db()
    assert client.search_name == fold(f"{text or 'x'} Lee {text}")
    assert client.name_words == search_terms(text or "x", "Lee", text)


def test_renaming_with_update_fields_refreshes_the_search_columns():
    client = ClientFactory(first_name="Ann", last_name="Lee")
    client.last_name = "Łąkowska-Nguyễn"
    client.save(update_fields=["last_name"])
    client.refresh_from_db()
    assert client.search_name == "ann lakowska-nguyen"
    assert {"lakowska", "nguyen", "lakowskanguyen"} <= set(client.name_words)


@EXAMPLES
@given(text=st.one_of(names, any_text))
def test_fold_is_idempotent_and_leaves_no_accent_on_latin_letters(text):
    folded = fold(text)
    assert fold(folded) == folded
    for char in folded:
        if char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
            assert char.isascii(), (text, folded)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Nguyen Thi Minh Khai", "Nguyễn Thị Minh Khai"),
        ("Lukasz Zolc", "Łukasz Żółć"),
        ("Ismail Yilmaz", "İsmail Yılmaz"),
        ("Soren Aerobo", "Søren Ærøbø"),
        ("Strasse", "Straße"),
        ("Thorunn Gudmundsdottir", "Þórunn Guðmundsdóttir"),
        ("Stefan Taran", "Ştefan Ţăran"),
        ("Serban Tepes", "Șerban Țepeș"),
        ("Dvorak", "Dvořák"),
        ("Oedipe Coeur", "Œdipe Cœur"),
        ("Παπαδοπουλος", "ΠΑΠΑΔΌΠΟΥΛΟΣ"),
        ("Петр", "Пётр"),
        ("finn", "ﬁnn"),
        ("ABC", "ＡＢＣ"),
    ],
)
def test_fold_takes_accents_off_every_script_the_same_way(typed, stored):
    assert fold(typed) == fold(stored)


@EXAMPLES
@given(rows=st.lists(st.tuples(names, names, st.one_of(names, any_text)), min_size=1, max_size=4))
def test_the_lexicon_holds_every_term_of_every_client_with_its_deletion_keys(rows):
    for first_name, last_name, preferred_name in rows:
        ClientFactory(first_name=first_name or "x", last_name=last_name or "y", preferred_name=preferred_name)
    expected = {word for row in rows for word in search_terms(row[0] or "x", row[1] or "y", row[2]) if word}
    lexicon = set(ClientNameWord.objects.values_list("word", flat=True))
    assert expected <= lexicon
    keys = set(NameWordDelete.objects.filter(word__in=expected).values_list("key", "word"))
    assert keys == {(key, word) for word in expected for key in word_deletes(word)}
    Client.objects.all().delete()


# --- trigram_similarity() and pg_trgm --------------------------------------------------------

TRIGRAM_PAIRS = [
    ("john smith", "jon smyth"),
    ("jhon smith", "john smith"),
    ("smith", "smith"),
    ("", ""),
    ("a", "b"),
    ("o'brien", "obrien"),
    ("liam o'brien ", "liam obrien"),
    ("garcia-lopez", "garcia lopez"),
    ("x_y", "x y"),
    ("ab12", "ab 12"),
    ("straße", "strasse"),
    ("STRASSE", "strasse"),
    ("İsmail", "ismail"),
    ("ISMAIL", "ismail"),
    ("ΟΔΟΣ", "οδοσ"),
    ("ΟΔΟΣ", "οδος"),
    ("Пётр", "пётр"),
    ("张伟", "张"),
    ("zoë", "zoe"),
    pytest.param("abc²", "abc", marks=WORD_CHARACTERS_DIFFER, id="superscript-two"),
    pytest.param("मोहन शर्मा", "मोहन", marks=WORD_CHARACTERS_DIFFER, id="devanagari-vowel-signs"),
    pytest.param("מֹשֶׁה", "משה", marks=WORD_CHARACTERS_DIFFER, id="hebrew-points"),
    pytest.param("مُحَمَّد", "محمد", marks=WORD_CHARACTERS_DIFFER, id="arabic-harakat"),
    pytest.param("Ⓐnna", "anna", marks=WORD_CHARACTERS_DIFFER, id="circled-letter"),
]


def assert_trigram_twins(pairs: list[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        threshold = float(cursor.fetchone()[0])
        cursor.execute(
            "SELECT similarity(a, b), a %% b FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS v(a, b, n) "
            "ORDER BY n",
            [[a for a, _ in pairs], [b for _, b in pairs]],
        )
        results = cursor.fetchall()
    for (a, b), (in_sql, similar_in_sql) in zip(pairs, results, strict=True):
        in_python = trigram_similarity(a, b)
        assert in_python == pytest.approx(in_sql, abs=1e-6), (
            f"similarity({a!r}, {b!r}): Python {in_python}, SQL {in_sql}"
        )
        # The % operator (what the queries filter on) and the threshold Python compares with.
        assert similar_in_sql == (in_python >= threshold), f"{a!r} % {b!r}"


def test_pythons_similarity_threshold_is_the_databases():
    from clients.search import TRIGRAM_SIMILARITY_THRESHOLD

    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        assert float(cursor.fetchone()[0]) == TRIGRAM_SIMILARITY_THRESHOLD


@pytest.mark.parametrize(("a", "b"), TRIGRAM_PAIRS)
def test_trigram_similarity_matches_pg_trgm_on_tricky_pairs(a, b):
    assert_trigram_twins([(a, b)])


def test_trigram_similarity_matches_pg_trgm_on_tricky_names():
    assert_trigram_twins([(a, b) for a in TRICKY_NAMES for b in ("zoe obrien", "ismail", "strasse", TRICKY_NAMES[3])])


@EXAMPLES
@given(
    pairs=st.lists(st.tuples(st.one_of(names, trigram_text), st.one_of(names, trigram_text)), min_size=1, max_size=5)
)
def test_trigram_similarity_matches_pg_trgm_on_generated_text(pairs):
    assert_trigram_twins(pairs)


# --- digits() and phone_digits ---------------------------------------------------------------

PHONES = [
    "",
    "(555) 010-2000",
    "+1 555.010.2000 x12",
    "555 010 2000",
    "٥٥٥ ٠١٠ ٢٠٠٠",  # Arabic-Indic digits
    "५५५-०१०-२०००",  # Devanagari digits
    "５５５-０１０",  # fullwidth digits
    "½ ² ③",
]


def assert_digits_twins(phones: list[str]) -> None:
    expression = installed_expression("clients_client", "phone_digits")
    for phone, in_sql in zip(phones, evaluate(expression, [{"phone": p} for p in phones]), strict=True):
        assert digits(phone) == in_sql, f"digits({phone!r}): Python {digits(phone)!r}, SQL {in_sql!r}"


@pytest.mark.parametrize("phone", PHONES)
def test_digits_matches_phone_digits(phone):
    assert_digits_twins([phone])


@EXAMPLES
@given(phones=st.lists(st.one_of(st.text("0123456789 +-().x/", max_size=20), any_text), min_size=1, max_size=5))
def test_digits_matches_phone_digits_on_generated_text(phones):
    assert_digits_twins(phones)


# --- clients_name_spellings() against a brute-force reading of the lexicon -------------------

LEXICON = [
    "smith", "smyth", "smithson", "schmidt", "john", "jon", "johanna", "jean", "jeanluc", "o", "ob", "obrien",
    "brien", "garcia", "lopez", "a_bc", "a%bc", "axbc", "a\\bc", "ismail", "yilmaz", "strasse", "zoe", "zoey",
    "张伟", "张", "伟", "οδοσ", "παπαδοπουλοσ", "robert", "bob", "elizabeth", "liz", "martin", "marin", "li", "lu",
    "vanderberg", "macleod", "katherine", "kate", "j.", "k.",
]  # fmt: skip
SPELLING_QUERIES = [
    "s", "sm", "smi", "smth", "smyth", "jhon", "jo", "j", "o", "ob", "obr", "a_b", "a%b", "a\\b", "a_", "a%",
    "stra", "strasse", "zo", "张", "οδο", "παπαδοπουλος", "x", "garcai", "matrin", "bob", "robert", "liz", "lj",
    "vandreberg", "smtih", "kate", "jhonson", "brwon", "ahemd", "tnaaka", "jn", "j", "k",
]  # fmt: skip


def brute_force_spellings(typed: str, lexicon: list[str]) -> dict[str, int]:
    nicknames = nicknames_of(typed)
    return {word: rank for word in lexicon if (rank := closeness(typed, word, nickname=word in nicknames)) is not None}


def test_name_spellings_finds_exactly_the_spellings_a_full_scan_finds():
    """The function's three index lookups (prefix range, deletion keys, exact nicknames) find
    what reading every lexicon word with closeness() finds: no spelling within the typos
    allowed is missed, and none beyond them is let in."""
    ClientNameWord.collect(LEXICON)
    found = ClientNameWord.spellings_of(SPELLING_QUERIES)
    for query in SPELLING_QUERIES:
        assert found[query] == brute_force_spellings(query, LEXICON), query


@EXAMPLES
@given(
    word=st.sampled_from(LEXICON[:20] + ["katherine", "vanderberg", "elizabeth", "macleod"]),
    edits=st.lists(
        st.tuples(st.sampled_from("dist"), st.integers(0, 20), st.sampled_from("aeioubcdkmnrstz")), max_size=2
    ),
)
def test_name_spellings_finds_every_word_within_the_typos_allowed(word, edits):
    typed = word
    for kind, at, letter in edits:
        at = at % max(len(typed), 1)
        if kind == "d" and len(typed) > 1:
            typed = typed[:at] + typed[at + 1 :]
        elif kind == "i":
            typed = typed[:at] + letter + typed[at:]
        elif kind == "s":
            typed = typed[:at] + letter + typed[at + 1 :]
        elif kind == "t" and at + 1 < len(typed):
            typed = typed[:at] + typed[at + 1] + typed[at] + typed[at + 2 :]
    ClientNameWord.collect(LEXICON)
    found = ClientNameWord.spellings_of([typed])[typed]
    if edit_distance(typed, word) <= allowed_edits(typed, word) or word.startswith(typed):
        assert word in found, (typed, word)
    assert found == brute_force_spellings(typed, LEXICON)


# --- the duplicate-client check --------------------------------------------------------------

BORN = date(1984, 2, 29)
EMAIL_CASE_DIFFERS = pytest.mark.xfail(
    strict=True,
    reason="known disagreement: the query compares emails with PostgreSQL's UPPER(), _could_be with "
    "Python's lower(); they differ on letters whose upper and lower case are not one to one",
)
WORDS_DIFFER_IN_DUPLICATES = pytest.mark.xfail(
    strict=True,
    reason="known disagreement (see WORD_CHARACTERS_DIFFER): pg_trgm and trigram_similarity split words at "
    "different characters, so the query (%) and _could_be judge the similarity of such names differently",
)

# (stored client, person typed on the new-client form or the website, duplicate?)
DUPLICATE_CASES = [
    # Email: the same address whatever the case.
    pytest.param({"email": "Ann.Lee@Example.com"}, {"email": "ann.lee@EXAMPLE.COM"}, True, id="email-case"),
    pytest.param({"email": "zoë@exämple.com"}, {"email": "ZOË@EXÄMPLE.COM"}, True, id="email-accented-case"),
    pytest.param({"email": "ann@example.com"}, {"email": "anne@example.com"}, False, id="email-other"),
    pytest.param({"email": ""}, {"email": ""}, False, id="email-none"),
    pytest.param({"email": "ali@ışık.example"}, {"email": "ali@isik.example"}, False, id="email-dotless-i"),
    pytest.param(
        {"email": "ſam@example.com"}, {"email": "sam@example.com"}, False, marks=EMAIL_CASE_DIFFERS, id="email-long-s"
    ),
    pytest.param(
        {"email": "STRAẞE@example.de"},
        {"email": "straße@example.de"},
        True,
        marks=EMAIL_CASE_DIFFERS,
        id="email-capital-sharp-s",
    ),
    pytest.param(
        {"email": "\u212aim@example.com"},
        {"email": "kim@example.com"},
        True,
        marks=EMAIL_CASE_DIFFERS,
        id="email-kelvin-sign",
    ),
    # Phone: the same digits whatever the format; ten or more digits compare by the last ten.
    pytest.param({"phone": "(555) 010-2000"}, {"phone": "555.010.2000"}, True, id="phone-format"),
    pytest.param({"phone": "555-010-2000"}, {"phone": "+1 555 010 2000"}, True, id="phone-country-code-typed"),
    pytest.param({"phone": "+1 (555) 010-2000"}, {"phone": "555 010 2000"}, True, id="phone-country-code-stored"),
    pytest.param({"phone": "555-010-2000"}, {"phone": "+44 555 010 2000"}, True, id="phone-last-ten-digits"),
    pytest.param({"phone": "010-2000"}, {"phone": "010 2000"}, True, id="phone-seven-digits"),
    pytest.param({"phone": "555-010-2000"}, {"phone": "010-2000"}, False, id="phone-seven-of-ten"),
    pytest.param({"phone": "010-2000"}, {"phone": "555-010-2000"}, False, id="phone-ten-of-seven"),
    pytest.param({"phone": "010-200"}, {"phone": "010200"}, False, id="phone-six-digits"),
    pytest.param({"phone": "555-010-2000"}, {"phone": "555-010-2001"}, False, id="phone-other"),
    pytest.param({"phone": "555-010-2000"}, {"phone": "٥٥٥-٠١٠-٢٠٠٠"}, False, id="phone-arabic-indic-digits"),
    # Date of birth and a name that folds to the same, or is similar.
    pytest.param(
        {"first_name": "Zoë", "last_name": "O’Brien"},
        {"first_name": "ZOE", "last_name": "O'BRIEN"},
        True,
        id="name-accents-case-apostrophe",
    ),
    pytest.param(
        {"first_name": "Zoë", "last_name": "O’Brien"},
        {"first_name": "Zoe", "last_name": "O'Brien", "date_of_birth": date(1984, 3, 1)},
        False,
        id="name-other-birthday",
    ),
    pytest.param(
        {"first_name": "Zoë", "last_name": "O’Brien"},
        {"first_name": "Zoe", "last_name": "O'Brien", "date_of_birth": None},
        False,
        id="name-no-birthday",
    ),
    pytest.param(
        {"first_name": "Ana", "last_name": "García-López"},
        {"first_name": "Ana", "last_name": "Garcia Lopez"},
        True,
        id="name-hyphen-typed-as-space",
    ),
    pytest.param(
        {"first_name": "Ana", "last_name": "García López"},
        {"first_name": "ana", "last_name": "garcia-lopez"},
        True,
        id="name-space-typed-as-hyphen",
    ),
    pytest.param(
        {"first_name": "Liam", "last_name": "O'Brien"},
        {"first_name": "Liam", "last_name": "OBrien"},
        True,
        id="name-apostrophe-left-out",
    ),
    pytest.param(
        {"first_name": "Liam", "last_name": "O'Brien"},
        {"first_name": "Liam", "last_name": "O Brien"},
        True,
        id="name-apostrophe-as-space",
    ),
    pytest.param(
        {"first_name": "John", "last_name": "Smith"}, {"first_name": "Jon", "last_name": "Smyth"}, True, id="name-typos"
    ),
    pytest.param(
        {"first_name": "Robert", "last_name": "Smith", "preferred_name": "Bob"},
        {"first_name": "Bob", "last_name": "Smith"},
        True,
        id="name-preferred",
    ),
    pytest.param(
        {"first_name": "John", "last_name": "Smith"},
        {"first_name": "Maria", "last_name": "Garcia"},
        False,
        id="name-other-person",
    ),
    pytest.param(
        {"first_name": "İsmail", "last_name": "Yılmaz"},
        {"first_name": "ISMAIL", "last_name": "YILMAZ"},
        True,
        id="name-turkish-capitals",
    ),
    pytest.param(
        {"first_name": "Ismail", "last_name": "Yilmaz"},
        {"first_name": "İsmail", "last_name": "Yılmaz"},
        True,
        id="name-turkish-letters-typed",
    ),
    pytest.param(
        {"first_name": "Νίκος", "last_name": "Παπάς"},
        {"first_name": "ΝΊΚΟΣ", "last_name": "ΠΑΠΆΣ"},
        True,
        id="name-greek-capitals",
    ),
    pytest.param(
        {"first_name": "Lena", "last_name": "Strauß"},
        {"first_name": "Lena", "last_name": "Strauss"},
        True,
        id="name-sharp-s",
    ),
    pytest.param(
        {"first_name": "Mary  Ann", "last_name": "Smith"},
        {"first_name": "Mary Ann", "last_name": "Smith"},
        True,
        id="name-double-space-stored",
    ),
    pytest.param(
        {"first_name": "मोहन", "last_name": "शर्मा"},
        {"first_name": "मोहन", "last_name": "शमा"},
        True,
        id="name-devanagari-typo",
    ),
    pytest.param(
        {"first_name": "مُحَمَّد", "last_name": "علي"},
        {"first_name": "محمد", "last_name": "علي"},
        True,
        marks=WORDS_DIFFER_IN_DUPLICATES,
        id="name-arabic-without-harakat",
    ),
]


def _stored(fields: dict) -> Client:
    client = ClientFactory(
        **{"first_name": "Stored", "last_name": "Person", "date_of_birth": BORN, "phone": "", "email": "", **fields}
    )
    return Client.objects.get(pk=client.pk)  # the generated columns as PostgreSQL wrote them


def _person(fields: dict, *, dob_as_text: bool = False) -> dict:
    person = {"first_name": "Typed", "last_name": "Newcomer", "date_of_birth": BORN, "email": "", "phone": "", **fields}
    if dob_as_text and person["date_of_birth"]:
        person["date_of_birth"] = person["date_of_birth"].isoformat()  # as the match queue has it
    return person


@pytest.mark.parametrize("dob_as_text", [False, True], ids=["form", "queue"])
@pytest.mark.parametrize(("stored", "typed", "duplicate"), DUPLICATE_CASES)
def test_query_and_python_judge_a_duplicate_alike(stored, typed, duplicate, dob_as_text):
    client = _stored(stored)
    person = _person(typed, dob_as_text=dob_as_text)

    in_sql = Client.objects.likely_duplicates(**person).filter(pk=client.pk).exists()
    in_python = _could_be(client, **person)
    assert (in_sql, in_python) == (duplicate, duplicate), f"query says {in_sql}, _could_be says {in_python}"
    # What the match queue lists (the query narrowed by _could_be) is what the form warns of.
    assert (client in Client.objects.likely_duplicates_of_each([person], limit=50)[0]) == duplicate


def test_query_and_python_agree_on_every_stored_client_for_every_person():
    """Each case's person against every case's stored client, not only its own."""
    clients = [_stored(case.values[0]) for case in DUPLICATE_CASES if not case.marks]
    people = [_person(case.values[1]) for case in DUPLICATE_CASES if not case.marks]
    for person in people:
        in_sql = set(Client.objects.likely_duplicates(**person).values_list("pk", flat=True))
        in_python = {client.pk for client in clients if _could_be(client, **person)}
        assert in_sql == in_python, person
