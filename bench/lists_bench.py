"""Every list at 5k, 50k and 200k rows (and as many registered units and inspections), against gunicorn on PostgreSQL, with the bare views of the
same server in the same run (issue 9, ADR 0030).

    make bench-lists                                    # 5,000 / 50,000 / 200,000
    BENCH_SCALES=5000,200000 BENCH_ROUNDS=30 .venv/bin/python bench/lists_bench.py

For each scale: a PostgreSQL database ``$BENCH_DB_PREFIX_<scale>`` built once and reused
(bench/permits_bench.py's builder: that many applications across the nine brigades and that many
pre-check slots, plus a booking for every 20th slot), ``VACUUM ANALYZE``; then gunicorn with the
production profile of the load run (bench/load/settings.py: DEBUG off, Redis, 2 workers) and, in
rounds, one request to every list and to the two bare views of the same server — a Django view
that returns "ok" and a DRF view with no authentication (bench/load/urls.py). The rounds
interleave the endpoints so that whatever else the machine does weighs on all of them alike.

Reported per endpoint: the median time at each scale, the largest scale's time over the smallest
(the target: within 2x) and the throughput as a fraction of the bare Django view at the largest
scale (one client, so requests/s is 1/time; the staff queue's target: at least 0.15x).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = os.environ.get("PY", str(ROOT / ".venv" / "bin" / "python"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "lishui_bench_lists")
SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "5000,50000,200000").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 40))
PORT = int(os.environ.get("BENCH_PORT", 8611))
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/8")
WORKERS = os.environ.get("BENCH_WORKERS", "2")

# (name, persona, path): every list of permits (API and pages), then the bare views.
ENDPOINTS = [
    ("API permits (detachment)", "chief", "/api/v1/permits/"),
    ("API permits (brigade staff)", "supervisor", "/api/v1/permits/"),
    ("API permits (applicant, 1/250 of rows)", "big", "/api/v1/permits/"),
    ("API permits ?status=submitted (detachment)", "chief", "/api/v1/permits/?status=submitted"),
    ("API slots (applicant, all counties)", "big", "/api/v1/precheck-slots/"),
    ("API slots ?available&brigade=LD", "big", "/api/v1/precheck-slots/?available=true&brigade=LD"),
    ("API bookings (brigade staff)", "supervisor", "/api/v1/precheck-bookings/"),
    ("API bookings (detachment)", "chief", "/api/v1/precheck-bookings/"),
    ("page staff queue (brigade)", "supervisor", "/permits/staff/queue/"),
    ("page staff queue (detachment)", "chief", "/permits/staff/queue/"),
    ("page overdue (brigade)", "supervisor", "/permits/staff/overdue/"),
    ("page pending proposals (brigade)", "supervisor", "/permits/staff/proposals/"),
    ("page pending proposals (detachment)", "chief", "/permits/staff/proposals/"),
    ("page staff slots (brigade)", "supervisor", "/permits/precheck/staff/slots/"),
    ("page applicant's list", "big", "/permits/mine/"),
    ("page applicant's bookings", "big", "/permits/precheck/mine/"),
    ("page public slots (anyone)", None, "/permits/precheck/free/"),
    ("page door-to-door (brigade)", "supervisor", "/permits/staff/home-services/?show=all"),
    # The registry and the inspections at as many rows as applications (ADR 0036).
    ("API enterprises (detachment)", "chief", "/api/v1/enterprises/"),
    ("API enterprises (brigade staff)", "supervisor", "/api/v1/enterprises/"),
    ("page enterprises (detachment)", "chief", "/enterprises/"),
    ("page enterprises (brigade)", "supervisor", "/enterprises/"),
    ("API inspections (detachment)", "chief", "/api/v1/inspections/"),
    ("API inspections (brigade staff)", "supervisor", "/api/v1/inspections/"),
    ("page inspections (brigade, open)", "supervisor", "/inspections/visits/"),
    ("page inspections (detachment, all)", "chief", "/inspections/visits/?show=all"),
    ("bare Django view", None, "/bench/bare/"),
    ("bare DRF view", None, "/bench/ping/"),
]
BARE = "bare Django view"


def env_for(db: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "bench.load.settings",
            "SECRET_KEY": "lists-bench-only-not-a-secret-" + "k" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DATABASE_URL": f"{PG}/{db}",
            "REDIS_URL": REDIS,
            "PORTAL_BASE_URL": "https://portal.example.gov.cn",
            "THROTTLE_ANON": "1000000/min",
            "THROTTLE_USER": "1000000/min",
            "THROTTLE_TOKEN": "1000000/min",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


# --- Seeding (a subprocess per scale: Django set up on that scale's database) ---------------------
def seed(scale: int) -> None:
    """Build the data of one scale (once), and print the personas' session cookies as JSON."""
    os.environ["BENCH_APPLICATIONS"] = os.environ["BENCH_SLOTS"] = str(scale)
    sys.path.insert(0, str(ROOT / "bench"))
    import datetime as dt
    import random

    import permits_bench as pb
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from lishui_fire.accounts.models import OrgUnit, Role, User
    from permits.models import DecisionProposal, PermitApplication, PrecheckBooking, PrecheckSlot

    pb.ensure_database()
    people = pb.build(random.Random(2026))
    chief = pb.user(
        "bench-chief", Role.DETACHMENT_SUPERVISOR, OrgUnit.objects.get(kind="detachment")
    )
    wanted = scale // 20
    have = PrecheckBooking.objects.filter(venue_name="列表基准场所").count()
    if have < wanted:
        applicants = people["applicants"]
        slots = list(
            PrecheckSlot.objects.filter(booked=0)
            .order_by("pk")
            .values_list("pk", "brigade_id")[: wanted - have]
        )
        rows = [
            PrecheckBooking(
                slot_id=pk,
                applicant=applicants[i % len(applicants)],
                brigade_id=brigade,
                venue_name="列表基准场所",
                venue_address="莲都区测试路 2 号",
                contact_phone="13900000003",
                status="booked",
                created_at=timezone.now(),
            )
            for i, (pk, brigade) in enumerate(slots)
        ]
        PrecheckBooking.objects.bulk_create(rows, batch_size=5_000)
        PrecheckSlot.objects.filter(pk__in=[pk for pk, _b in slots]).update(booked=1)
    # Pending proposals (ADR 0034) on 1 in 100 rows: the applications waiting for a decision,
    # each proposed by its brigade's inspector, the oldest a few hundred hours back.
    wanted = scale // 100
    have = DecisionProposal.objects.filter(status="pending").count()
    if have < wanted:
        inspectors = {
            u.org_unit_id: u for u in User.objects.filter(username__startswith="bench-insp-")
        }
        waiting = (
            PermitApplication.objects.filter(status__in=["submitted", "inspected"])
            .exclude(proposals__status="pending")
            .order_by("pk")
            .values_list("pk", "brigade_id")[: wanted - have]
        )
        now = timezone.now()
        DecisionProposal.objects.bulk_create(
            [
                DecisionProposal(
                    application_id=pk,
                    outcome="approve",
                    proposed_by=inspectors[brigade],
                    proposed_at=now - dt.timedelta(hours=i % 500),
                )
                for i, (pk, brigade) in enumerate(waiting)
            ],
            batch_size=5_000,
        )
    seed_registry_and_inspections(scale)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    cookies = {}
    for name, who in [
        ("chief", chief),
        ("supervisor", people["supervisor"]),
        ("big", people["big"]),
    ]:
        client = Client()
        client.force_login(who)
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies[name] = f"{settings.SESSION_COOKIE_NAME}={value}"
    print("COOKIES " + json.dumps(cookies))


def seed_registry_and_inspections(scale: int) -> None:
    """As many registered units and inspections as applications, across the nine brigades: an
    inspection in five still open (its date to come or passed), the rest closed (no date)."""
    import datetime as dt

    from django.utils import timezone

    from inspections.models import Inspection
    from lishui_fire.accounts.models import OrgUnit
    from lishui_fire.core.validators import uscc_check_char
    from lishui_fire.enterprises.models import Enterprise

    brigades = list(OrgUnit.objects.filter(kind="brigade").order_by("pk"))
    have = Enterprise.objects.filter(name__startswith="列表基准单位").count()
    if have < scale:
        rows = []
        for n in range(have, scale):
            first17 = f"91331102{n + 300_000_000:09d}"
            rows.append(
                Enterprise(
                    uscc=first17 + uscc_check_char(first17),
                    name=f"列表基准单位{(n * 7919) % scale:07d}",
                    address="丽水市莲都区基准路 1 号",
                    brigade=brigades[n % len(brigades)],
                    venue_type="hotel",
                    risk_level=("high", "medium", "low")[n % 3],
                )
            )
        Enterprise.objects.bulk_create(rows, batch_size=5_000)
    have = Inspection.objects.filter(reference__startswith="JCBENCH").count()
    if have < scale:
        units = list(
            Enterprise.objects.filter(name__startswith="列表基准单位")
            .order_by("pk")
            .values_list("pk", "brigade_id")[:scale]
        )
        today = timezone.localdate()
        now = timezone.now()
        rows = []
        for n in range(have, scale):
            unit, brigade = units[n % len(units)]
            open_ = n % 5 == 0
            rows.append(
                Inspection(
                    reference=f"JCBENCH{n:09d}",
                    kind="special_campaign",
                    enterprise_id=unit,
                    brigade_id=brigade,
                    status="assigned" if open_ else "closed",
                    planned_date=today + dt.timedelta(days=n % 30) if open_ else None,
                    next_due=today + dt.timedelta(days=(n % 40) - 10) if open_ else None,
                    created_at=now - dt.timedelta(minutes=n),
                )
            )
        Inspection.objects.bulk_create(rows, batch_size=5_000)


def ensure_db(db: str) -> None:
    found = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{db}'"],  # noqa: S608  (our own name)
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "1" not in found:
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)


# --- Measuring --------------------------------------------------------------------------------------
def get(path: str, cookie: str | None) -> float:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}")
    request.add_header("Accept-Language", "zh-hans")
    if cookie:
        request.add_header("Cookie", cookie)
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  (http://127.0.0.1)
        response.read()
        status = response.status
    elapsed = time.perf_counter() - t0
    if status != 200:
        raise SystemExit(f"{path}: {status}")
    return elapsed * 1000


def measure(scale: int) -> dict[str, float]:
    db = f"{PREFIX}_{scale}"
    ensure_db(db)
    env = env_for(db)
    print(f"\n== {scale:,} applications and slots ({db})", flush=True)
    out = subprocess.run(
        [PY, __file__, "--seed", str(scale)], env=env, capture_output=True, text=True
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("COOKIES ")), None)
    if out.returncode or line is None:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit("seeding failed")
    cookies = json.loads(line[len("COOKIES ") :])
    log = open(ROOT / "var" / "lists-bench-gunicorn.log", "a")  # noqa: SIM115
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "lishui_fire.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", WORKERS, "--log-level", "warning"],
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                get("/bench/bare/", None)
                break
            except OSError:
                time.sleep(0.5)
        times: dict[str, list[float]] = {name: [] for name, _p, _u in ENDPOINTS}
        for _name, who, path in ENDPOINTS:  # warm every worker and cache
            for _ in range(4):
                get(path, cookies.get(who) if who else None)
        for _ in range(ROUNDS):
            for name, who, path in ENDPOINTS:
                times[name].append(get(path, cookies.get(who) if who else None))
    finally:
        server.terminate()
        server.wait(timeout=30)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, ms in medians.items():
        print(f"  {name:46s} {ms:8.2f} ms", flush=True)
    return medians


def main() -> None:
    (ROOT / "var").mkdir(exist_ok=True)
    # The production profile serves manifest static files: collect them once, as run.sh does.
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=env_for(f"{PREFIX}_{SCALES[0]}"),
        cwd=ROOT,
        check=True,
    )
    results = {scale: measure(scale) for scale in SCALES}
    small, large = SCALES[0], SCALES[-1]
    head = "".join(f"{s:>10,}" for s in SCALES)
    print(f"\n== median ms per request, {ROUNDS} rounds; one client; gunicorn {WORKERS} workers")
    print(f"{'endpoint':46s}{head} {'big/small':>10s} {'x bare':>8s}")
    failed = []
    for name, _who, _path in ENDPOINTS:
        row = "".join(f"{results[s][name]:10.2f}" for s in SCALES)
        growth = results[large][name] / results[small][name]
        share = results[large][BARE] / results[large][name]
        print(f"{name:46s}{row} {growth:9.2f}x {share:7.3f}x")
        if not name.startswith("bare") and growth > 2:
            failed.append(f"{name} grows {growth:.2f}x from {small:,} to {large:,}")
        if name.startswith("page staff queue") and share < 0.15:
            failed.append(f"{name} is {share:.3f}x the bare Django view (target 0.15x)")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(f"(machine: {os.cpu_count()} cores, load average {' '.join(load)})")
    if failed:
        print("\nmissed targets:\n  " + "\n  ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        seed(int(sys.argv[2]))
    else:
        main()
