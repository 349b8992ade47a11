"""Synthetic data at clinic scale for benchmarks: `manage.py seed_scale`.

Rows stream into PostgreSQL with COPY in large batches. Generated columns (the
search name, phone digits) are computed by PostgreSQL as rows arrive. With a
superuser connection, triggers (audit history, signed-note guards) are switched
off for the seeding session only: the data is synthetic, and the signatures are
computed here exactly as signing computes them.
"""

import csv
import io
import itertools
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.roles import THERAPIST
from bodymap.regions import REGIONS
from clients.models import NAME_FIELDS, Client, ClientNameWord
from sessions import seals
from sessions.models import SessionNote
from sessions.vocabulary import DEFAULT_TECHNIQUES

User = get_user_model()  # the staff user (clinic.User); apps do not import the project package

FIRST_NAMES = [
    "Zoë",
    "Chloé",
    "José",
    "Siobhán",
    "Björn",
    "Renée",
    "Anaïs",
    "Mary-Kate",
    "Jean-Luc",
    "Łukasz",
    "Zoe",
    "John",
    "Emily",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Mateo",
    "Priya",
    "Aiko",
    "Fatima",
    "Ahmed",
    "Grace",
    "Lucas",
    "Hannah",
    "Sofía",
    "Nikolai",
    "Ingrid",
    "Dmitri",
    "Amélie",
    "Søren",
    "Ève",
    "Óscar",
    "Núria",
    "Kofi",
    "Amara",
    "Yuki",
    "Wei",
    "Mei",
    "Arjun",
    "Leila",
    "Omar",
    "Ines",
    "Tomás",
    "Clara",
    "Hugo",
    "Elena",
    "Marta",
    "Pedro",
    "Sara",
    "David",
]
LAST_NAMES = [
    "O'Connor",
    "O'Brien",
    "García-López",
    "Dubois",
    "Müller",
    "Lindqvist",
    "Nguyen",
    "Smith",
    "Smyth",
    "Johnson",
    "Martin",
    "Rossi",
    "Silva",
    "Tanaka",
    "Okafor",
    "Haddad",
    "Raman",
    "Schmidt",
    "Williams",
    "Brown",
    "D'Angelo",
    "Van der Berg",
    "MacDonald",
    "St. John",
    "Łukasiewicz",
    "Ødegaard",
    "Núñez",
    "Gonçalves",
    "Kowalski",
    "Petrov",
    "Fernández",
    "Moreau",
    "Lefèvre",
    "Bianchi",
    "Jensen",
    "Nakamura",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Singh",
    "Patel",
    "Cohen",
    "Levi",
    "Ahmed",
    "Hassan",
    "Novak",
    "Horvath",
    "Popescu",
    "Ivanova",
    "Andersson",
    "Nielsen",
]
# Many more names than the lists above, as in a real city: built from parts, each rarer
# than the listed names (which are drawn half the time, the first ones most often).
SURNAME_ROOTS = [
    "Ander", "Berg", "Carl", "Dal", "Eck", "Fisch", "Gold", "Hart", "Holm", "Kauf",
    "Lind", "Mar", "Nord", "Ost", "Rich", "Rosen", "Schn", "Stein", "Wein", "Wolf",
    "Abr", "Bel", "Cas", "Del", "Fer", "Gal", "Mor", "Pal", "Ros", "San",
    "Val", "Ber", "Tor", "Kov", "Nov", "Pet", "Mil", "Yam", "Hay", "Brad",
]  # fmt: skip
SURNAME_ENDINGS = [
    "son", "sen", "berg", "man", "mann", "ström", "ez", "es", "ini", "elli",
    "ov", "ova", "ski", "ska", "enko", "ian", "yan", "ard", "ley", "ton",
    "field", "ford", "wood", "er", "ers", "quist", "dahl", "moto", "oka", "ić",
]  # fmt: skip
FIRST_ROOTS = [
    "Al", "Be", "Ca", "Da", "El", "Fa", "Ga", "Ha", "Is", "Ja", "Ka",
    "La", "Ma", "Na", "Ol", "Pa", "Ra", "Sa", "Ta", "Va", "Ya", "Za",
]  # fmt: skip
FIRST_ENDINGS = ["ra", "na", "lia", "ren", "rin", "ton", "vin", "mir", "dan", "son", "ela", "ina", "iko", "ya", "lo"]
PHONE_FORMATS = ["{a}-{b}-{c}", "({a}) {b}-{c}", "{a}.{b}.{c}", "{a}{b}{c}", "+1 {a} {b} {c}", "{a} {b} {c}"]
UPDATES = [
    "Felt looser for a few days.",
    "Busy week, tension came back.",
    "Better mornings.",
    "Sore after a long drive.",
    "Sleeping better.",
    "Training for a race.",
    "Headaches less often.",
    "New desk set-up helps.",
]
RESPONSES = [
    "Knots softened faster than last time.",
    "Tight bands released after 10 minutes.",
    "Less guarding on the right.",
    "Tissue warm and pliable.",
    "Trigger points in upper traps, referred pain.",
]
PRESSURES = ["light", "moderate", "firm", "deep"]


@dataclass
class Progress:
    """A plain progress bar on stderr (no dependency, works in any terminal or log)."""

    label: str
    total: int
    done: int = 0
    started: float = 0.0

    def __post_init__(self):
        self.started = time.monotonic()
        self._shown = -1

    def advance(self, count: int) -> None:
        self.done += count
        percent = int(100 * self.done / max(self.total, 1))
        if percent != self._shown:
            self._shown = percent
            filled = percent // 4
            elapsed = time.monotonic() - self.started
            sys.stderr.write(f"\r{self.label:<12} [{'#' * filled}{'.' * (25 - filled)}] {percent:3d}% {elapsed:6.1f}s")
            sys.stderr.flush()
        if self.done >= self.total:
            sys.stderr.write("\n")


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    # CSV for PostgreSQL's COPY, never opened in a spreadsheet: the values go in as they are
    # (archive/csvsafe.py neutralises formulas in the CSV files people open).
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if value is None else value for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(statement, buffer)
        else:  # psycopg 3 (Django's driver when both are installed)
            with raw.copy(statement) as copy:
                copy.write(buffer.getvalue())


def _pg_array(values) -> str:
    """A text[] as COPY reads it: {"a","b"} with quotes and backslashes escaped."""
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _phone(rng: random.Random, n: int) -> str:
    a, b, c = f"{555 + n % 400:03d}", f"{(n // 400) % 1000:03d}", f"{rng.randrange(10000):04d}"
    return rng.choice(PHONE_FORMATS).format(a=a, b=b, c=c)


def _visit_counts(rng: random.Random, clients: int, visits: int) -> list[int]:
    """Visits per client, adding up to `visits`: about 1 client in 100 has 300–400 visits
    (long-term maintenance), the rest share what is left at random."""
    counts = [0] * clients
    heavy = clients // 100
    while heavy and heavy * 400 * 2 > visits:
        heavy //= 2
    for i in rng.sample(range(clients), heavy):
        counts[i] = rng.randint(300, 400)
    light = [i for i in range(clients) if counts[i] == 0] or list(range(clients))
    for _ in range(visits - sum(counts)):
        counts[light[rng.randrange(len(light))]] += 1
    return counts


# What seed() writes with triggers off (history, the signed-record locks, the name lexicon).
SEEDED_TABLES = (
    "clients_client",
    "visits_sessionnote",
    "visits_notearea",
    "visits_recordseal",
    "visits_recordchain",
    "visits_appointment",
)


def seed(*, clients: int, visits: int, seed: int = 1, therapists: int = 8, batch: int = 20000, day: date | None = None):
    """Fill the database; returns a dict of row counts. Deterministic for a given seed."""
    rng = random.Random(seed)
    counts = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = cursor.fetchone()[0]
            if superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers while seeding
            else:  # the tables' owner: its own triggers off (foreign keys stay checked: slower)
                for table in SEEDED_TABLES:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute("SET LOCAL synchronous_commit = off")

        staff = _therapists(therapists)
        counts["therapists"] = len(staff)
        first_client_id = _next_id("clients_client")
        _seed_clients(rng, first_client_id, clients, batch)
        ClientNameWord.collect_all()  # the lexicon trigger is off while seeding
        counts["clients"] = clients
        counts["notes"], counts["areas"] = _seed_notes(rng, first_client_id, clients, visits, staff, batch)
        counts["appointments"] = _seed_day(rng, first_client_id, clients, staff, day or timezone.localdate())
        with connection.cursor() as cursor:  # what the appointments trigger keeps (it is off while seeding)
            cursor.execute(
                "UPDATE clients_client c SET last_visit_at = latest.starts_at FROM (SELECT client_id, "
                "max(starts_at) AS starts_at FROM visits_appointment WHERE status <> 'cancelled' "
                "GROUP BY client_id) AS latest WHERE c.id = latest.client_id"
            )
        with connection.cursor() as cursor:  # triggers back on for whatever follows in an outer transaction
            if superuser:
                cursor.execute("SET LOCAL session_replication_role = origin")
            else:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the foreign keys now: ALTER waits for none
                for table in SEEDED_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # VACUUM merges the GIN indexes' pending lists (COPY fills them; every search would scan
    # them until autovacuum comes by) and marks pages all-visible for index-only scans.
    # Inside a transaction (tests) only ANALYZE is possible.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in (
            "clients_client",
            "clients_clientnameword",
            "clients_nameworddelete",
            "visits_sessionnote",
            "visits_notearea",
            "visits_appointment",
        ):
            cursor.execute(f"{command} {table}")
    return counts


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cursor.fetchone()[0]


def _therapists(count: int) -> list[int]:
    group = Group.objects.get(name=THERAPIST)
    ids = []
    for n in range(1, count + 1):
        user, created = User.objects.get_or_create(
            username=f"bench-therapist-{n}", defaults={"first_name": "Therapist", "last_name": f"No. {n}"}
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(group)
        ids.append(user.pk)
    return ids


class NamePicker:
    """Names as a city has them: a few very common ones (Zipf-like weights) and a long tail."""

    def __init__(self, rng: random.Random, common: list[str], roots: list[str], endings: list[str]):
        self.rng = rng
        self.common = common
        self.common_weights = list(itertools.accumulate(rank**-0.5 for rank in range(1, len(common) + 1)))
        self.tail = [root + ending for root in roots for ending in endings]

    def __call__(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choices(self.common, cum_weights=self.common_weights)[0]
        return self.rng.choice(self.tail)


def _seed_clients(rng: random.Random, first_id: int, total: int, batch: int) -> None:
    """Clients with ids first_id, first_id + 1, ... (the notes refer to them by number)."""
    progress = Progress("clients", total)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    first_name = NamePicker(rng, FIRST_NAMES, FIRST_ROOTS, FIRST_ENDINGS)
    last_name = NamePicker(rng, LAST_NAMES, SURNAME_ROOTS, SURNAME_ENDINGS)
    for n in range(total):
        first, last = first_name(), last_name()
        if n % 40 == 0:  # double-barrelled
            last = f"{last}-{last_name()}"
        created = now - timedelta(days=rng.randrange(3650), seconds=rng.randrange(86400))
        profile = dict.fromkeys(Client.PROFILE_FIELDS, "")
        profile |= {
            "first_name": first,
            "last_name": last,
            "preferred_name": rng.choice(["", "", "", first[:3]]),
            "date_of_birth": date(1940, 1, 1) + timedelta(days=rng.randrange(24000)),
            "phone": _phone(rng, n),
            "email": f"{first.lower()}.{n}@example.com".replace("'", ""),
            "preferred_pressure": rng.choice(PRESSURES + [""]),
        }
        searchable = Client(**{field: profile[field] for field in NAME_FIELDS})
        searchable.fill_search_fields()
        row = {
            "id": first_id + n,
            **profile,
            "search_name": searchable.search_name,
            "name_words": _pg_array(searchable.name_words),
            "status": "archived" if n % 50 == 0 else "active",
            "created_at": created,
            "updated_at": created,
        }
        columns = list(row)  # the same keys, in the same order, for every client
        rows.append(tuple(row.values()))
        if len(rows) >= batch:
            _copy("clients_client", columns, rows)
            progress.advance(len(rows))
            rows = []
    if rows:
        _copy("clients_client", columns, rows)
        progress.advance(len(rows))
    with connection.cursor() as cursor:  # COPY with ids leaves the sequence behind
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('clients_client', 'id'), %s)", [max(first_id + total - 1, 1)]
        )


def _seed_notes(rng, first_client_id, clients, visits, staff, batch) -> tuple[int, int]:
    area_columns = ["note_id", "region", "side", "pain", "pressure", "techniques"]
    # Every signed note is sealed in its client's chain, as signing does (sessions/seals.py).
    seal_columns = ["client_id", "position", "kind", "note_id", "content_hash", "previous", "seal", "sealed_at"]
    chain_columns = ["client_id", "length", "last_seal", "mac"]
    note_id = _next_id("visits_sessionnote")
    progress = Progress("visits", visits)
    notes, areas, note_seals, chains, area_total = [], [], [], [], 0
    today = date(2026, 11, 1)
    for offset, count in enumerate(_visit_counts(rng, clients, visits)):
        if not count:
            continue
        client_id = first_client_id + offset
        therapist = rng.choice(staff)
        interval = rng.choice([7, 14, 21, 28])
        start = today - timedelta(days=interval * count + rng.randrange(60))
        regions = rng.sample(REGIONS, 3)
        previous_seal = ""
        for visit in range(count):
            day = start + timedelta(days=visit * interval)
            trend = visit / max(count - 1, 1)
            pressure = rng.choice(PRESSURES)
            techniques = rng.sample(DEFAULT_TECHNIQUES, 2)
            values = {
                "client_id": client_id,
                "therapist_id": therapist,
                "visit_date": day,
                "update_since_last": rng.choice(UPDATES),
                "health_changed": False,
                "pain_before": max(1, round(7 - 4 * trend) + rng.choice([-1, 0, 1])),
                "pain_after": max(0, round(4 - 3 * trend) + rng.choice([-1, 0])),
                "techniques": techniques,
                "pressure": pressure,
                "client_feedback": "Pressure just right.",
                "tissue_response": rng.choice(RESPONSES),
                "home_care_stretches": "Neck and shoulder stretches daily.",
                "home_care_strengthening": "",
                "home_care_posture": "Screen at eye level.",
                "next_visit_date": None,
                "next_visit_interval_days": interval,
                "duration_minutes": 60,
            }
            note_areas = [
                {
                    "region": r.code,
                    "side": "both" if r.paired else "center",
                    "pain": max(0, round(6 - 4 * trend)),
                    "pressure": pressure,
                    "techniques": techniques,
                }
                for r in regions[: 1 + visit % 3]
            ]
            signed_at = datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC)
            content_hash = SessionNote.hash_of(
                SessionNote.canonical_content(values, note_areas), signed_at=signed_at, signed_by_id=therapist
            )
            row = {
                "id": note_id,
                "client_id": client_id,
                "therapist_id": therapist,
                **{field: values[field] for field in SessionNote.WRITTEN_FIELDS},
                "techniques": _pg_array(techniques),
                "created_at": signed_at,
                "updated_at": signed_at,
                "version": 1,
                "signed_at": signed_at,
                "signed_by_id": therapist,
                "content_hash": content_hash,
            }
            note_columns = list(row)  # the same keys, in the same order, for every note
            notes.append(tuple(row.values()))
            areas.extend(
                (note_id, a["region"], a["side"], a["pain"], pressure, _pg_array(techniques)) for a in note_areas
            )
            payload = seals.seal_payload(
                client_id=client_id,
                position=visit + 1,
                kind="note",
                record_id=note_id,
                content_hash=content_hash,
                previous=previous_seal,
            )
            seal = seals.make_mac(payload)
            note_seals.append((client_id, visit + 1, "note", note_id, content_hash, previous_seal, seal, signed_at))
            previous_seal = seal
            note_id += 1
            if len(notes) >= batch:
                _copy("visits_sessionnote", note_columns, notes)
                _copy("visits_notearea", area_columns, areas)
                _copy("visits_recordseal", seal_columns, note_seals)
                progress.advance(len(notes))
                area_total += len(areas)
                notes, areas, note_seals = [], [], []
        mac = seals.make_mac(seals.chain_payload(client_id=client_id, length=count, last_seal=previous_seal))
        chains.append((client_id, count, previous_seal, mac))
    if notes:
        _copy("visits_sessionnote", note_columns, notes)
        _copy("visits_notearea", area_columns, areas)
        _copy("visits_recordseal", seal_columns, note_seals)
        progress.advance(len(notes))
        area_total += len(areas)
    _copy("visits_recordchain", chain_columns, chains)
    with connection.cursor() as cursor:
        for table in ("visits_sessionnote", "visits_notearea", "visits_recordseal"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    return visits, area_total


def _seed_day(rng, first_client_id, clients, staff, day: date) -> int:
    """Every therapist fully booked on `day` (the day view's worst case), 30-minute visits 8:00–18:00."""
    from scheduling.models import Appointment, Service
    from timekeeping.timeutil import local_datetime

    service, _ = Service.objects.get_or_create(
        name="Massage, 30 minutes", defaults={"duration_minutes": 30, "fee": "55.00", "position": 1}
    )
    # A client is in one visit at a time (the database refuses overlaps): distinct clients per slot.
    slot_clients = [rng.sample(range(clients), min(len(staff), clients)) for _ in range(20)]
    rows = []
    for column, therapist in enumerate(staff):
        for slot in range(20):
            if column >= len(slot_clients[slot]):
                continue  # fewer clients than therapists: some slots stay free
            start = local_datetime(day, (datetime.min + timedelta(hours=8, minutes=30 * slot)).time())
            rows.append(
                Appointment(
                    client_id=first_client_id + slot_clients[slot][column],
                    therapist_id=therapist,
                    service=service,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=30),
                    fee=service.fee,
                )
            )
    Appointment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
