"""Demo spot-check plans (``manage.py seed_demo``), built through the services: a drawn plan
anyone can verify, a published plan waiting for its draw (its commitment public), and a
detachment plan whose draw was voided, shown beside its published replacement.

Idempotent: each plan is keyed on its title and skipped when present.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit, User

from .models import InspectionPlan
from .services import plans as services

ITEMS = [
    ("A1", "消防安全责任制、消防安全管理制度落实情况"),
    ("A2", "疏散通道、安全出口、消防车通道是否畅通，疏散指示标志和应急照明是否完好"),
    ("A3", "消防设施、器材是否完好有效，建筑消防设施是否定期维护保养检测"),
    ("A4", "电气线路、燃气管路敷设是否符合规定，是否违规使用大功率电器"),
    ("A5", "员工消防安全培训和灭火疏散演练开展情况"),
]
CLASSES = {
    "crowded_key": Decimal("0.20"),
    "other_key": Decimal("0.10"),
    "general": Decimal("0.05"),
    "penalised": Decimal("0.50"),
}


def _plan(actor: Any, title: str, start: dt.date, days: int, brigades: list[str]) -> InspectionPlan:
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=brigades)}
    return services.create_plan(
        actor=actor,
        title=title,
        description="依据《消防监督检查规定》和“双随机、一公开”工作要求制定，抽查结果在本栏目公开。",
        period_start=start,
        period_end=start + dt.timedelta(days=days),
        brigades=[units[c] for c in brigades],
        classes=CLASSES,
        items=ITEMS,
    )


def seed(stdout: Any) -> None:
    supervisor = User.objects.filter(username="supervisor1").first()
    chief = User.objects.filter(username="chief1").first()
    if supervisor is None or chief is None:
        return
    today = timezone.localdate()
    made = 0
    title = "莲都区本季度消防监督双随机抽查计划"
    if not InspectionPlan.objects.filter(title=title).exists():
        plan = _plan(supervisor, title, today - dt.timedelta(days=20), 70, ["LD"])
        plan = services.publish_plan(actor=supervisor, plan=plan)
        services.draw_plan(actor=supervisor, plan=plan)
        made += 1
    title = "莲都区下季度消防监督双随机抽查计划"
    if not InspectionPlan.objects.filter(title=title).exists():
        plan = _plan(supervisor, title, today + dt.timedelta(days=40), 90, ["LD"])
        services.publish_plan(actor=supervisor, plan=plan)
        made += 1
    title = "全市人员密集场所专项双随机抽查计划"
    if not InspectionPlan.objects.filter(title=title).exists():
        plan = _plan(chief, title, today, 45, ["LD", "LQ"])
        plan = services.publish_plan(actor=chief, plan=plan)
        services.draw_plan(actor=chief, plan=plan)
        replacement = services.void_draw(
            actor=chief,
            plan=plan,
            reason="检查人员名录中一名执法人员的执法证已过有效期，名录更正后重新公开并抽取。",
        )
        services.publish_plan(actor=chief, plan=replacement)
        made += 1
    stdout.write(f"  spot-check plans: {made} new\n")
