"""The benchmark behind `make bench` (not a test; not part of CI).

1. A separate benchmark database: BENCH_DATABASE_URL, else DATABASE_URL's name + "_bench",
   else "clinic_bench" in the embedded PostgreSQL. Seeded once with
   `seed_scale --clients 100000 --visits 1000000 --seed 1` when it has no clients.
2. gunicorn, 2 workers, DEBUG off, on 127.0.0.1.
3. Signs in, then drives each page with wrk (Debian package) and reports requests per
   second, p50 / p95 / p99 latency, throughput relative to /healthz, and the peak memory
   of each worker. Writes docs/performance.md.
"""

import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DURATION = int(os.environ.get("BENCH_SECONDS", "15"))
# As many connections as workers: each request is measured being served, not queueing
# behind others in the socket backlog (2 sync workers serve 2 requests at a time).
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "2"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "100000"))
VISITS = int(os.environ.get("BENCH_VISITS", "1000000"))
USERNAME, PASSWORD = "bench-user", "bench-password-not-secret"
KEPT_SECTIONS = ("## Findings", "## History")
TARGETS = {"search_p95_ms": 15, "search_ratio": 0.35, "chart_p95_ms": 60, "worker_mb": 150}


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def bench_database_env(*, variable: str = "BENCH_DATABASE_URL", suffix: str = "_bench") -> dict:
    """DATABASE_URL for a benchmark database, or the embedded database's name: the URL in
    `variable`, else DATABASE_URL's database name + `suffix`, else "clinic" + `suffix` in the
    embedded PostgreSQL. (bench/search_run.py has a database of its own: another suffix.)"""
    if os.environ.get(variable):
        url = os.environ[variable]
    elif os.environ.get("DATABASE_URL"):
        parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'clinic'}{suffix}"))
    else:
        return {"EMBEDDED_DATABASE_NAME": f"clinic{suffix}"}  # settings start the embedded server
    ensure_database(url)
    return {"DATABASE_URL": url}


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            log(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def prepare(database: dict) -> dict:
    """Migrate, seed when empty, collect static files, create the bench user; return targets to hit."""
    os.environ.update(server_environment(database))
    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db.models import Count

    from accounts.roles import THERAPIST
    from clients.models import Client
    from clinic.models import User
    from scheduling.models import Appointment
    from sessions.models import SessionNote
    from timekeeping.timeutil import local

    call_command("migrate", verbosity=0)
    seeded = None
    if not Client.objects.exists():
        log(f"seeding {CLIENTS} clients and {VISITS} visits (once; minutes)")
        started = time.monotonic()
        call_command("seed_scale", clients=CLIENTS, visits=VISITS, seed=1)
        seeded = time.monotonic() - started
        log(f"seeded in {seeded:.0f} s")
    call_command("collectstatic", verbosity=0, interactive=False)
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"first_name": "Bench"})
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(Group.objects.get(name=THERAPIST))

    heavy = SessionNote.objects.values("client_id").annotate(n=Count("id")).order_by("-n").first()
    # A real client's name as typed in a hurry: first name, last name with a letter missing.
    someone = Client.objects.filter(last_name__regex=r"^[A-Za-z]{6,}$", first_name__regex=r"^[A-Za-z]{3,}$").first()
    last = someone.last_name.lower() if someone else "smith"
    misspelled = f"{someone.first_name.lower() if someone else 'jon'} {last[:2]}{last[3:]}"
    sample = Client.objects.filter(pk=heavy["client_id"]).first()
    digits = sample.phone_digits[-7:] if sample else "0102000"
    partial_phone = f"{digits[:3]}-{digits[3:5]}"
    first_visit = Appointment.objects.order_by("starts_at").first()
    day = local(first_visit.starts_at).date().isoformat() if first_visit else None
    return {
        "client_id": heavy["client_id"],
        "client_visits": heavy["n"],
        "misspelled": misspelled,
        "partial_phone": partial_phone,
        "day": day,
        "seeded_seconds": seeded,
        "counts": {
            "clients": Client.objects.count(),
            "visits": SessionNote.objects.count(),
            "appointments on the day": Appointment.objects.count(),
        },
    }


def server_environment(database: dict) -> dict:
    return {
        **database,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # The seeded notes are sealed with this key, and the server checks them with it.
        "RECORD_SEAL_KEY": os.environ.get("BENCH_RECORD_SEAL_KEY", "bench-only-record-seal-key-not-secret"),
    }


def start_gunicorn(env: dict) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "clinic.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"],
        cwd=BASE,
        env={**os.environ, **env},
        start_new_session=True,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not start")


def sign_in() -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"http://127.0.0.1:{PORT}/accounts/login/"
    page = opener.open(login).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(login, data=data.encode(), headers={"Referer": login})
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit("could not sign in as the bench user")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def wrk(path: str, cookie: str, headers: dict | None = None) -> dict:
    command = [
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{DURATION}s",
        "--timeout",
        "5s",
        "-s",
        str(BASE / "bench" / "report.lua"),
        "-H",
        f"Cookie: {cookie}",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("{"))
    return json.loads(line)


def worker_peaks_mb(master: subprocess.Popen) -> list[float]:
    import psutil

    peaks = []
    for child in psutil.Process(master.pid).children():
        status = Path(f"/proc/{child.pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        peaks.append(round(int(match.group(1)) / 1024, 1) if match else child.memory_info().rss / 2**20)
    return peaks


def machine() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        memory = f"{int(found.group(1)) / 2**20:.0f} GiB" if found else ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it on Debian)")
    database = bench_database_env()
    targets = prepare(database)
    env = {**server_environment(database), "SECRET_KEY": os.environ["SECRET_KEY"]}
    log(f"data: {targets['counts']}; chart client has {targets['client_visits']} visits")
    server = start_gunicorn(env)
    try:
        cookie = sign_in()
        scenarios = [
            ("healthz", "/healthz", None),
            (
                f"search, misspelled name “{targets['misspelled']}” (page)",
                "/clients/?" + urllib.parse.urlencode({"q": targets["misspelled"]}),
                None,
            ),
            (
                f"search, misspelled name “{targets['misspelled']}” (htmx fragment)",
                "/clients/?" + urllib.parse.urlencode({"q": targets["misspelled"]}),
                {"HX-Request": "true"},
            ),
            (
                f"search, partial phone “{targets['partial_phone']}”",
                "/clients/?" + urllib.parse.urlencode({"q": targets["partial_phone"]}),
                None,
            ),
            (f"client chart with {targets['client_visits']} visits", f"/clients/{targets['client_id']}/chart/", None),
        ]
        if targets["day"]:
            scenarios.append(("day calendar, 8 therapists' full days", f"/schedule/?date={targets['day']}", None))
        results = []
        for label, path, headers in scenarios:
            wrk(path, cookie, headers)  # warm-up run, not reported
            result = wrk(path, cookie, headers)
            results.append((label, path, result))
            log(f"{label}: {result['rps']:.0f} req/s, p95 {result['p95']:.1f} ms, non-2xx {result['non2xx']}")
        peaks = worker_peaks_mb(server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    write_report(results, peaks, targets)


def seeding_note(targets) -> str:
    seconds = targets.get("seeded_seconds")
    return f", seeded by this run in {seconds:.0f} s" if seconds else ", seeded by an earlier run"


def write_report(results, peaks, targets) -> None:
    baseline = results[0][2]["rps"]
    rows = []
    verdicts = []
    for label, path, r in results:
        ratio = r["rps"] / baseline if baseline else 0
        target = ""
        if label.startswith("search"):
            ok = r["p95"] < TARGETS["search_p95_ms"] and ratio >= TARGETS["search_ratio"]
            verdict = "met" if ok else "MISSED"
            target = f"p95 < {TARGETS['search_p95_ms']} ms, ≥ {TARGETS['search_ratio']:.0%} of /healthz: {verdict}"
            verdicts.append(ok)
        elif label.startswith("client chart"):
            ok = r["p95"] < TARGETS["chart_p95_ms"]
            target = f"p95 < {TARGETS['chart_p95_ms']} ms: {'met' if ok else 'MISSED'}"
            verdicts.append(ok)
        errors = f" ({r['non2xx']} non-2xx, {r['errors']} errors)" if r["non2xx"] or r["errors"] else ""
        numbers = f"{r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {ratio:.0%}"
        rows.append(f"| {label} | `{path}` | {numbers} | {target}{errors} |")
    memory_ok = max(peaks) < TARGETS["worker_mb"] if peaks else False
    verdicts.append(memory_ok)
    info = machine()
    peak_text = ", ".join(f"{p:.0f} MB" for p in peaks)
    memory_verdict = "met" if memory_ok else "MISSED"
    report = f"""# Performance

Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. The benchmark is not part of CI.

## Machine

- CPU: {info["cpu"]}, {info["cores"]} cores (load generator on the same machine)
- Memory: {info["memory"]}
- OS: {info["os"]}
- Python {info["python"]}, PostgreSQL {postgres_version()}
- gunicorn, 2 sync workers, DEBUG off, 127.0.0.1:{PORT}

## Data

{", ".join(f"{n:,} {what}" for what, n in targets["counts"].items())}
(`python manage.py seed_scale --clients {CLIENTS} --visits {VISITS} --seed 1`{seeding_note(targets)}).

## Command

```sh
make bench
# which runs: .venv/bin/python bench/run.py
# each page: wrk -t1 -c{CONNECTIONS} -d{DURATION}s --timeout 5s -s bench/report.lua -H "Cookie: <signed-in session>" URL
# after one warm-up run of the same length
```

## Results

| page | URL | req/s | p50 ms | p95 ms | p99 ms | vs /healthz | target |
|---|---|---:|---:|---:|---:|---:|---|
{chr(10).join(rows)}

Peak memory per gunicorn worker (VmHWM): {peak_text}; target < {TARGETS["worker_mb"]} MB: {memory_verdict}.

**All targets {"met" if all(verdicts) else "NOT met"}.**
"""
    save_report(BASE / "docs" / "performance.md", report)
    log("wrote docs/performance.md")


def save_report(path: Path, report: str) -> None:
    """Write a measured report, keeping its hand-written sections (what was learnt, earlier runs) as they are."""
    path.parent.mkdir(exist_ok=True)
    previous = path.read_text() if path.exists() else ""
    kept = next((previous[previous.index(h) :] for h in KEPT_SECTIONS if h in previous), "")
    path.write_text(report + ("\n" + kept if kept else ""))


if __name__ == "__main__":
    main()
