"""The demo world of measures 5 and 6 (`make run`): quiet periods, incidents (one inside an exam
quiet period) and investigations on the 20- and 30-day tracks — one paused for the lab, one
extended by the detachment, one a simple-procedure case — all marked as demo data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit, User

from . import services
from .models import Incident, QuietPeriod

MARK = "（演示数据）"


def seed(stdout: Any = None) -> int:
    if Incident.objects.filter(location__endswith=MARK).exists():
        if stdout:
            stdout.write("  fire investigation: 0 new (already there)\n")
        return 0
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["inspector1", "inspector2", "chief1", "supervisor1"]
        )
    }
    if len(users) < 4:
        return 0
    ld = OrgUnit.objects.get(code="LD")
    now = timezone.now()
    tz = timezone.get_current_timezone()
    one, two, chief = users["inspector1"], users["inspector2"], users["chief1"]

    QuietPeriod.objects.create(
        name="2027 年普通高校招生考试（高考）" + MARK,
        kind="gaokao",
        starts_at=dt.datetime(2027, 6, 7, 7, 0, tzinfo=tz),
        ends_at=dt.datetime(2027, 6, 10, 18, 0, tzinfo=tz),
        area="丽水中学考点\n丽水市第二高级中学考点\n莲都外国语学校考点",
        radius_m=1000,
        source="丽水市教育局考试通知（演示数据，以正式通知为准）",
        created_by=users["supervisor1"],
    )
    QuietPeriod.objects.create(
        name="2026 年浙江省普通高中学业水平考试（学考）" + MARK,
        kind="xuekao",
        starts_at=now - dt.timedelta(days=40, hours=2),
        ends_at=now - dt.timedelta(days=39),
        brigade=ld,
        area="莲都区各学考考点",
        radius_m=500,
        source="莲都区教育局考试通知（演示数据）",
        created_by=users["supervisor1"],
    )

    def incident(days_ago: float, location: str, **fields: Any) -> Incident:
        alarm = now - dt.timedelta(days=days_ago)
        return services.record_incident(
            actor=one,
            brigade=ld,
            alarm_received_at=alarm,
            dispatched_at=alarm + dt.timedelta(minutes=1),
            arrived_at=alarm + dt.timedelta(minutes=8),
            extinguished_at=alarm + dt.timedelta(minutes=50),
            location=location + MARK,
            units_dispatched="莲都区消防救援大队城北站 2 车 10 人",
            vehicles=2,
            **fields,
        )

    # A rescue inside the exam period: lights only, no siren.
    incident(39.5, "丽水市莲都区丽阳街学考考点旁电梯困人", kind="rescue", water_notes="")
    promise = incident(
        10,
        "丽水市莲都区南明山街道某服装厂仓库",
        kind="building_fire",
        direct_loss_yuan=Decimal("186000"),
        households_affected=1,
        water_precautions=["cover_goods", "drain", "photos"],
        water_notes="水枪控制出水量，成品布料覆盖防水布，积水当日排净。",
    )
    disputed = incident(
        25,
        "丽水市莲都区水阁工业区某机械厂车间",
        kind="building_fire",
        direct_loss_yuan=Decimal("420000"),
    )
    complex_fire = incident(
        28,
        "丽水市莲都区紫金街道某商住楼底层商铺",
        kind="building_fire",
        minor_injuries=1,
        direct_loss_yuan=Decimal("950000"),
        households_affected=6,
    )
    small = incident(
        3, "丽水市莲都区万象街道某小区电动车棚", kind="other_fire", direct_loss_yuan=Decimal("3200")
    )

    case = services.open_case(
        actor=one,
        incident=promise,
        procedure="normal",
        investigators=[one, two],
        enterprise_involved=True,
        has_dispute=False,
        criminal_liability=False,
    )
    case.parties.create(name="丽水某服装有限公司" + MARK, phone="13905780311", role="owner")
    services.record_scene(
        actor=one,
        case=case,
        kind="protect",
        scope="仓库整栋及东侧通道",
        at=promise.alarm_received_at + dt.timedelta(hours=1),
    )
    services.record_scene(
        actor=one,
        case=case,
        kind="narrow",
        scope="仓库二层东北角货架区域",
        reason="起火部位已初步确定，其余区域恢复使用",
        at=promise.alarm_received_at + dt.timedelta(days=1),
    )

    lab = services.open_case(
        actor=one,
        incident=disputed,
        procedure="normal",
        investigators=[one, two],
        enterprise_involved=True,
        has_dispute=True,
        criminal_liability=False,
    )
    services.send_to_lab(
        actor=one,
        case=lab,
        what="配电箱内熔痕导线送省消防救援总队火灾物证鉴定中心",
        at=disputed.alarm_received_at + dt.timedelta(days=6),
    )

    extended = services.open_case(
        actor=one,
        incident=complex_fire,
        procedure="normal",
        investigators=[one, two],
        enterprise_involved=False,
        has_dispute=True,
        criminal_liability=False,
    )
    services.extend(
        actor=chief,
        case=extended,
        reason="起火原因涉及多个商户，情况复杂，经支队批准延长三十日",
        approved_at=complex_fire.alarm_received_at + dt.timedelta(days=20),
    )

    services.open_case(
        actor=one,
        incident=small,
        procedure="simple",
        investigators=[one],
        enterprise_involved=False,
        has_dispute=False,
        criminal_liability=False,
    )
    if stdout:
        stdout.write("  fire investigation: 2 quiet periods, 5 incidents, 4 cases\n")
    return 4
