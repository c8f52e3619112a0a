"""Build (once, then reuse) the data of the load run in PostgreSQL: `make load` calls it.

The realistic-scale data is bench/permits_bench.py's builder, reused as it is: 50,000
applications across the nine brigades, 20,000 pre-check slots from tomorrow on, 2,000
applicants, one inspector per brigade and the 莲都 supervisor. This adds what the load
scenario's other personas need — a detachment supervisor who sees all nine brigades, and
tomorrow's booked pre-checks on each inspector's day view — and removes what the previous
run's simulated applicants booked, so every run starts from the same state.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")

import permits_bench  # noqa: E402  (sets Django up with the environment of run.sh)
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.load import scenario  # noqa: E402
from lishui_fire.accounts.models import OrgUnit, Role  # noqa: E402
from permits.models import PrecheckBooking, PrecheckSlot  # noqa: E402
from permits.services import prechecks  # noqa: E402

SEEDED_VENUE = "负载测试种子场所"


def reset_previous_run() -> None:
    booked = PrecheckBooking.objects.filter(venue_name=scenario.BOOKING_VENUE)
    slots = list(booked.values_list("slot_id", flat=True).distinct())
    booked.delete()
    for slot in PrecheckSlot.objects.filter(pk__in=slots):
        active = slot.bookings.exclude(status="cancelled").count()
        PrecheckSlot.objects.filter(pk=slot.pk).update(booked=active)


def tomorrow_bookings(people: dict[str, object], rng: random.Random) -> int:
    """Up to eight booked pre-checks tomorrow for each brigade's inspector (their day view)."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    made = 0
    applicants = people["applicants"]
    for code in scenario.BRIGADE_CODES:
        slots = PrecheckSlot.objects.filter(
            inspector__username=scenario.inspector(code), starts_at__date=tomorrow
        ).order_by("starts_at")[:8]
        for slot in slots:
            if (
                slot.bookings.filter(venue_name=SEEDED_VENUE).exists()
                or slot.booked >= slot.capacity
            ):
                continue
            prechecks.book_precheck(
                applicant=rng.choice(applicants),
                slot_id=slot.pk,
                venue_name=SEEDED_VENUE,
                venue_address=f"莲都区测试路 {slot.pk} 号",  # one venue, one open booking
                contact_phone="13900000008",
            )
            made += 1
    return made


def main() -> None:
    permits_bench.ensure_database()
    people = permits_bench.build(random.Random(2026))
    detachment = OrgUnit.objects.get(kind=OrgUnit.Kind.DETACHMENT)
    permits_bench.user(scenario.CHIEF, Role.DETACHMENT_SUPERVISOR, detachment)
    reset_previous_run()
    made = tomorrow_bookings(people, random.Random(2026))
    connection.cursor().execute("ANALYZE")
    print(
        f"load data: {permits_bench.PermitApplication.objects.count()} applications, "
        f"{PrecheckSlot.objects.count()} slots, {made} bookings added for tomorrow"
    )


if __name__ == "__main__":
    main()
