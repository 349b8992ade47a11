from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import TrigramSimilarity
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from clients.search import (
    NICKNAME,
    PREFIX,
    TRIGRAM_SIMILARITY_THRESHOLD,
    UNMATCHED,
    closeness,
    digits,
    digits_expression,
    fold,
    given_name_initial,
    is_unspaced,
    nicknames_of,
    query_words,
    search_terms,
    trigram_similarity,
    word_deletes,
)

MAX_SPELLINGS = 500  # name words one typed word may stand for ("j" -> john, jose, jean-luc...)
MAX_QUERY_WORDS = 6
# A letter or two is listed alphabetically (what the desk expects), longer queries by rank.
RANKED_FROM_LETTERS = 3
# Clients seen, booked or added within this long rank above long-inactive ones otherwise equal.
RECENT = timedelta(days=548)
NAME_FIELDS = ("first_name", "last_name", "preferred_name")
# How much later a completion of a word followed by another ranks (see _as_finished).
FINISHED_WORD_COMPLETION = 30


class Pressure(models.TextChoices):
    LIGHT = "light", "Light"
    MODERATE = "moderate", "Moderate"
    FIRM = "firm", "Firm"
    DEEP = "deep", "Deep"


class ClientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Client.Status.ACTIVE)

    def for_list(self):
        """Only what the list and search results show (no notes, no address)."""
        return self.only(
            "id",
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "phone",
            "email",
            "status",
            "created_at",
        )

    def update(self, **kwargs):
        """update() that keeps the search columns: renaming goes row by row through save()."""
        if set(kwargs) & set(NAME_FIELDS):
            if not all(isinstance(kwargs[field], str) for field in set(kwargs) & set(NAME_FIELDS)):
                raise TypeError("Names are set as text: the search columns are made from them in Python.")
            with transaction.atomic(using=self.db):
                count = 0
                for client in self.select_for_update():
                    for field, value in kwargs.items():
                        setattr(client, field, value)
                    client.save(update_fields=list(kwargs))
                    count += 1
                return count
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        """bulk_create that fills the search columns and the name lexicon, as save() does."""
        objs = list(objs)
        for client in objs:
            client.fill_search_fields()
        created = super().bulk_create(objs, *args, **kwargs)
        ClientNameWord.collect(word for client in objs for word in client.name_words)
        return created

    def search(self, query: str):
        """Clients matching a front-desk query, best match first; archived clients last.

        - an email address (contains "@"): email contains the text;
        - mostly digits (3 or more): phone contains those digits, whatever the format;
        - otherwise names, in any order: every typed word stands for a word of the first,
          last or preferred name: the word itself, its start ("j smith"), a nickname or
          short form (Bob, Robert), or a spelling within one typo (two from six letters:
          swapped, missing, extra or wrong letters); words typed joined or split also find
          names written the other way ("vanderberg", "mac leod"). When no client has all the
          words, those with the most of them; when none, the whole name's trigram similarity.
        Ranked by closeness (see clients.search.closeness), then recent or upcoming visits
        above long-inactive clients, then by name. Every branch reads an index.
        """
        # PostgreSQL refuses NUL in any string: a pasted or crafted "\x00" would be a 500.
        query = (query or "").replace("\x00", "").strip()
        if not query:
            return self.none()
        if "@" in query:
            return self.filter(email__icontains=query).order_by(*_LAST_ARCHIVED, "last_name", "first_name", "id")
        query_digits = digits(query)
        if len(query_digits) >= 3 and len(query_digits) >= len(query.replace(" ", "")) // 2:
            condition = Q(phone_digits__contains=query_digits)
            if len(query_digits) > 10:  # "+1 555 010 2000" also finds "555-010-2000"
                condition |= Q(phone_digits__contains=query_digits[-10:])
            return self.filter(condition).order_by(*_LAST_ARCHIVED, "last_name", "first_name", "id")
        words = query_words(query)[:MAX_QUERY_WORDS]
        if not words:  # punctuation only: no name has none of it
            return self.none()
        all_readings = _readings(words)
        readings = [reading for reading in all_readings if all(reading.values())]
        if readings:
            matches = self.filter(_any_reading(readings))
            if not is_ranked_search(query):
                return matches.order_by(*_LAST_ARCHIVED, "last_name", "first_name", "id")
            return _ranked(matches, _closeness(readings))
        as_typed = all_readings[0]
        found = [spellings for spellings in as_typed.values() if spellings]
        missed = [words[i] for i, spellings in as_typed.items() if not spellings]
        if found and len(missed) < len(words) / 2 + 1 and min(map(len, missed)) >= 3:
            # Nobody has every word: those with the most of them ("john smith 1980" -> John Smith).
            condition = Q()
            for spellings in found:
                condition |= _has_one_of(spellings)
            rank = _closeness([dict(enumerate(found))], unmatched=len(missed))
            return _ranked(self.filter(condition), rank)
        # No word resembles a name word: whole-name similarity still has a chance.
        folded = fold(query)
        return (
            self.filter(search_name__trigram_similar=folded)
            .annotate(rank=TrigramSimilarity("search_name", Value(folded)))
            .order_by(*_LAST_ARCHIVED, "-rank", "last_name", "first_name", "id")
        )

    def likely_duplicates(
        self, *, first_name: str, last_name: str, date_of_birth: date | None, email: str = "", phone: str = ""
    ):
        """Existing clients who may be the same person as the one described.

        Same email; same phone digits; same date of birth with the same or a very
        similar name (typos, accents, a swapped preferred name).
        """
        condition = _duplicate_condition(first_name, last_name, date_of_birth, email, phone)
        if not condition:
            return self.none()
        return self.filter(condition).order_by("last_name", "first_name", "id")

    def likely_duplicates_of_each(self, people: list[dict], *, limit: int = 5) -> list[list["Client"]]:
        """likely_duplicates for many people at once, in one query (for queues)."""
        condition = Q()
        for person in people:
            condition |= _duplicate_condition(**person)
        if not condition:
            return [[] for _ in people]
        candidates = list(self.filter(condition).order_by("last_name", "first_name", "id"))
        return [[c for c in candidates if _could_be(c, **person)][:limit] for person in people]


def is_ranked_search(query: str) -> bool:
    """Whether a search lists its matches by rank (else alphabetically, from the name index)."""
    return len(fold(query)) >= RANKED_FROM_LETTERS


# Archived clients after active ones, whatever the order within them.
_LAST_ARCHIVED = (Case(When(status="archived", then=Value(1)), default=Value(0)),)

# Output fields built once: a search builds many expressions, and Django builds a field
# for each value whose type it is not told (each word of a list, each number).
_WORD_ARRAY = ArrayField(models.TextField())
_INTEGER = models.IntegerField()
_CLIENT_TABLE = "clients_client"


def _word_array(words) -> Value:
    """The words as ONE array parameter (a plain list would become one parameter per word)."""
    return Value(list(words), output_field=_WORD_ARRAY)


def _readings(words: list[str]) -> list[dict[int, dict[str, int]]]:
    """The ways a query may be read, each {term: {name word: closeness}}: the words as typed
    (always first), two neighbouring words joined ("mac leod" -> macleod), and a word that
    is no name split in two names ("johnsmith" -> john smith). One query for all of them."""
    joined = [
        (i, words[i] + words[i + 1])
        for i in range(len(words) - 1)
        if not is_unspaced(words[i]) and not is_unspaced(words[i + 1])
    ]
    splits = [
        (i, word[:cut], word[cut:])
        for i, word in enumerate(words)
        if not is_unspaced(word)
        for cut in range(2, len(word) - 1)
    ]
    # An initial beside a longer word ("j smith") is checked on the rows the other words find:
    # looked up in the lexicon it stands for hundreds of names and a tenth of all clients.
    initials = {w for w in words if len(w) == 1 and not is_unspaced(w)} if max(map(len, words)) > 1 else set()
    terms = list(dict.fromkeys([w for w in words if w not in initials] + [word for _, word in joined]))
    halves = list(dict.fromkeys(half for _, first, second in splits for half in (first, second)))
    spellings = ClientNameWord.spellings_of(terms, exact=halves)
    spellings |= {letter: Initial(letter) for letter in initials}
    last = len(words) - 1
    readings = [{i: spellings[w] if i == last else _as_finished(w, spellings[w]) for i, w in enumerate(words)}]
    for i, word in joined:
        reading = [spellings[w] for w in words[:i]] + [spellings[word]] + [spellings[w] for w in words[i + 2 :]]
        readings.append(dict(enumerate(reading)))
    for i, first, second in splits:
        if spellings[first] and spellings[second]:
            reading = [spellings[w] for w in words[:i]]
            reading += [{first: 0}, {second: 0}] + [spellings[w] for w in words[i + 1 :]]
            readings.append(dict(enumerate(reading)))
    return readings


class Initial(str):
    """A letter standing for any name word starting with it, tested on the row (not an index)."""

    def condition(self) -> RawSQL:
        return RawSQL(_STARTS_A_WORD, [self + "%"], output_field=models.BooleanField())


_STARTS_A_WORD = f"EXISTS (SELECT 1 FROM unnest({_CLIENT_TABLE}.name_words) AS w WHERE w LIKE %s)"


def _as_finished(word: str, spellings: dict[str, int]) -> dict[str, int]:
    """A word followed by another is typed in full: "jon smth" means Jon or John, before Jones.
    Its completions rank after its one-typo spellings (initials and two letters excepted)."""
    if len(word) <= 2:
        return spellings
    return {
        spelling: rank + FINISHED_WORD_COMPLETION if PREFIX <= rank < NICKNAME else rank
        for spelling, rank in spellings.items()
    }


def _has_one_of(spellings) -> Q:
    if isinstance(spellings, Initial):
        return Q(spellings.condition())
    return Q(name_words__overlap=_word_array(spellings))


def _any_reading(readings) -> Q:
    condition = Q()
    for reading in readings:
        every_word = Q()
        for spellings in reading.values():
            every_word &= _has_one_of(spellings)
        condition |= every_word
    return condition


def _closeness(readings, *, unmatched: int = 0) -> RawSQL:
    """How far a client's names are from the query: for each typed word, the closeness of the
    client's closest spelling of it (clients.search.closeness), added up; the best reading
    counts. Plain array tests on the row, so ranking thousands of matches costs next to
    nothing. Written as SQL: the equivalent Case/When expressions took longer to build than
    to run."""
    sums, params = [], []
    for reading in readings:
        terms = []
        for word_spellings in reading.values():
            if isinstance(word_spellings, Initial):
                terms.append(
                    f"(CASE WHEN {_CLIENT_TABLE}.name_words && %s::text[] THEN {PREFIX} "
                    f"WHEN {_STARTS_A_WORD} THEN {PREFIX + 5} ELSE {UNMATCHED} END)"
                )
                params += [[given_name_initial(word_spellings)], word_spellings + "%"]
                continue
            by_rank = defaultdict(list)
            for spelling, rank in word_spellings.items():
                by_rank[rank].append(spelling)
            whens = []
            for rank in sorted(by_rank):
                whens.append(f"WHEN {_CLIENT_TABLE}.name_words && %s::text[] THEN {int(rank)}")
                params.append(by_rank[rank])
            terms.append(f"(CASE {' '.join(whens)} ELSE {UNMATCHED} END)")
        sums.append(" + ".join(terms))
    expression = sums[0] if len(sums) == 1 else f"LEAST({', '.join(f'({s})' for s in sums)})"
    if unmatched:
        expression = f"{expression} + {int(unmatched) * UNMATCHED}"
    return RawSQL(expression, params, output_field=_INTEGER)


def _ranked(matches, rank):
    """Closest first; then recent or upcoming clients; then the shorter name (Williams before
    Blake-Williams when both hold the word typed); then alphabetically."""
    recent = timezone.now() - RECENT
    return matches.annotate(
        rank=rank,
        inactive=Case(When(Q(last_visit_at__gte=recent) | Q(created_at__gte=recent), then=Value(0)), default=Value(1)),
        terms=Func(F("name_words"), function="cardinality", output_field=_INTEGER),
    ).order_by(*_LAST_ARCHIVED, "rank", "inactive", "terms", "last_name", "first_name", "id")


def _duplicate_condition(first_name, last_name, date_of_birth, email="", phone="") -> Q:
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    phone_digits = digits(phone)
    if len(phone_digits) >= 10:  # "+1 555 010 2003" and "555-010-2003" are one number
        condition |= Q(phone_digits__endswith=phone_digits[-10:]) | Q(phone_digits=phone_digits)
    elif len(phone_digits) >= 7:
        condition |= Q(phone_digits=phone_digits)
    if date_of_birth:
        name = fold(f"{first_name} {last_name}")
        condition |= Q(date_of_birth=date_of_birth) & (
            Q(search_name__trigram_similar=name)
            | Q(search_name__startswith=name)
            | Q(last_name__iexact=last_name, first_name__iexact=first_name)
        )
    return condition


def _could_be(client: "Client", first_name, last_name, date_of_birth, email="", phone="") -> bool:
    """The Python twin of _duplicate_condition for one fetched client."""
    if email and client.email.lower() == email.lower():
        return True
    phone_digits = digits(phone)
    if len(phone_digits) >= 7 and (
        client.phone_digits == phone_digits
        or (len(phone_digits) >= 10 and client.phone_digits.endswith(phone_digits[-10:]))
    ):
        return True
    if date_of_birth and str(client.date_of_birth) == str(date_of_birth):
        name = fold(f"{first_name} {last_name}")
        return (
            client.search_name.startswith(name)
            or trigram_similarity(client.search_name, name) >= TRIGRAM_SIMILARITY_THRESHOLD
            or (client.first_name.lower(), client.last_name.lower()) == (first_name.lower(), last_name.lower())
        )
    return False


class Client(models.Model):
    """A person who comes to the clinic. Contact and identity, no clinical content."""

    # What the desk fills in: the profile form's fields, and what the benchmark seed fills.
    PROFILE_FIELDS = (
        "first_name",
        "last_name",
        "preferred_name",
        "pronouns",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "emergency_contact_name",
        "emergency_contact_relationship",
        "emergency_contact_phone",
        "preferred_pressure",
        "referral_source",
        "desk_notes",
    )

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    first_name = models.CharField("legal first name", max_length=100)
    last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    # Required on every form; empty only for clients imported from software that did not have it.
    date_of_birth = models.DateField(null=True)
    phone = models.CharField(max_length=40, blank=True)
    # Digits only, kept by PostgreSQL: "(555) 010-2000" and "555.010.2000" both store 5550102000.
    phone_digits = models.GeneratedField(
        expression=digits_expression("phone"), output_field=models.CharField(max_length=40), db_persist=True
    )
    email = models.EmailField(max_length=254, blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    preferred_pressure = models.CharField(max_length=20, choices=Pressure.choices, blank=True)
    referral_source = models.CharField("how they heard of the clinic", max_length=200, blank=True)
    desk_notes = models.TextField(
        "front-desk notes", blank=True, help_text="Scheduling and contact notes only; no health information."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Search columns, filled from the names by fill_search_fields() on every save (and by
    # bulk_create): the folded full name (whole-name similarity, duplicate checks) and every
    # term the client can be found by (clients.search.search_terms), for the word index.
    search_name = models.TextField(default="", editable=False)
    name_words = ArrayField(models.TextField(), default=list, editable=False)
    # The start of the latest visit not cancelled, past or booked ahead: kept by a trigger on
    # the appointments table (scheduling/migrations). Search ranks recent clients first.
    last_visit_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set once from the new-client form: a second press of "Create" finds this row
    # instead of creating the person twice.
    creation_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ClientQuerySet.as_manager()

    class Meta:
        permissions = [("archive_client", "Can archive and restore clients")]
        indexes = [
            # No pending lists (fastupdate): a search would scan every entry added since the
            # last vacuum (37,000 after a bulk load: 200 ms a search). Adding a client costs a
            # little more instead.
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="client_search_name_trgm", fastupdate=False),
            GinIndex(fields=["name_words"], name="client_name_words", fastupdate=False),
            GinIndex(OpClass("phone_digits", name="gin_trgm_ops"), name="client_phone_digits_trgm", fastupdate=False),
            GinIndex(OpClass(Upper("email"), name="gin_trgm_ops"), name="client_email_trgm", fastupdate=False),
            models.Index(fields=["last_name", "first_name", "id"], name="client_name_sort"),
            models.Index(fields=["-created_at", "-id"], name="client_newest"),
            models.Index(fields=["date_of_birth"], name="client_dob"),
            models.Index(fields=["phone_digits"], name="client_phone_digits"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["active", "archived"]), name="client_status_valid"),
            models.CheckConstraint(condition=~Q(first_name="") & ~Q(last_name=""), name="client_name_required"),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        renamed = update_fields is None or bool(set(update_fields) & set(NAME_FIELDS))
        if renamed:
            self.fill_search_fields()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_name", "name_words"}
        super().save(*args, **kwargs)
        if renamed:  # archiving, say, leaves the names and their lexicon words as they are
            ClientNameWord.collect(self.name_words)

    def get_absolute_url(self):
        return reverse("clients:detail", args=[self.pk])

    def fill_search_fields(self) -> None:
        self.search_name = fold(" ".join(getattr(self, field) or "" for field in NAME_FIELDS))
        self.name_words = search_terms(*(getattr(self, field) or "" for field in NAME_FIELDS))

    @property
    def display_name(self) -> str:
        return self.name_for_display(self.first_name, self.preferred_name, self.last_name)

    @staticmethod
    def name_for_display(first_name: str, preferred_name: str, last_name: str) -> str:
        if preferred_name and preferred_name != first_name:
            return f"{first_name} “{preferred_name}” {last_name}"
        return f"{first_name} {last_name}"

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED

    def age(self, on: date | None = None) -> int | None:
        on = on or date.today()
        dob = self.date_of_birth
        if dob is None:
            return None
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))

    def archive(self, *, by) -> None:
        self.status = self.Status.ARCHIVED
        self.updated_by = by
        self.save(update_fields=["status", "updated_by", "updated_at"])

    def restore(self, *, by) -> None:
        self.status = self.Status.ACTIVE
        self.updated_by = by
        self.save(update_fields=["status", "updated_by", "updated_at"])


class ClientNameWord(models.Model):
    """Every distinct search term of every client's names (a lexicon), with its deletion keys.

    Typo-tolerant search looks for near spellings here: tens of thousands of short words,
    not a hundred thousand clients. Words are never removed; a stale word matches nobody.
    """

    word = models.TextField(primary_key=True)

    def __str__(self):
        return self.word

    @staticmethod
    def collect(words) -> None:
        """Add words to the lexicon, with the deletion keys of those not there yet (race-safe:
        of two sessions adding one word, the one whose insert wins adds its keys)."""
        words = sorted({word for word in words if word})
        if not words:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO clients_clientnameword (word) SELECT unnest(%s::text[]) "
                "ON CONFLICT DO NOTHING RETURNING word",
                [words],
            )
            new_words = [row[0] for row in cursor.fetchall()]
            _insert_deletes(cursor, new_words)

    @staticmethod
    def collect_all(using: str = DEFAULT_DB_ALIAS) -> None:
        """Add the terms of every client (after bulk loads that bypass save(), and restores)."""
        with connections[using].cursor() as cursor:
            cursor.execute(
                "INSERT INTO clients_clientnameword (word) SELECT DISTINCT w FROM clients_client, "
                "unnest(name_words) AS w WHERE w <> '' ON CONFLICT DO NOTHING"
            )
            cursor.execute(
                "SELECT word FROM clients_clientnameword w WHERE NOT EXISTS "
                "(SELECT 1 FROM clients_nameworddelete d WHERE d.key = w.word AND d.word = w.word)"
            )
            missing = [row[0] for row in cursor.fetchall()]
            for start in range(0, len(missing), 5000):
                _insert_deletes(cursor, missing[start : start + 5000])

    @classmethod
    def spellings_of(cls, terms: list[str], *, exact: list[str] = ()) -> dict[str, dict[str, int]]:
        """For each typed term, the lexicon words it may stand for, with their closeness
        (clients.search.closeness): itself, words starting with it, nicknames and short forms,
        and spellings within the typos allowed. Words in `exact` only as themselves. One query."""
        keys, key_positions, exact_words, exact_positions = [], [], [], []
        nicknames = {}
        for position, term in enumerate(terms):
            for key in word_deletes(term):
                keys.append(key)
                key_positions.append(position)
            nicknames[position] = nicknames_of(term)
            for name in nicknames[position]:
                exact_words.append(name)
                exact_positions.append(position)
        for position, word in enumerate(exact, start=len(terms)):
            exact_words.append(word)
            exact_positions.append(position)
        found = {term: {} for term in [*terms, *exact]}
        if not found:
            return found
        # A database function (clients/migrations): its plans are kept per connection.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term_position, spelling FROM clients_name_spellings(%s, %s, %s, %s, %s, %s)",
                [terms, MAX_SPELLINGS, keys, key_positions, exact_words, exact_positions],
            )
            rows = cursor.fetchall()
        for position, spelling in rows:
            if position >= len(terms):
                found[exact[position - len(terms)]][spelling] = 0
                continue
            term = terms[position]
            rank = closeness(term, spelling, nickname=spelling in nicknames[position])
            if rank is not None:
                found[term][spelling] = rank
        return found


def _insert_deletes(cursor, words) -> None:
    keys = [(key, word) for word in words for key in word_deletes(word)]
    if keys:
        cursor.execute(
            "INSERT INTO clients_nameworddelete (key, word) SELECT * FROM unnest(%s::text[], %s::text[]) "
            "ON CONFLICT DO NOTHING",
            [[key for key, _ in keys], [word for _, word in keys]],
        )


class NameWordDelete(models.Model):
    """A deletion key of a lexicon word (clients.search.word_deletes): "john" -> jhn, joh, jon, ohn, john.

    A typed word's own keys meet the keys of every name word within the typos allowed."""

    pk = models.CompositePrimaryKey("key", "word")
    key = models.TextField()
    word = models.TextField()

    def __str__(self):
        return f"{self.key} -> {self.word}"
