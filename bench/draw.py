"""The 双随机 draw at scale: 100,000 units and 300 officers.

    make bench-draw                                   # SQLite file var/bench-draw.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lishui_drawing make bench-draw

Builds once (then reuses) BENCH_UNITS enterprises across the nine brigades (venue types, key
units, credit grades A–D), BENCH_OFFICERS certified officers, a few hundred conflict
declarations and BENCH_VISITS past inspections with their two officers (previous pairs). Then,
REPEATS times each, it times

* fetch: reading the candidate rows from the database (one query over the registry, the rows
  turned into the published data's dicts) — what any draw must at least do;
* roster: ``selectors_roster.draw_roster`` (officers, exclusions, previous pairs; three queries);
* draw: ``drawing.draw`` over that data (fingerprints included);
* verify: ``drawing.verify`` of the result (a re-run plus the comparison);

the four steps interleaved round after round, and prints each step's best and median time and
its ratio to the fetch: draw/fetch (target: at most 3) and verify/fetch. Ratios, not timed
assertions: the absolute figures depend on the machine and its load.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lishui_fire.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-draw.sqlite3'}")
os.environ.setdefault("DEBUG", "false")
os.environ.pop("REDIS_URL", None)
(ROOT / "var").mkdir(exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from inspections import drawing  # noqa: E402
from inspections.models import (  # noqa: E402
    ConflictDeclaration,
    Inspection,
    InspectionAssignment,
    OfficerCertificate,
)
from inspections.selectors_roster import draw_roster  # noqa: E402
from lishui_fire.accounts.models import OrgUnit, Role, User  # noqa: E402
from lishui_fire.core.validators import uscc_check_char  # noqa: E402
from lishui_fire.enterprises.models import Enterprise, VenueType  # noqa: E402

UNITS = int(os.environ.get("BENCH_UNITS", 100_000))
OFFICERS = int(os.environ.get("BENCH_OFFICERS", 300))
VISITS = int(os.environ.get("BENCH_VISITS", 20_000))
CONFLICTS = int(os.environ.get("BENCH_CONFLICTS", 600))
REPEATS = int(os.environ.get("BENCH_REPEATS", 7))
GRADES = ["A", "B", "C", "D"]
CROWDED = {VenueType.HOTEL, VenueType.RESTAURANT, VenueType.MALL, VenueType.CINEMA}
# Class ratio × grade multiplier, as a plan would freeze them (decimal strings).
CLASS_RATIOS = {"crowded": "0.10", "key": "0.05", "general": "0.02"}
GRADE_MULTIPLIERS = {"A": "0.5", "B": "1", "C": "1.5", "D": "2"}
TODAY = dt.date(2026, 12, 1)


def uscc(n: int) -> str:
    prefix = f"91331100MA{n:07d}"[:17]
    return prefix + uscc_check_char(prefix)


def build() -> None:
    call_command("migrate", verbosity=0)
    if Enterprise.objects.filter(uscc__startswith="91331100MA").count() >= UNITS:
        return
    print(f"building {UNITS:,} units, {OFFICERS} officers, {VISITS:,} visits …", flush=True)
    rnd = random.Random(2026)
    brigades = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE).order_by("code"))
    venues = [v for v, _ in VenueType.choices]
    with transaction.atomic():
        Enterprise.objects.bulk_create(
            (
                Enterprise(
                    uscc=uscc(n),
                    name=f"压测单位{n:06d}",
                    address=f"丽水市测试路 {n} 号",
                    brigade=brigades[n % len(brigades)],
                    venue_type=rnd.choice(venues),
                    key_unit=rnd.random() < 0.3,
                    credit_rating=rnd.choices(GRADES, weights=[30, 50, 15, 5])[0],
                )
                for n in range(UNITS)
            ),
            batch_size=2_000,
        )
        officers = User.objects.bulk_create(
            User(
                username=f"bench-officer-{n}",
                real_name=f"压测人员{n}",
                role=Role.INSPECTOR,
                org_unit=brigades[n % len(brigades)],
                password="!",  # noqa: S106 - unusable
            )
            for n in range(OFFICERS)
        )
        officers = list(User.objects.filter(username__startswith="bench-officer-").order_by("pk"))
        OfficerCertificate.objects.bulk_create(
            OfficerCertificate(
                officer=o,
                number=f"BENCH-{o.pk}",
                valid_from=dt.date(2025, 1, 1),
                valid_until=dt.date(2028, 12, 31),
            )
            for o in officers
        )
        by_brigade: dict[int, list[User]] = {}
        for o in officers:
            by_brigade.setdefault(o.org_unit_id, []).append(o)
        units = list(
            Enterprise.objects.filter(uscc__startswith="91331100MA").values_list("pk", "brigade_id")
        )
        ConflictDeclaration.objects.bulk_create(
            ConflictDeclaration(
                officer=(o := rnd.choice(by_brigade[brigade])),
                brigade_id=o.org_unit_id,
                enterprise_id=unit,
                kind="relative",
            )
            for unit, brigade in rnd.sample(units, CONFLICTS)
        )
        now = timezone.now()
        visits = Inspection.objects.bulk_create(
            (
                Inspection(
                    reference=f"BENCH-{n:06d}",
                    kind="complaint",
                    enterprise_id=unit,
                    brigade_id=brigade,
                    status="closed",
                    visited_at=now - dt.timedelta(days=rnd.randint(30, 700)),
                )
                for n, (unit, brigade) in enumerate(rnd.sample(units, VISITS))
            ),
            batch_size=2_000,
        )
        visits = list(Inspection.objects.filter(reference__startswith="BENCH-"))
        InspectionAssignment.objects.bulk_create(
            (
                InspectionAssignment(inspection=v, officer=o, is_lead=i == 0)
                for v in visits
                for i, o in enumerate(rnd.sample(by_brigade[v.brigade_id], 2))
            ),
            batch_size=4_000,
        )


def venue_class(key_unit: bool, venue: str) -> str:
    if key_unit and venue in CROWDED:
        return "crowded"
    return "key" if key_unit else "general"


def fetch_candidates(brigade_ids: list[int]) -> list[dict]:
    rows = (
        Enterprise.objects.filter(brigade_id__in=brigade_ids)
        .order_by("pk")
        .values_list(
            "pk", "name", "uscc", "brigade__code", "key_unit", "venue_type", "credit_rating"
        )
    )
    return [
        {
            "id": pk,
            "name": name,
            "uscc": code,
            "brigade": brigade,
            "class": venue_class(key_unit, venue),
            "grade": grade,
        }
        for pk, name, code, brigade, key_unit, venue, grade in rows
    ]


def ratios() -> list[dict]:
    from decimal import Decimal

    return [
        {"class": c, "grade": g, "ratio": str(Decimal(r) * Decimal(m))}
        for c, r in CLASS_RATIOS.items()
        for g, m in GRADE_MULTIPLIERS.items()
    ]


def timed(steps: dict, rounds: int = REPEATS) -> dict:  # type: ignore[type-arg]
    """Each step once per round, the steps interleaved (a burst of load on the shared machine
    then hits every step alike); per step the best and the median time and the last value."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    values: dict = {}  # type: ignore[type-arg]
    for _ in range(rounds):
        for name, fn in steps.items():
            start = time.perf_counter()
            values[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: (min(t), statistics.median(t), values[name]) for name, t in times.items()}


def main() -> None:
    build()
    brigade_ids = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE).values_list("pk", flat=True)
    )
    candidates = fetch_candidates(brigade_ids)
    inspectors, exclusions, previous = draw_roster(brigade_ids=brigade_ids, on_date=TODAY)
    ids = {c["id"] for c in candidates}
    data = {
        "plan": 1,
        "version": 1,
        "candidates": candidates,
        "ratios": ratios(),
        "inspectors": inspectors,
        "exclusions": [e for e in exclusions if e["candidate"] in ids],
        "previous_pairs": [p for p in previous if p["candidate"] in ids],
    }
    seed = drawing.new_seed()
    result = drawing.draw(data, seed)
    figures = timed(
        {
            "fetch candidate rows (1 query)": lambda: fetch_candidates(brigade_ids),
            "draw_roster (3 queries)": lambda: draw_roster(brigade_ids=brigade_ids, on_date=TODAY),
            "drawing.draw": lambda: drawing.draw(data, seed),
            "drawing.verify": lambda: drawing.verify(data, seed, result),
        }
    )
    assert figures["drawing.draw"][2] == result
    outcome = figures["drawing.verify"][2]
    assert outcome["matches"], outcome["differences"]
    loads = dict.fromkeys((i["id"] for i in inspectors), 0)
    for row in result["selected"]:
        for officer in row["inspectors"]:
            loads[officer] += 1
    brigade_of = {i["id"]: i["brigade"] for i in inspectors}
    spreads = {}
    for officer, load in loads.items():
        low, high = spreads.get(brigade_of[officer], (load, load))
        spreads[brigade_of[officer]] = (min(low, load), max(high, load))
    spread = max(high - low for low, high in spreads.values())
    size = len(json.dumps({"data": data, "result": result}, ensure_ascii=False).encode())
    print(f"database: {connection.vendor}; {len(candidates):,} candidates, {len(inspectors)} officers, "
          f"{len(data['exclusions'])} exclusions, {len(data['previous_pairs']):,} previous pairs")  # fmt: skip
    print(f"drawn: {len(result['selected']):,} assigned, {len(result['unassigned'])} unassigned; "
          f"load per officer {min(loads.values())}–{max(loads.values())}, within a brigade max − min = {spread}; "
          f"published JSON {size / 1e6:.1f} MB")  # fmt: skip
    fetch_best, fetch_median, _ = figures["fetch candidate rows (1 query)"]
    print(f"{'step':<34}{'best':>9}{'× fetch':>9}{'median':>9}{'× fetch':>9}")
    for label, (best, median, _) in figures.items():
        print(f"{label:<34}{best * 1000:>7.0f}ms{best / fetch_best:>9.2f}"
              f"{median * 1000:>7.0f}ms{median / fetch_median:>9.2f}")  # fmt: skip
    draw_best, draw_median, _ = figures["drawing.draw"]
    verify_best = figures["drawing.verify"][0]
    verdict = "OK" if draw_best <= 3 * fetch_best else "OVER TARGET"
    print(f"draw / fetch = {draw_best / fetch_best:.2f} best, {draw_median / fetch_median:.2f} median "
          f"(target ≤ 3: {verdict}); verify / fetch = {verify_best / fetch_best:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
