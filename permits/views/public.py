"""Public pages of the permits app (no sign-in): what the measure offers, its two paths with the
time limits in force and the materials each needs, and where to book a pre-check."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lishui_fire.core import clocks

from .. import rules
from ..models import MaterialKind, PermitPath


def _limit(code: str, template: str) -> dict[str, Any] | None:
    try:
        rule = clocks.rule_in_force(code, on=timezone.localdate())
    except ImproperlyConfigured:
        return None
    return {
        "rule": rule,
        "text": template % {"duration": rule.duration},
    }


def paths() -> list[dict[str, Any]]:
    """The two paths as the law describes them, with their time limits read from the rules in
    force today (so a new rule shows here without a code change)."""

    def labels(path_value: str) -> list[str]:
        return [MaterialKind(k).label for k in rules.REQUIRED_MATERIALS[path_value]]

    commitment_limits = [
        _limit(
            rules.COMMITMENT_DECISION,
            _("网上申请：材料齐全、符合法定形式的，%(duration)s内作出许可（窗口申请当场办结）"),
        ),
        _limit(rules.VERIFICATION, _("许可后 %(duration)s内到场核查")),
        _limit(rules.RECHECK, _("核查发现不符、限期整改的，整改期满后 %(duration)s内复查")),
    ]
    inspection_limits = [
        _limit(rules.ACCEPTANCE, _("提交后 %(duration)s内受理，或一次性告知需要补正的全部内容")),
        _limit(rules.INSPECTION, _("受理后 %(duration)s内到场检查")),
        _limit(rules.DECISION, _("检查后 %(duration)s内作出决定")),
    ]
    return [
        {
            "value": PermitPath.COMMITMENT,
            "label": PermitPath.COMMITMENT.label,
            "summary": _(
                "申请人签署《消防安全告知承诺书》，承诺场所符合消防技术标准和管理规定，并对承诺和材料的真实性负责。材料齐全、符合法定形式的即时许可（即办），之后到场核查。"
            ),
            "limits": [x for x in commitment_limits if x],
            "materials": labels(PermitPath.COMMITMENT),
            "note": _(
                "消防安全制度、灭火和应急疏散预案、场所平面布置图和消防设施平面图可在核查时提供。核查发现与承诺不符的，依照《消防法》第五十八条处罚，逾期不改正的撤销许可。"
            ),
        },
        {
            "value": PermitPath.INSPECTION,
            "label": PermitPath.INSPECTION.label,
            "summary": _("不采用告知承诺的，消防救援机构受理后到场检查，检查合格的作出许可。"),
            "limits": [x for x in inspection_limits if x],
            "materials": labels(PermitPath.INSPECTION),
            "note": "",
        },
    ]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """What the measure offers: the two paths, their time limits and materials, how to book."""
    return render(request, "permits/index.html", {"paths": paths()})
