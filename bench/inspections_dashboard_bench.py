"""The supervisors' dashboard of measure 3 at the detachment's scale: queries and server time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lishui_bench .venv/bin/python bench/inspections_dashboard_bench.py

Builds (once, then reuses) 100,000 enterprises across the nine brigades (a fifth of them A-rated),
300 inspectors, two drawn plans with 12,000 random inspections (two officers each; visited,
ordered to correct, re-checked on time or late, results published), campaign and joint checks,
findings and overdue clocks. Then reports, for the dashboard page and the capped-units page as
the detachment, as the detachment filtered to one brigade and as a brigade supervisor: the number
of SQL queries (it must be the same for every scope and every data size) and the median server
time, against the time of the raw SQL of the page's main query (the plan coverage aggregate) in
the same run.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lishui_fire.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lishui_bench")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from inspections import models as m  # noqa: E402
from inspections import selectors  # noqa: E402
from lishui_fire.accounts.models import OrgUnit, Role, User  # noqa: E402
from lishui_fire.core.models import Clock, DeadlineRule  # noqa: E402
from lishui_fire.core.validators import uscc_check_char  # noqa: E402
from lishui_fire.enterprises.models import Enterprise  # noqa: E402

ENTERPRISES = int(os.environ.get("BENCH_ENTERPRISES", 100_000))
INSPECTORS = int(os.environ.get("BENCH_INSPECTORS", 300))
DRAWN = int(os.environ.get("BENCH_DRAWN", 12_000))
REPEATS = int(os.environ.get("BENCH_REPEATS", 9))
PASSWORD_HASH = make_password("bench-password-2026")


def ensure_database() -> None:
    if connection.vendor != "postgresql":
        sys.exit("run the benchmark on PostgreSQL (DATABASE_URL=postgres://…)")
    call_command("migrate", verbosity=0)


def user(username: str, role: str, unit: OrgUnit | None) -> User:
    obj, _created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "org_unit": unit, "real_name": username, "password": PASSWORD_HASH},
    )
    return obj


def _uscc(brigade: OrgUnit, i: int) -> str:
    prefix = f"91{brigade.division_code}M{i:08d}"
    return prefix + uscc_check_char(prefix)


def build(rng: random.Random) -> dict[str, object]:
    brigades = list(OrgUnit.objects.filter(kind="brigade").order_by("sort_order", "code"))
    ld = next(b for b in brigades if b.code == "LD")
    chief_unit = OrgUnit.objects.filter(kind="detachment").first()
    chief = user("bench-dash-chief", Role.DETACHMENT_SUPERVISOR, chief_unit)
    supervisor = user("bench-dash-sup-LD", Role.BRIGADE_SUPERVISOR, ld)
    officers = [
        user(f"bench-dash-insp-{i}", Role.INSPECTOR, brigades[i % len(brigades)])
        for i in range(INSPECTORS)
    ]
    by_brigade: dict[int, list[User]] = {}
    for o in officers:
        by_brigade.setdefault(o.org_unit_id, []).append(o)

    build_enterprises(rng, brigades)
    if not m.InspectionPlan.objects.filter(title__startswith="基准看板").exists():
        t0 = time.perf_counter()
        _build_inspections(rng, brigades, by_brigade, chief)
        print(f"built the inspections in {time.perf_counter() - t0:.1f}s")
    connection.cursor().execute("ANALYZE")
    return {"chief": chief, "supervisor": supervisor, "ld": ld, "brigades": brigades}


def build_enterprises(rng: random.Random, brigades: list[OrgUnit]) -> None:
    have = Enterprise.objects.filter(name__startswith="基准看板单位").count()
    if have < ENTERPRISES:
        t0 = time.perf_counter()
        rows = []
        for i in range(have, ENTERPRISES):
            brigade = brigades[i % len(brigades)]
            rows.append(
                Enterprise(
                    uscc=_uscc(brigade, i),
                    name=f"基准看板单位{i}",
                    address=f"{brigade.division_name}看板路{i % 700}号",
                    brigade=brigade,
                    venue_type=rng.choice(["restaurant", "hotel", "mall", "factory", "other"]),
                    risk_level="medium",
                    credit_rating=rng.choices("ABCD", weights=[20, 60, 15, 5])[0],
                    key_unit=i % 7 == 0,
                )
            )
            if len(rows) == 10_000:
                Enterprise.objects.bulk_create(rows)
                rows = []
        Enterprise.objects.bulk_create(rows)
        print(f"built {ENTERPRISES - have} enterprises in {time.perf_counter() - t0:.1f}s")


def _build_inspections(rng, brigades, by_brigade, chief) -> None:

    year = timezone.localdate().year
    now = timezone.now()
    plans = []
    for half in (1, 2):
        plan = m.InspectionPlan.objects.create(
            title=f"基准看板 {year} 年度双随机抽查计划（第 {half} 批）",
            period_start=dt.date(year, 1 if half == 1 else 7, 1),
            period_end=dt.date(year, 6 if half == 1 else 12, 30 if half == 1 else 31),
            status="drawn",
            created_by=chief,
            **(
                {"seed_commitment": "0" * 64}
                if hasattr(m.InspectionPlan, "seed_commitment")
                else {}
            ),
        )
        if hasattr(plan, "brigades"):
            plan.brigades.set(brigades)
        plans.append(plan)
    units = list(
        Enterprise.objects.filter(name__startswith="基准看板单位")
        .order_by("?")
        .values_list("pk", "brigade_id", "credit_rating")[: DRAWN + DRAWN // 4]
    )
    inspections = []
    for i, (pk, brigade_id, _grade) in enumerate(units):
        drawn = i < DRAWN
        visited = rng.random() < 0.6
        ordered = visited and rng.random() < 0.25
        status = "rectifying" if ordered else ("closed" if visited else "assigned")
        if ordered and rng.random() < 0.6:
            status = "closed"
        inspections.append(
            m.Inspection(
                reference=f"BDASH{i:08d}",
                kind="random" if drawn else rng.choice(["special_campaign", "joint", "complaint"]),
                plan=plans[i % 2] if drawn else None,
                enterprise_id=pk,
                brigade_id=brigade_id,
                status=status,
                visited_at=now - dt.timedelta(days=rng.randint(1, 150)) if visited else None,
                result="ordered_to_correct" if ordered else ("no_problem" if visited else ""),
                rectify_by=timezone.localdate() - dt.timedelta(days=rng.randint(-20, 40))
                if ordered
                else None,
                created_at=now - dt.timedelta(days=160),
            )
        )
    m.Inspection.objects.bulk_create(inspections, batch_size=5_000)
    saved = list(m.Inspection.objects.filter(reference__startswith="BDASH"))
    assignments = []
    for ins in saved:
        pool = by_brigade[ins.brigade_id]
        a, b = rng.sample(pool, 2)
        assignments += [
            m.InspectionAssignment(inspection=ins, officer=a, is_lead=True),
            m.InspectionAssignment(inspection=ins, officer=b, is_lead=False),
        ]
    m.InspectionAssignment.objects.bulk_create(assignments, batch_size=10_000)
    rechecks = []
    for n, ins in enumerate(
        i for i in saved if i.result == "ordered_to_correct" and i.status == "closed"
    ):
        rechecks.append(
            m.Inspection(
                reference=f"BDASHR{n:07d}",
                kind="recheck",
                follows=ins,
                enterprise_id=ins.enterprise_id,
                brigade_id=ins.brigade_id,
                status="closed",
                visited_at=now,
                result="no_problem",
                **(
                    {"rectified_on": ins.rectify_by + dt.timedelta(days=rng.choice([-2, 0, 3]))}
                    if hasattr(m.Inspection, "rectified_on")
                    else {}
                ),
            )
        )
    m.Inspection.objects.bulk_create(rechecks, batch_size=5_000)
    if hasattr(m, "PublishedResult"):
        m.PublishedResult.objects.bulk_create(
            [
                m.PublishedResult(plan_id=i.plan_id, inspection=i, published_by=chief)
                for i in saved
                if i.kind == "random" and i.visited_at and rng.random() < 0.8
            ],
            batch_size=5_000,
        )
    if hasattr(m, "InspectionFinding") and hasattr(m, "ViolationCode"):
        code, _c = m.ViolationCode.objects.get_or_create(
            code="BENCH-01",
            defaults={"title": "疏散通道堵塞", "legal_basis": "《消防法》第二十八条"},
        )
        m.InspectionFinding.objects.bulk_create(
            [
                m.InspectionFinding(
                    inspection=i,
                    violation=code,
                    description="疏散通道堆放杂物",
                    location="一层",
                    corrected_on_spot=rng.random() < 0.3,
                    created_by=chief,
                )
                for i in saved
                if i.result == "ordered_to_correct"
            ],
            batch_size=5_000,
        )
    rule = DeadlineRule.objects.order_by("pk").first()
    if rule is not None:
        ct = ContentType.objects.get_for_model(m.Inspection)
        Clock.objects.bulk_create(
            [
                Clock(
                    content_type=ct,
                    object_id=str(i.pk),
                    milestone="bench_overdue",
                    rule=rule,
                    brigade_id=i.brigade_id,
                    started_at=now - dt.timedelta(days=30),
                    due_at=now - dt.timedelta(days=rng.randint(1, 20)),
                    due_date=timezone.localdate() - dt.timedelta(days=1),
                )
                for i in saved
                if i.status == "rectifying"
            ],
            batch_size=5_000,
        )


def measure(client: Client, url: str) -> tuple[int, float]:
    client.get(url)  # warm: session, content types, translations
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - t0)
    return queries, statistics.median(times) * 1000


def raw_main_query(scope: selectors.DashboardScope) -> float:
    """The plan coverage aggregate as plain SQL through the cursor, no ORM objects built."""
    queryset = selectors.plan_coverage_queryset(scope=scope)
    sql, params = queryset.query.sql_with_params()
    times = []
    with connection.cursor() as cursor:
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    ensure_database()
    people = build(random.Random(2026))
    year = timezone.localdate().year
    print(
        f"\n{Enterprise.objects.count():,} enterprises, "
        f"{User.objects.filter(role='inspector').count():,} inspectors, "
        f"{m.Inspection.objects.count():,} inspections, "
        f"{Clock.objects.filter(stopped_at__isnull=True).count():,} live clocks"
    )
    dashboard, capped = (
        reverse("inspections:dashboard"),
        reverse("inspections:dashboard_capped_units"),
    )
    print(f"\n== pages (median of {REPEATS} requests, server time in-process)")
    counts: dict[tuple[str, str], set[int]] = {}
    for label, who, query in [
        ("detachment, all brigades", people["chief"], ""),
        ("detachment, brigade LD", people["chief"], "?brigade=LD"),
        ("detachment, brigade QT", people["chief"], "?brigade=QT"),
        ("brigade supervisor LD", people["supervisor"], ""),
    ]:
        for page, url in (("dashboard", dashboard), ("capped units", capped)):
            client = Client()
            client.force_login(who)
            queries, ms = measure(client, url + query)
            counts.setdefault((page, who.role), set()).add(queries)
            print(f"{page:13s} {label:28s} {queries:3d} queries  {ms:8.1f} ms")
    print(f"\n== the main query (plan coverage) as raw SQL, median of {REPEATS}")
    for label, ids in [("all brigades", None), ("brigade LD", (people["ld"].pk,))]:
        scope = selectors.DashboardScope(brigade_ids=ids, year=year)
        ms = raw_main_query(scope)
        t0 = time.perf_counter()
        for _ in range(REPEATS):
            selectors.plan_coverage(scope=scope)
        orm = (time.perf_counter() - t0) / REPEATS * 1000
        print(f"{label:14s} raw SQL {ms:7.1f} ms   through the selector {orm:7.1f} ms")
    # A brigade supervisor's request reads their own unit once more (User.sees_all_brigades):
    # one query per role, never per row.
    constant = all(len(v) == 1 for v in counts.values())
    print(f"\nquery count the same for every scope of a role: {'yes' if constant else 'NO'}")
    if not constant:
        sys.exit(1)


if __name__ == "__main__":
    main()
