"""The search-quality benchmark behind `make bench-search` (not a test; not part of CI).

1. A database of its own: BENCH_SEARCH_DATABASE_URL, else DATABASE_URL's name +
   "_search_bench", else "clinic_search_bench" in the embedded PostgreSQL. It is never the
   database of `make bench` (BENCH_DATABASE_URL), because it may be dropped and made again.
2. Migrated, then filled with the seeded clients of bench/search_quality.py (100,000;
   BENCH_SEARCH_CLIENTS to change) through Client.objects.bulk_create. A marker (the
   database's comment) records how the clients were made: the generator's version and seed,
   the count, the Faker version and the migrations. When it differs, the database is dropped
   and built again (a minute or two), so a new migration or generator never measures stale rows.
3. Queries of every kind of mistake (BENCH_SEARCH_QUERIES per kind, 300), run once each as
   the app login; recall@1, recall@10, p50 and p95 per kind. Prints the table and writes
   docs/search-quality.md (hand-written sections "## Findings" and "## History" are kept).
"""

import hashlib
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from bench import search_quality as quality  # noqa: E402
from bench.run import (  # noqa: E402
    bench_database_env,
    machine,
    postgres_version,
    save_report,
    server_environment,
)

CLIENTS = int(os.environ.get("BENCH_SEARCH_CLIENTS", "100000"))
QUERIES_PER_KIND = int(os.environ.get("BENCH_SEARCH_QUERIES", "300"))
MARKER_PREFIX = "make bench-search: "
REPORT = BASE / "docs" / "search-quality.md"


def log(message: str) -> None:
    print(f"[bench-search] {message}", flush=True)


def expected_marker(count: int) -> str:
    """What the database's comment says when it holds exactly the clients this run would make."""
    import faker
    from django.db.migrations.loader import MigrationLoader

    migrations = sorted(f"{app}.{name}" for app, name in MigrationLoader(None).graph.leaf_nodes())
    made = {
        "generator": quality.GENERATOR_VERSION,
        "seed": quality.SEED,
        "clients": count,
        "faker": faker.VERSION,
        "migrations": migrations,
        # The search terms stored with each client are made by this file's rules.
        "search_rules": hashlib.sha256((BASE / "clients" / "search.py").read_bytes()).hexdigest()[:16],
    }
    return MARKER_PREFIX + json.dumps(made, sort_keys=True)


def database_marker() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0] or ""


def set_marker(marker: str) -> None:
    """As the owner login (who owns the database after `migrate` switched to it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"COMMENT ON DATABASE {name} IS %s", [marker])


def clients_table_has_rows() -> bool:
    from django.db import connection

    from clients.models import Client

    return Client._meta.db_table in connection.introspection.table_names() and Client.objects.exists()


def recreate_database() -> None:
    """Drop the benchmark database and create it empty, as the owner login."""
    import psycopg2
    from django.conf import settings
    from django.db import connection

    name = connection.settings_dict["NAME"]
    credentials = {
        "user": settings.DATABASE_OWNER["USER"],
        "password": settings.DATABASE_OWNER["PASSWORD"],
        "host": connection.settings_dict["HOST"],
        "port": connection.settings_dict["PORT"],
    }
    connection.close()
    admin = psycopg2.connect(dbname="postgres", **{key: value for key, value in credentials.items() if value})
    admin.autocommit = True
    quoted = connection.ops.quote_name(name)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    admin.close()


def use_app_login() -> None:
    """Search as the web app does (`migrate` left this process on the owner login)."""
    from django.conf import settings
    from django.db import connection

    connection.close()
    connection.settings_dict.update(settings.DATABASE_APP)


def prepare(people: list) -> tuple[list[int], float | None]:
    """The clients in the benchmark database, made again unless the marker says they are these;
    their ids in the order of `people`, and the seconds making them took (None when reused)."""
    from django.core.management import call_command
    from django.db import connection

    marker = expected_marker(len(people))
    found = database_marker()
    if found == marker:
        call_command("migrate", verbosity=0)
        use_app_login()
        ids = generated_ids(people)
        if ids is not None:
            return ids, None
        log("the clients are not the generated ones (the generator changed, GENERATOR_VERSION did not)")
        found = MARKER_PREFIX + "stale"
    if found.startswith(MARKER_PREFIX):
        log(f"clients made differently before ({found[len(MARKER_PREFIX) :][:100]}...): dropping the database")
        recreate_database()
    elif clients_table_has_rows():
        raise SystemExit(
            f"database {connection.settings_dict['NAME']} has clients but was not made by make bench-search: "
            "refusing to replace them (set BENCH_SEARCH_DATABASE_URL to a database of its own)"
        )
    call_command("migrate", verbosity=0)
    set_marker(MARKER_PREFIX + "building")  # an interrupted build is ours to drop next time
    log(f"creating {len(people):,} clients")
    started = time.monotonic()
    quality.create_clients(people)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics as a long-lived table has them
    built = time.monotonic() - started
    set_marker(marker)
    log(f"created in {built:.0f} s")
    use_app_login()
    ids = generated_ids(people)
    if ids is None:
        raise SystemExit("the clients just made are not the generated ones")
    return ids, built


def generated_ids(people: list) -> list[int] | None:
    """The ids of the clients, in order, when they are exactly `people` by name; else None."""
    from clients.models import Client

    rows = list(Client.objects.order_by("id").values_list("id", "first_name", "last_name"))
    if [(first, last) for _, first, last in rows] != [(person.first_name, person.last_name) for person in people]:
        return None
    return [pk for pk, _, _ in rows]


def main() -> None:
    database = bench_database_env(variable="BENCH_SEARCH_DATABASE_URL", suffix="_search_bench")
    # DEBUG off as in production (DEBUG keeps every query in memory). No record is sealed here,
    # but settings require a seal key when DEBUG is off.
    os.environ.update(server_environment(database))
    os.environ.setdefault("RECORD_SEAL_KEY", "search-bench-only-nothing-is-sealed")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    load = os.getloadavg()  # other work on the machine slows the timings: the report says how busy it was
    started = time.monotonic()
    people = quality.generate_people(CLIENTS)
    log(f"generated {len(people):,} clients in {time.monotonic() - started:.0f} s")
    ids, built = prepare(people)
    queries = quality.generate_queries(people, per_kind=QUERIES_PER_KIND)
    log(f"running {len(queries):,} queries")
    started = time.monotonic()
    outcomes = quality.evaluate(queries, people, ids, progress=lambda done: log(f"{done:,} queries run"))
    log(f"ran them in {time.monotonic() - started:.0f} s")
    rows = quality.summarise(outcomes, people)
    verdicts = quality.verdicts(rows, len(people))
    print()
    print(quality.format_table(rows))
    print()
    for verdict in verdicts:
        print(f"{verdict.target}: {verdict.measured}, {verdict.status}")
    write_report(people, rows, verdicts, built, load)


def data_section(people: list) -> str:
    scripts = Counter(person.script for person in people)
    names = Counter((person.first_name, person.last_name) for person in people)
    shared = sum(count for count in names.values() if count > 1)
    archived = sum(person.archived for person in people)
    preferred = sum(bool(person.preferred_name) for person in people)
    hyphenated = sum("-" in person.first_name or "-" in person.last_name for person in people)
    total = len(people)
    locales = ", ".join(f"{locale} {weight}%" for locale, weight, _ in quality.LOCALES)
    by_script = ", ".join(f"{script} {count / total:.1%}" for script, count in scripts.most_common())
    return f"""{total:,} clients made by `bench/search_quality.py` (seed {quality.SEED}, generator version
{quality.GENERATOR_VERSION}, Faker {__import__("faker").VERSION}) and inserted with `Client.objects.bulk_create`:

- Names from Faker in {len(quality.LOCALES)} locales, weighted: {locales}.
- Scripts: {by_script}.
- {hyphenated:,} with a hyphenated name ({quality.HYPHENATED_SHARE:.0%} of Latin-script clients get a
  double-barrelled family name such as Smith-Jones, some first names are hyphenated already);
  {quality.TWO_FAMILY_NAMES_SHARE:.0%} of Spanish and Portuguese speakers have two family names.
- {preferred:,} with a preferred name (a nickname of the first name); {archived:,} archived.
- {shared:,} clients share their exact first and last name with another client
  ({quality.REPEATED_NAME_SHARE:.0%} take an earlier client's name on purpose; the rest repeat by chance).
- Dates of birth from {quality.BORN_FROM} to {quality.BORN_UNTIL}, phones 555-xxx-xxxx, all seeded."""


def typo_model_section() -> str:
    kinds = "\n".join(
        f"| {kind.label} | {kind.explanation} | {kind.example} |" for kind in quality.KINDS if kind.key != "exact"
    )
    return f"""Each query is made from one client picked at random among those the kind applies to
({QUERIES_PER_KIND} per kind, twice as many for two errors), with one kind of mistake. The base
query is "first last" as stored (one time in {round(1 / quality.LAST_FIRST_SHARE)}: "last first").

| kind | what is typed | example |
|---|---|---|
{kinds}

- Letter-level mistakes (the first four kinds and two errors) hit one word of the query chosen
  at random, and only words of an alphabet typed on a keyboard (Latin, Cyrillic, Greek script)
  of 3 letters or more: never Chinese, Japanese, Korean, Arabic, Hebrew or Devanagari names,
  never "Li" or "Ng". A word is a run of letters ("O'Brien" is "O" and "Brien"). Each query is
  checked to be exactly one edit (two for two errors) away from the word, case ignored.
- Two errors are two letter-level mistakes of random kinds in the same word. The issue's
  target is for names of {quality.TWO_ERROR_MIN_LETTERS} letters or more: those queries have a row of their own.
- "Initial for first name" and "CJK: one part only" give part of the name: when n different
  names fit equally well ("J Smith": James, John and Julia Smith), even a perfect search lists
  the intended one in the first ten only with chance min(1, 10 / n). The table shows that
  expectation next to the target."""


def write_report(people, rows, verdicts, built, load) -> None:
    info = machine()
    verdict_lines = "\n".join(f"| {v.target} | {v.measured} | {v.status} |" for v in verdicts)
    seeded = f", made by this run in {built:.0f} s" if built else ", made by an earlier run"
    met = sum(verdict.met for verdict in verdicts)
    report = f"""# Client search quality

Measured by `make bench-search` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC (issue #14). The benchmark is
not part of CI; `clients/tests/test_search_quality.py` runs the same model on 1,000 clients.

## Machine

- CPU: {info["cpu"]}, {info["cores"]} cores
- Memory: {info["memory"]}
- OS: {info["os"]}
- Python {info["python"]}, PostgreSQL {postgres_version()}
- Load average when the run started: {", ".join(f"{value:.2f}" for value in load)}

## Data

{data_section(people)}

The clients are in a database of their own{seeded}.

## Typo model

{typo_model_section()}

## What counts as found

A query finds its client when the intended client, or a client with exactly the same first and
last name, is among the results: the desk tells identical names apart by the date of birth and
phone every result row shows. Recall@1: found first; recall@10: found on the first page of 10.
Each query is searched as the desk does: among active clients (the list's default), or with the
Archived filter when the intended client is archived.

## Timing

Each query runs once, as the app login, timed with `time.perf_counter()` around
`list(Client.objects.search(q).values_list("id", "first_name", "last_name")[:10])`: building
the queryset and every database round trip, in one process on the database's machine, after
{quality.WARM_UP} warm-up searches. p50 and p95 are nearest-rank percentiles.

## Results

{quality.format_table(rows)}

## Targets

| target | measured | |
|---|---:|---|
{verdict_lines}

**{met} of {len(verdicts)} targets met.**

## Command

```sh
make bench-search
# which runs: .venv/bin/python bench/search_run.py
# BENCH_SEARCH_CLIENTS={CLIENTS} BENCH_SEARCH_QUERIES={QUERIES_PER_KIND}
```
"""
    save_report(REPORT, report)
    log(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
