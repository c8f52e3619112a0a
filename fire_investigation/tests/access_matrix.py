"""Access matrix rows of the fire_investigation app (tests/harness/matrix.py explains the table): add a row
next to each new page or endpoint. Columns in ``tests.personas.PERSONAS`` order: owner,
other_applicant, inspector, other_brigade_inspector, supervisor, chief, administrator,
legal_officer, discipline_officer, anonymous.

The world: a coming city-wide quiet period, an LD incident and its investigation case.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.harness.matrix import Row

EVERYONE = "ok ok ok ok ok ok ok ok ok ok"
# Quiet periods are public; supervisors (and administrators) enter them.
WRITE_PERIODS = "403 403 403 403 ok ok ok 403 403 401"
# Incidents and investigations: handling staff and the legal officer; one LD record is 404 to
# another brigade's inspector; applicants and the discipline officer 403.
API_READERS = "403 403 ok ok ok ok ok ok 403 401"
API_ONE = "403 403 ok 404 ok ok ok ok 403 401"
API_RECORD = "403 403 ok 403 ok ok ok 403 403 401"


def world(personas):
    from fire_investigation.models import Incident, InvestigationCase, QuietPeriod
    from lishui_fire.accounts.models import OrgUnit

    now = timezone.now()
    ld = OrgUnit.objects.get(code="LD")
    period = QuietPeriod.objects.create(
        name="2027 年高考",
        kind="gaokao",
        starts_at=now + dt.timedelta(days=30),
        ends_at=now + dt.timedelta(days=32),
        area="丽水中学考点",
        source="丽教〔2027〕1号",
    )
    incident = Incident.objects.create(
        reference="JQ2026LD99001",
        brigade=ld,
        kind="building_fire",
        location="丽水市莲都区某厂房",
        alarm_received_at=now - dt.timedelta(days=2),
        direct_loss_yuan=Decimal("80000"),
    )
    case = InvestigationCase.objects.create(
        reference="HD2026LD99001",
        incident=incident,
        brigade=ld,
        level="brigade",
        procedure="normal",
        enterprise_involved=True,
    )
    return {"quiet_period": period, "incident": incident, "fire_case": case}


def _period(world):
    now = timezone.now()
    return {
        "name": "2027 年中考",
        "kind": "zhongkao",
        "starts_at": (now + dt.timedelta(days=40)).isoformat(),
        "ends_at": (now + dt.timedelta(days=42)).isoformat(),
        "brigade": "LD",
        "area": "莲都区各考点",
        "radius_m": 500,
        "source": "丽教〔2027〕2号",
    }


def _incident(world):
    return {
        "brigade": "LD",
        "kind": "vehicle_fire",
        "location": "丽水市莲都区括苍路",
        "alarm_received_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
    }


ROWS = [
    # The public page of the measure (no decorator: GET and POST reach the same page).
    Row("fire_investigation:index", "GET", EVERYONE),
    Row("fire_investigation:index", "POST", EVERYONE),
    # --- API ------------------------------------------------------------------------------------
    Row("quiet-period-list", "GET", EVERYONE, shows={"@quiet_period": EVERYONE}),
    Row("quiet-period-list", "POST", WRITE_PERIODS, data=_period),
    Row("quiet-period-detail", "GET", EVERYONE, pk="@quiet_period"),
    Row("quiet-period-detail", "PUT", WRITE_PERIODS, pk="@quiet_period", data=_period),
    Row(
        "quiet-period-detail",
        "PATCH",
        WRITE_PERIODS,
        pk="@quiet_period",
        data={"source": "丽教〔2027〕1号（更正）"},
    ),
    Row("incident-list", "GET", API_READERS, shows={"@incident": API_ONE}),
    Row("incident-list", "POST", API_RECORD, data=_incident),
    Row("incident-detail", "GET", API_ONE, pk="@incident"),
    Row("investigation-list", "GET", API_READERS, shows={"@fire_case": API_ONE}),
    Row("investigation-detail", "GET", API_ONE, pk="@fire_case"),
]
