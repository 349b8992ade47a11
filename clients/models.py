from collections import defaultdict
from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, models
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.urls import reverse

from clients.search import (
    TRIGRAM_SIMILARITY_THRESHOLD,
    digits,
    digits_expression,
    fold,
    folded_expression,
    name_words,
    name_words_expression,
    trigram_similarity,
)

MAX_SPELLINGS = 500  # name words one query word may stand for ("j" -> john, jose, jean-luc...)
MAX_QUERY_WORDS = 5
# A letter or two is listed alphabetically (what the desk expects), longer queries by rank.
RANKED_FROM_LETTERS = 3
CLOSE_SPELLING = 0.5  # trigram similarity of a "close" spelling: smyth ~ smith, jon ~ john


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

    def search(self, query: str):
        """Clients matching a front-desk query, best match first.

        - an email address (contains "@"): email contains the text;
        - mostly digits (3 or more): phone contains those digits, whatever the format;
        - otherwise names: every word of the query must start, or be a near spelling of,
          a word of the first, last or preferred name (case, accents, apostrophes and
          hyphens ignored); when that finds nobody, the whole query may be similar to the
          whole name ("jhon smith").
        Every branch goes through an index (trigram GIN, or the GIN index of name words).
        """
        # PostgreSQL refuses NUL in any string: a pasted or crafted "\x00" would be a 500.
        query = (query or "").replace("\x00", "").strip()
        if not query:
            return self.none()
        if "@" in query:
            return self.filter(email__icontains=query).order_by("last_name", "first_name", "id")
        query_digits = digits(query)
        if len(query_digits) >= 3 and len(query_digits) >= len(query.replace(" ", "")) // 2:
            condition = Q(phone_digits__contains=query_digits)
            if len(query_digits) > 10:  # "+1 555 010 2000" also finds "555-010-2000"
                condition |= Q(phone_digits__contains=query_digits[-10:])
            return self.filter(condition).order_by("last_name", "first_name", "id")
        folded = fold(query)
        words = name_words(query)[:MAX_QUERY_WORDS]
        spellings = ClientNameWord.spellings_of(words)
        if words and all(spellings):
            matches = self
            for word_spellings in spellings:
                matches = matches.filter(name_words__overlap=_word_array(word_spellings))
            if not is_ranked_search(query):
                return matches.order_by("last_name", "first_name", "id")
            return matches.annotate(rank=_closeness(spellings)).order_by("rank", "last_name", "first_name", "id")
        # A word no name resembles: whole-name similarity still catches swapped letters ("jhon smith").
        return (
            self.filter(search_name__trigram_similar=folded)
            .annotate(rank=TrigramSimilarity("search_name", Value(folded)))
            .order_by("-rank", "last_name", "first_name", "id")
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


# Output fields built once: a search builds many expressions, and Django builds a field
# for each value whose type it is not told (each word of a list, each number).
_WORD_ARRAY = ArrayField(models.TextField())
_INTEGER = models.IntegerField()


def _word_array(words) -> Value:
    """The words as ONE array parameter (a plain list would become one parameter per word)."""
    return Value(list(words), output_field=_WORD_ARRAY)


def _like_prefix(word: str) -> str:
    """A LIKE pattern for words starting with `word` (its own % and _ taken literally)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _closeness(spellings: list[dict[str, int]]) -> RawSQL:
    """How far a client's names are from the query: for each query word, 0 when a name word
    is that word, 1 when one starts with it, 2 for a close spelling, 3 for a distant one.
    Plain array tests on the row, so ranking thousands of matches costs next to nothing.
    Written as SQL: the equivalent Case/When expressions took longer to build than to run."""
    terms, params = [], []
    for word_spellings in spellings:
        by_distance = defaultdict(list)
        for spelling, distance in word_spellings.items():
            by_distance[distance].append(spelling)
        whens = []
        for distance in sorted(d for d in by_distance if d < 3):  # 3 is the ELSE
            whens.append(f"WHEN {Client._meta.db_table}.name_words && %s::text[] THEN {int(distance)}")
            params.append(by_distance[distance])
        terms.append(f"(CASE {' '.join(whens)} ELSE 3 END)" if whens else "3")
    return RawSQL(" + ".join(terms), params, output_field=_INTEGER)


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
    date_of_birth = models.DateField()
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
    # Lower-case, accent-free names for search, kept by PostgreSQL (see clients/search.py).
    search_name = models.GeneratedField(
        expression=folded_expression("first_name", "last_name", "preferred_name"),
        output_field=models.TextField(),
        db_persist=True,
    )
    # The same names as separate words ("garcia", "lopez", "obrien"), for the word index.
    name_words = models.GeneratedField(
        expression=name_words_expression("first_name", "last_name", "preferred_name"),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )
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
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="client_search_name_trgm"),
            GinIndex(fields=["name_words"], name="client_name_words"),
            GinIndex(OpClass("phone_digits", name="gin_trgm_ops"), name="client_phone_digits_trgm"),
            GinIndex(OpClass(Upper("email"), name="gin_trgm_ops"), name="client_email_trgm"),
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

    def get_absolute_url(self):
        return reverse("clients:detail", args=[self.pk])

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

    def age(self, on: date | None = None) -> int:
        on = on or date.today()
        dob = self.date_of_birth
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
    """Every distinct word of every client's names (a lexicon), kept by a database trigger.

    Typo-tolerant search looks for near spellings here: a few thousand short words,
    not a hundred thousand clients. Words are never removed; a stale word matches nobody.
    """

    word = models.TextField(primary_key=True)

    class Meta:
        # Prefix lookups (word LIKE 'smi%') use the primary key's own pattern index.
        indexes = [GinIndex(OpClass("word", name="gin_trgm_ops"), name="nameword_trgm")]

    def __str__(self):
        return self.word

    @classmethod
    def spellings_of(cls, words: list[str]) -> list[dict[str, int]]:
        """For each query word, the name words it may stand for, with their distance (see
        _closeness): those starting with it, and near spellings when it has 3 letters or
        more. One query for all the words."""
        if not words:
            return []
        # A database function (clients/migrations/0007): its plans are kept per connection.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word_position, spelling FROM clients_name_spellings(%s, %s, %s)",
                [words, [_like_prefix(word) for word in words], MAX_SPELLINGS],
            )
            rows = cursor.fetchall()
        found = [{} for _ in words]
        for position, spelling in rows:
            word = words[position]
            if spelling == word:
                distance = 0
            elif spelling.startswith(word):
                distance = 1
            else:
                distance = 2 if trigram_similarity(spelling, word) >= CLOSE_SPELLING else 3
            found[position][spelling] = distance
        return found

    @staticmethod
    def collect_all() -> None:
        """Add the words of every client (after bulk loads that bypass triggers)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO clients_clientnameword (word) SELECT DISTINCT w FROM clients_client, "
                "unnest(name_words) AS w WHERE w <> '' ON CONFLICT DO NOTHING"
            )
