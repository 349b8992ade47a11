"""The online-booking benchmark behind `make bench-booking` (not a test; not part of CI).

Eight therapists working Monday to Saturday with a lunch break, a year of visits around today
(six months back, six ahead, most working hours booked), time off here and there; then the
free times of all eight over 30 days, as the public booking page asks for "anyone", computed
again and again: p50 and p95 against the issue's target (50 ms p95). The figures go into
docs/performance.md (section "Online booking").

Database: BENCH_BOOKING_DATABASE_URL, else DATABASE_URL's name + "_booking_bench", else
"clinic_booking_bench" in the embedded PostgreSQL; dropped and made again on every run.
"""

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from bench.run import bench_database_env, machine, postgres_version, server_environment  # noqa: E402

THERAPISTS = 8
DAYS = 30
RUNS = int(os.environ.get("BENCH_BOOKING_RUNS", "300"))
TARGET_MS = 50
SEED = 16
REPORT = BASE / "docs" / "performance.md"
SECTION = "## Online booking"


def log(message: str) -> None:
    print(f"[bench-booking] {message}", flush=True)


def seed(rng: random.Random) -> tuple:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.roles import THERAPIST
    from booking.models import BookingRules, TimeOff
    from clients.models import Client
    from scheduling.models import Appointment, Service, WorkingHours
    from timekeeping.timeutil import local_datetime, today

    group, _ = Group.objects.get_or_create(name=THERAPIST)
    therapists = []
    for n in range(THERAPISTS):
        user = get_user_model().objects.create(username=f"therapist{n}", first_name=f"T{n}", last_name="Bench")
        user.groups.add(group)
        therapists.append(user)
        for weekday in range(6):
            WorkingHours.objects.create(therapist=user, weekday=weekday, starts=clock(9), ends=clock(12, 30))
            WorkingHours.objects.create(therapist=user, weekday=weekday, starts=clock(13, 30), ends=clock(18))
    service = Service.objects.create(name="Massage 60", duration_minutes=60, fee=100)
    clients = Client.objects.bulk_create(
        [
            Client(first_name=f"Client{n}", last_name="Bench", date_of_birth=datetime(1980, 1, 1).date())
            for n in range(3000)
        ]
    )
    visits = []
    start_day = today() - timedelta(days=182)
    for offset in range(365):
        day = start_day + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for index, therapist in enumerate(therapists):
            for hour in (9, 10, 11, 14, 15, 16, 17):
                if rng.random() < 0.7:  # most of the day booked: the free times are the gaps
                    starts = local_datetime(day, clock(hour))
                    client = clients[(offset * 97 + index * 13 + hour) % len(clients)]
                    visits.append(
                        Appointment(
                            client=client,
                            therapist=therapist,
                            service=service,
                            starts_at=starts,
                            ends_at=starts + timedelta(minutes=60),
                            fee=100,
                            status=rng.choice(["completed"] * 8 + ["cancelled", "no_show"])
                            if day < today()
                            else "booked",
                        )
                    )
    # One client per hour at most: two therapists' visits of the same hour never share a client.
    Appointment.objects.bulk_create(visits, batch_size=2000)
    for therapist in therapists[:3]:
        first = today() + timedelta(days=rng.randrange(1, 25))
        TimeOff.objects.create(
            therapist=therapist,
            starts_at=local_datetime(first, clock(0)),
            ends_at=local_datetime(first + timedelta(days=2), clock(0)),
            note="Holiday",
        )
    rules = BookingRules.current()
    rules.enabled = True
    rules.save()
    rules.services.add(service)
    rules.therapists.add(*therapists)
    return service, [t.pk for t in therapists], rules, len(visits)


def write_report(p50: float, p95: float, visits: int, slots: int, load: tuple) -> str:
    verdict = "met" if p95 < TARGET_MS else "MISSED"
    info = machine()
    section = f"""{SECTION}

Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench-booking` (bench/booking_run.py) on
{info["cpu"]} ({os.cpu_count()} cores), PostgreSQL {postgres_version()}, load average before the run
{load[0]:.2f}. Eight therapists (Monday to Saturday, two blocks a day), {visits:,} visits over a
year around today (70% of the hours booked), some time off; the free times of all eight over
{DAYS} days for a 60-minute service, as the booking page asks for "anyone" ({slots:,} times
offered), computed {RUNS} times in the web app's process (three queries each).

| p50 | p95 | target |
|---|---|---|
| {p50:.1f} ms | {p95:.1f} ms | p95 under {TARGET_MS} ms: **{verdict}** |
"""
    previous = REPORT.read_text()
    if SECTION in previous:
        start = previous.index(SECTION)
        following = previous.find("\n## ", start + len(SECTION))
        previous = previous[:start] + section.rstrip() + "\n" + (previous[following:] if following != -1 else "")
    else:
        at = previous.find("\n## Findings")
        previous = previous[:at] + "\n" + section + previous[at:] if at != -1 else previous + "\n" + section
    REPORT.write_text(previous)
    return verdict


def main() -> None:
    database = bench_database_env(variable="BENCH_BOOKING_DATABASE_URL", suffix="_booking_bench")
    os.environ.update(server_environment(database))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    from django.utils import timezone

    from bench.import_run import recreate_and_migrate
    from booking.availability import available_slots

    load = os.getloadavg()
    recreate_and_migrate()
    rng = random.Random(SEED)
    started = time.monotonic()
    service, therapist_ids, rules, visits = seed(rng)
    log(f"seeded {visits:,} visits in {time.monotonic() - started:.0f} s")
    first_day = timezone.localdate()
    timings, slots = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        found = available_slots(
            service=service, therapist_ids=therapist_ids, first_day=first_day, days=DAYS, rules=rules
        )
        timings.append((time.perf_counter() - started) * 1000)
        slots = sum(len(day) for day in found.values())
    timings.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
    verdict = write_report(p50, p95, visits, slots, load)
    log(f"{slots} times offered; p50 {p50:.1f} ms, p95 {p95:.1f} ms ({verdict}; target {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
