"""Rules kept twice, in Python and in PostgreSQL, compared on the same inputs.

- fold() (clients/search.py) and the search_name column (lower() + translate()), as installed;
- name_words() and the name_words columns of clients_client and audit_clientevent;
- trigram_similarity() and pg_trgm's similarity() and % operator;
- digits() and the phone_digits column;
- the prefix and similarity tests of clients_name_spellings() (migration 0007) and their
  Python twins, str.startswith and trigram_similarity;
- the duplicate-client check: _duplicate_condition (the query behind the new-client warning)
  and _could_be (its Python twin, which narrows the intake match queue's suggestions).

The SQL side is read from the database (pg_get_expr of the generated columns), not from the
model, so a column left behind by a migration is compared too.
"""

import string
from datetime import date

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from clients.models import Client, ClientNameWord, _could_be
from clients.search import ACCENTED, digits, fold, name_words, trigram_similarity
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


# --- fold() and search_name ------------------------------------------------------------------


def sql_fold(texts: list[str]) -> list[str]:
    """search_name's folding of each text (as the first name, the other names empty)."""
    return evaluate(installed_expression("clients_client", "search_name"), [{"first_name": t} for t in texts])


def assert_fold_twins(texts: list[str]) -> None:
    # search_name keeps the spaces as stored (the forms store names single-spaced, and the
    # empty preferred name leaves a trailing space); fold() also collapses them, for queries.
    for text, in_sql in zip(texts, sql_fold(texts), strict=True):
        assert fold(text) == single_spaced(in_sql), f"fold({text!r}): Python {fold(text)!r}, SQL {in_sql!r}"


@pytest.mark.parametrize("text", TRICKY_NAMES)
def test_fold_matches_search_name_on_tricky_names(text):
    assert_fold_twins([text])


def test_fold_matches_search_name_over_three_names():
    expression = installed_expression("clients_client", "search_name")
    rows = [
        {"first_name": "Zoë", "last_name": "O’Brien", "preferred_name": ""},
        {"first_name": "Jean-Luc", "last_name": "Dupré", "preferred_name": "JL"},
        {"first_name": "İsmail", "last_name": "Yılmaz", "preferred_name": "Işık"},
    ]
    for row, in_sql in zip(rows, evaluate(expression, rows), strict=True):
        joined = f"{row['first_name']} {row['last_name']} {row['preferred_name']}"
        assert fold(joined) == single_spaced(in_sql)


@EXAMPLES
@given(texts=st.lists(st.one_of(names, any_text), min_size=1, max_size=5))
def test_fold_matches_search_name_on_generated_text(texts):
    assert_fold_twins(texts)


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


# --- name_words() and the name_words columns -------------------------------------------------

# Characters Python's str.split() and \s take for spaces and PostgreSQL's regular expressions
# (\s in name_words) do not: name_words() splits "Ann\xa0Lee" in two, the column keeps one word.
PYTHON_ONLY_WHITESPACE = "\x1c\x1d\x1e\x1f\x85\xa0\u2007\u202f"
WHITESPACE_DIFFERS = pytest.mark.xfail(
    strict=True,
    reason="known disagreement: the name_words column (PostgreSQL's \\s) does not split at no-break and other "
    "Unicode spaces that name_words() (Python's \\s) splits at; the forms store names with such spaces "
    "turned into plain ones",
)
# The column keeps the empty words its regexp_split_to_array() makes of a hyphen at either
# end, a tab or newline there (btrim() takes spaces only), or of no name at all (apostrophes only);
# name_words() drops them. Nothing reads an empty word (the lexicon trigger skips them, a query
# word is never empty), so the other tests compare the words; these cases keep the gap in view.
EMPTY_WORDS_DIFFER = pytest.mark.xfail(
    strict=True,
    reason="known disagreement: the name_words column keeps empty words (a hyphen, tab or newline at "
    "either end; no name at all) that name_words() leaves out",
)
words_text = st.text(
    st.characters(exclude_categories=("Cs", "Cn", "Co"), exclude_characters="\x00" + PYTHON_ONLY_WHITESPACE),
    max_size=30,
)


def sql_name_words(rows: list[dict], table: str = "clients_client") -> list[list[str]]:
    return evaluate(installed_expression(table, "name_words"), rows)


def joined(row: dict) -> str:
    return f"{row.get('first_name', '')} {row.get('last_name', '')} {row.get('preferred_name', '')}"


def test_the_audit_tables_name_words_is_the_clients_expression():
    assert installed_expression("audit_clientevent", "name_words") == installed_expression(
        "clients_client", "name_words"
    )


def test_whitespace_python_alone_takes_for_spaces_is_the_known_list():
    python_spaces = [chr(i) for i in range(0x110000) if chr(i).isspace()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT c FROM unnest(%s::text[]) AS c WHERE c !~ '\\s'", [python_spaces])
        assert "".join(c for (c,) in cursor.fetchall()) == PYTHON_ONLY_WHITESPACE


@pytest.mark.parametrize("text", [t for t in TRICKY_NAMES if t not in ("", "-Leading and trailing-", "MAC\xa0DONALD")])
def test_name_words_matches_the_column_on_tricky_names(text):
    assert name_words(text) == sql_name_words([{"first_name": text}])[0]


@pytest.mark.parametrize(
    "row",
    [
        {"first_name": "Zoë", "last_name": "O’Brien"},
        {"first_name": "Jean-Luc", "last_name": "Dupré", "preferred_name": "JL"},
        {"first_name": "İsmail", "last_name": "Yılmaz", "preferred_name": "Işık"},
        {"first_name": "Ana María", "last_name": "García-López", "preferred_name": "Anita"},
        pytest.param({"first_name": "Ann", "last_name": "Lee-"}, marks=EMPTY_WORDS_DIFFER, id="hyphen-at-the-end"),
        pytest.param({"first_name": "-Ann", "last_name": "Lee"}, marks=EMPTY_WORDS_DIFFER, id="hyphen-at-the-start"),
        pytest.param({"first_name": "\tAnn", "last_name": "Lee"}, marks=EMPTY_WORDS_DIFFER, id="tab-at-the-start"),
        pytest.param({"first_name": "", "last_name": ""}, marks=EMPTY_WORDS_DIFFER, id="no-name"),
    ]
    + [
        pytest.param(
            {"first_name": f"Ann{space}Marie", "last_name": "Lee"}, marks=WHITESPACE_DIFFERS, id=f"U+{ord(space):04X}"
        )
        for space in PYTHON_ONLY_WHITESPACE
    ],
)
def test_name_words_matches_the_column_over_three_names(row):
    assert name_words(joined(row)) == sql_name_words([row])[0]


@EXAMPLES
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "first_name": st.one_of(names, words_text),
                "last_name": names,
                "preferred_name": st.one_of(names, words_text),
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_name_words_matches_the_column_on_generated_names(rows):
    for table in ("clients_client", "audit_clientevent"):
        for row, in_sql in zip(rows, sql_name_words(rows, table), strict=True):
            words = [word for word in in_sql if word]  # see EMPTY_WORDS_DIFFER
            assert name_words(joined(row)) == words, f"{table}: {row}"


def test_the_lexicon_holds_exactly_the_python_words_of_every_client():
    """ClientNameWord is filled by a trigger from the column; search looks words up in it."""
    people = [
        ("Zoë", "O’Brien", ""),
        ("Jean-Luc", "Dupré-Smith", "JL"),
        ("İsmail", "Yılmaz", "Işık"),
        ("Ana  María", "García-López", ""),
        ("-Ann", "Lee-", "’"),
        ("Lena", "Strauß", "ΝΙΚΟΣ"),
    ]
    for first_name, last_name, preferred_name in people:
        ClientFactory(first_name=first_name, last_name=last_name, preferred_name=preferred_name)

    expected = {word for person in people for word in name_words(" ".join(person))}
    assert set(ClientNameWord.objects.values_list("word", flat=True)) == expected


# --- clients_name_spellings() and its Python twins -------------------------------------------

LEXICON = [
    "smith", "smyth", "smithson", "schmidt", "john", "jon", "johanna", "jean", "jeanluc", "o", "ob", "obrien",
    "brien", "garcia", "lopez", "a_bc", "a%bc", "axbc", "a\\bc", "ismail", "yilmaz", "strasse", "straße", "ß",
    "zoe", "zoey", "张伟", "οδοσ", "παπαδοπουλοσ",
]  # fmt: skip
SPELLING_QUERIES = [
    "s", "sm", "smi", "smth", "smyth", "jhon", "jo", "j", "o", "ob", "obr", "a_b", "a%b", "a\\b", "a_", "a%", "ß",
    "stra", "strauss", "zo", "张", "οδο", "παπαδοπουλος", "x", "garcai",
]  # fmt: skip


def test_name_spellings_finds_the_words_python_says_it_should():
    """The function's prefix tests (LIKE with _like_prefix's escapes; a byte range for short
    words) against str.startswith, and its % against trigram_similarity. Its %> (word
    similarity) has no Python twin: that part is taken from PostgreSQL."""
    ClientNameWord.objects.bulk_create([ClientNameWord(word=word) for word in LEXICON])
    found = ClientNameWord.spellings_of(SPELLING_QUERIES)

    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        threshold = float(cursor.fetchone()[0])
        cursor.execute(
            "SELECT q, w.word FROM unnest(%s::text[]) AS q, clients_clientnameword w WHERE w.word %%> q",
            [SPELLING_QUERIES],
        )
        word_similar = set(cursor.fetchall())
    for query, spellings in zip(SPELLING_QUERIES, found, strict=True):
        if len(query) >= 3:
            expected = {
                w
                for w in LEXICON
                if w.startswith(query) or trigram_similarity(w, query) >= threshold or (query, w) in word_similar
            }
        else:
            expected = {w for w in LEXICON if w.startswith(query)}
        assert set(spellings) == expected, query


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
