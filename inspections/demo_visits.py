"""Demo data of the visits part (``manage.py seed_demo``, inside its transaction): inspections
of LD units by inspector1 and inspector2 and of an LQ unit by inspector3, in every state, with
findings, documents and rectification clocks (one notice and one re-check overdue), and a
rectification at citizen1's restaurant that she can follow and ask to be re-checked.

Built through the services, so numbers, documents, clocks and history are the real ones; a
visit in the past is recorded with its past time (the clocks count from it). Idempotent: each
scenario is keyed on its ``source_reference`` (DEMO-VISIT-n) and skipped when present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit, Role
from lishui_fire.core.calendar import is_workday
from lishui_fire.enterprises.models import Enterprise

from .models import Inspection, ViolationCode
from .services import visits

PREFIX = "DEMO-VISIT-"


def _workdays_ago(n: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate()
    counted = 0
    while counted < n:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _checklist(inspection: Inspection, failing: int = 0) -> dict[str, str]:
    keys = [key for key, _text, _item in visits.checklist_for(inspection)]
    return {key: ("fail" if index < failing else "pass") for index, key in enumerate(keys)}


def _finding(inspection: Inspection, officer: Any, code: str, text: str, where: str, **kw: Any):
    return visits.add_finding(
        inspection=inspection,
        actor=officer,
        violation=ViolationCode.objects.get(code=code),
        description=text,
        location=where,
        **kw,
    )


def _partner(brigade: OrgUnit, *, besides: Any) -> Any:
    """A colleague for inspector3 (an inspection needs two officers): an active inspector of the
    brigade the roster's demo registered (its ``roster-lq-…`` officers), none when there is none."""
    User = get_user_model()
    return (
        User.objects.filter(org_unit=brigade, role=Role.INSPECTOR, is_active=True)
        .exclude(pk=besides.pk)
        .order_by("username")
        .first()
    )


def seed(stdout: TextIO) -> None:
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["inspector1", "inspector2", "inspector3"])
    }
    ld, lq = OrgUnit.objects.filter(code="LD").first(), OrgUnit.objects.filter(code="LQ").first()
    if len(users) < 3 or ld is None or lq is None:
        return
    one, two, three = users["inspector1"], users["inspector2"], users["inspector3"]
    lq_partner = _partner(lq, besides=three)
    units = list(
        Enterprise.objects.filter(brigade=ld).exclude(credit_rating="A").order_by("uscc")[:12]
    )
    lq_units = list(Enterprise.objects.filter(brigade=lq).exclude(credit_rating="A")[:2])
    if len(units) < 9 or len(lq_units) < 2:
        return
    citizen = User.objects.filter(username="citizen1").first()
    citizen_unit = None
    if citizen is not None:
        from .demo_intake import _citizen_unit

        citizen_unit = _citizen_unit(citizen, ld)
    made = 0

    def scenario(n: int, build: Callable[[str], Any]) -> None:
        nonlocal made
        key = f"{PREFIX}{n}"
        if Inspection.objects.filter(source_reference=key).exists():
            return
        build(key)
        made += 1

    def new(key: str, unit: Enterprise, team: list[Any], kind: str = "special_campaign", **kw):
        return visits.create_inspection(
            kind=kind,
            enterprise=unit,
            officers=team,
            source_reference=key,
            reason=kw.pop("reason", "2026 年冬春火灾防控专项检查"),
            **kw,
        )

    def both(inspection: Inspection) -> Inspection:
        return visits.confirm_record(
            inspection=visits.confirm_record(inspection=inspection, actor=one), actor=two
        )

    pair = [one, two]
    today = timezone.localdate()

    # 1. Assigned, not yet planned.
    scenario(1, lambda key: new(key, units[0], pair))
    # 2. Planned for the day after tomorrow.
    scenario(2, lambda key: new(key, units[1], pair, planned_date=today + dt.timedelta(days=2)))

    # 3. Recorded this morning, confirmed by inspector1, waiting for inspector2.
    def recorded(key: str) -> None:
        inspection = new(key, units[2], pair)
        _finding(inspection, one, "XF60-1-1", "灭火器压力不足", "一层大厅", corrected_on_spot=True)
        visits.record_visit(
            inspection=inspection,
            actor=one,
            result="corrected_on_spot",
            visited_at=timezone.now() - dt.timedelta(hours=2),
            checklist=_checklist(inspection),
            note="现场更换灭火器 2 具。",
        )
        visits.confirm_record(inspection=inspection, actor=one)

    scenario(3, recorded)

    # 4. Closed: no problem found.
    def clean(key: str) -> None:
        inspection = new(key, units[3], pair)
        visits.record_visit(
            inspection=inspection,
            actor=two,
            result="no_problem",
            visited_at=_workdays_ago(4),
            checklist=_checklist(inspection),
        )
        both(inspection)

    scenario(4, clean)

    # 5. Closed: corrected on the spot (the 责令立即改正通知书 served there).
    def on_spot(key: str) -> None:
        inspection = new(key, units[4], pair)
        _finding(
            inspection, one, "XF60-1-3", "二层安全出口堆放杂物", "二层东侧", corrected_on_spot=True
        )
        visits.record_visit(
            inspection=inspection,
            actor=one,
            result="corrected_on_spot",
            visited_at=_workdays_ago(6),
            checklist=_checklist(inspection, failing=0),
        )
        both(inspection)

    scenario(5, on_spot)

    # 6. Ordered to correct, the notice served, re-check due after the deadline (10 days).
    def rectifying(key: str, unit: Enterprise, kind: str = "special_campaign", **kw: Any):
        inspection = new(key, unit, pair, kind=kind, **kw)
        _finding(inspection, one, "XF60-1-1", "自动喷水灭火系统末端试水装置压力不足", "三层")
        _finding(inspection, two, "XF16-1-3", "未开展年度建筑消防设施检测", "消防控制室")
        visits.record_visit(
            inspection=inspection,
            actor=one,
            result="ordered_to_correct",
            visited_at=_workdays_ago(1),
            rectify_by=today + dt.timedelta(days=10),
            checklist=_checklist(inspection, failing=1),
        )
        inspection = both(inspection)
        visits.serve_deadline_notice(inspection=inspection, actor=one)
        return inspection

    scenario(6, lambda key: rectifying(key, units[5]))
    if citizen_unit is not None:
        scenario(
            7,
            lambda key: rectifying(
                key, citizen_unit, kind="large_event", reason="春节美食节举办前消防安全检查"
            ),
        )

    # 8. Overdue: the deadline notice never served (visit 6 working days ago), and the
    # rectification deadline passed 4 days ago without a re-check.
    def overdue(key: str) -> None:
        inspection = new(key, units[6], pair)
        _finding(inspection, two, "XF60-1-4", "室外消火栓被车辆遮挡", "北侧道路")
        visits.record_visit(
            inspection=inspection,
            actor=two,
            result="ordered_to_correct",
            visited_at=_workdays_ago(8),
            rectify_by=today - dt.timedelta(days=4),
            checklist=_checklist(inspection, failing=1),
        )
        both(inspection)

    scenario(8, overdue)

    # 9. Referred for further action (a penalty case to follow).
    def referred(key: str) -> None:
        inspection = new(key, units[7], pair)
        _finding(inspection, one, "XF60-1-2", "擅自停用火灾自动报警系统", "消防控制室")
        visits.record_visit(
            inspection=inspection,
            actor=one,
            result="further_action",
            visited_at=_workdays_ago(3),
            checklist=_checklist(inspection, failing=2),
        )
        both(inspection)

    scenario(9, referred)

    # 10. Rectified on time: the unit asked for the re-check, which passed.
    def rechecked(key: str) -> None:
        inspection = new(key, units[8], pair)
        _finding(inspection, one, "XF60-1-6", "窗户设置防盗网影响逃生", "二层包厢")
        visits.record_visit(
            inspection=inspection,
            actor=one,
            result="ordered_to_correct",
            visited_at=_workdays_ago(10),
            rectify_by=today + dt.timedelta(days=3),
            checklist=_checklist(inspection, failing=1),
        )
        inspection = both(inspection)
        visits.serve_deadline_notice(inspection=inspection, actor=one)
        visits.request_recheck(inspection, one)
        recheck = visits.open_recheck(inspection)
        visits.record_visit(
            inspection=recheck,
            actor=two,
            result="no_problem",
            visited_at=timezone.now() - dt.timedelta(hours=1),
            checklist=_checklist(recheck),
        )
        both(recheck)

    scenario(10, rechecked)

    # Longquan: inspector3's own, one planned and one rectifying.
    if lq_partner is None:
        stdout.write(f"  visits: {made} inspections (no second LQ officer)\n")
        return
    lq_pair = [three, lq_partner]
    scenario(
        11,
        lambda key: new(key, lq_units[0], lq_pair, planned_date=today + dt.timedelta(days=1)),
    )

    def lq_rectifying(key: str) -> None:
        inspection = new(key, lq_units[1], lq_pair)
        _finding(inspection, three, "XF60-1-5", "消防车通道被占用", "东门")
        visits.record_visit(
            inspection=inspection,
            actor=three,
            result="ordered_to_correct",
            visited_at=_workdays_ago(2),
            rectify_by=today + dt.timedelta(days=7),
            checklist=_checklist(inspection, failing=1),
        )
        visits.confirm_record(inspection=inspection, actor=three)
        visits.confirm_record(inspection=inspection, actor=lq_partner)

    scenario(12, lq_rectifying)
    stdout.write(f"  visits: {made} inspections\n")
