"""The supervisors' view of measure 3, for a brigade or the detachment (optionally one brigade):
plan coverage, overdue clocks, the capped grades' units inspected this year (the page proves the
"at most once a year" promise), inspector load, hazards found and rectified on time.

Each chart is server-rendered SVG (``lishui_fire/core/charts.py``) next to the table it pictures; the
table is the source of truth. The page costs a fixed number of queries whatever the data size
(pinned in the tests and in ``bench/inspections_dashboard_bench.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lishui_fire.accounts import policies as kernel
from lishui_fire.accounts.decorators import policy_required
from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core import selectors as core_selectors
from lishui_fire.core.charts import Series, bar_chart, describe

from .. import policies, rules, selectors
from ..forms.dashboard import DashboardFilterForm
from ..models import Inspection, InspectionKind

CAP_ROWS_ON_DASHBOARD = 10
CAP_PAGE_SIZE = 50
LOAD_ROWS_IN_CHART = 20


@dataclass(frozen=True)
class Resolved:
    form: DashboardFilterForm
    scope: selectors.DashboardScope
    brigades: list[OrgUnit]  # the brigades the figures cover
    brigade: OrgUnit | None  # the one brigade chosen (or the supervisor's own)
    by_id: dict[int, OrgUnit]


def _resolve(request: HttpRequest) -> Resolved:
    """The scope from the filters (``selectors.resolve_dashboard_scope``); a bad value drops
    that filter and the form says why."""
    user = request.user
    visible = list(core_selectors.brigades_for_user(user=user))
    form = DashboardFilterForm(
        request.GET or None, brigades=visible, all_brigades=kernel.sees_all_brigades(user)
    )
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else {}
    resolved = selectors.resolve_dashboard_scope(
        user=user,
        # Another brigade's code is refused (404) even though the form does not offer it.
        brigade_code=data.get("brigade") or (request.GET.get("brigade", "") if not valid else ""),
        year=data.get("year") or timezone.localdate().year,
    )
    return Resolved(form=form, **vars(resolved))


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _coverage(resolved: Resolved) -> dict[str, Any]:
    plans = selectors.plan_coverage(scope=resolved.scope)
    totals = {
        key: sum(getattr(p, key) for p in plans)
        for key in ("drawn_n", "visited_n", "ordered_n", "rectified_n", "published_n")
    }
    names = [_("已抽取"), _("已检查"), _("已整改"), _("已公开结果")]
    keys = ["drawn_n", "visited_n", "rectified_n", "published_n"]
    chart = bar_chart(
        chart_id="chart-coverage",
        title=_("抽查计划完成情况"),
        description=_("每个计划的已抽取、已检查、已整改和已公开结果的检查数；数据见下表。")
        + " "
        + describe(list(zip(names, [totals[k] for k in keys], strict=True))),
        categories=[p.title for p in plans],
        series=[
            Series(n, [getattr(p, k) for p in plans]) for n, k in zip(names, keys, strict=True)
        ],
    )
    return {
        "plans": [
            {
                "plan": p,
                "visited_pct": _percent(p.visited_n, p.drawn_n),
                "published_pct": _percent(p.published_n, p.visited_n),
            }
            for p in plans
        ],
        "totals": totals,
        "chart": chart,
        "truncated": len(plans) >= selectors.DASHBOARD_PLANS,
    }


def _clocks(resolved: Resolved) -> dict[str, Any]:
    board = selectors.overdue_clocks(scope=resolved.scope, now=timezone.now())
    by_rule = [{**row, "brigade": resolved.by_id.get(row["brigade_id"])} for row in board.by_rule]
    per_rule: dict[str, list[Any]] = {}
    for row in board.by_rule:
        entry = per_rule.setdefault(row["rule__code"], [row["rule__name"], 0])
        entry[1] += row["n"]
    chart = bar_chart(
        chart_id="chart-clocks",
        title=_("超期未办的法定时限"),
        description=_("按时限规则统计的超期计时数；数据见下表。")
        + " "
        + describe([(name, n) for name, n in per_rule.values()]),
        categories=[name for name, _n in per_rule.values()],
        series=[Series(_("超期"), [n for _name, n in per_rule.values()])],
    )
    return {"by_rule": by_rule, "oldest": board.oldest, "total": board.total, "chart": chart}


def _cap_rule_text(grades: dict[str, Any]) -> list[dict[str, Any]]:
    kinds = [InspectionKind(k).label for k in InspectionKind.values if rules.counts_toward_cap(k)]
    return [
        {"grade": g, "cap": g.max_planned_inspections_per_year, "kinds": "、".join(map(str, kinds))}
        for g in grades.values()
    ]


def _cap_rows(rows: list[dict[str, Any]], grades: dict[str, Any], by_id: dict[int, OrgUnit]):
    return [
        {
            **row,
            "brigade": by_id.get(row["enterprise__brigade_id"]),
            "grade": grades.get(row["enterprise__credit_rating"]),
            "over": row["cap"] is not None and row["counted"] > row["cap"],
        }
        for row in rows
    ]


def _cap(resolved: Resolved) -> dict[str, Any]:
    grades = selectors.capped_grades()
    summary = selectors.capped_summary(scope=resolved.scope, grades=grades)
    rows = (
        list(selectors.capped_units(scope=resolved.scope, grades=grades)[:CAP_ROWS_ON_DASHBOARD])
        if grades
        else []
    )
    cap_values = [g.max_planned_inspections_per_year for g in grades.values()]
    chart = bar_chart(
        chart_id="chart-cap",
        title=_("受年度上限约束的单位本年度计划及随机检查次数"),
        description=_("检查次数最多的单位及其次数，虚线为年度上限；数据见下表。")
        + " "
        + describe([(r["enterprise__name"], r["counted"]) for r in rows]),
        categories=[r["enterprise__name"] for r in rows],
        series=[
            Series(_("双随机抽查"), [r["random_n"] for r in rows]),
            Series(_("专项、联合检查"), [r["other_n"] for r in rows]),
        ],
        limit=min(cap_values) if cap_values else None,
        limit_label=_("年度上限"),
    )
    return {
        "summary": summary,
        "rows": _cap_rows(rows, grades, resolved.by_id),
        "rules": _cap_rule_text(grades),
        "chart": chart,
        "more": summary["units"] > len(rows),
    }


def _load(resolved: Resolved) -> dict[str, Any]:
    rows = selectors.inspector_load(scope=resolved.scope)
    average = sum(r["total"] for r in rows) / len(rows) if rows else 0
    shown = rows[:LOAD_ROWS_IN_CHART]
    chart = bar_chart(
        chart_id="chart-load",
        title=_("检查人员任务量"),
        description=_("本年度每名检查人员的分派次数（最多的 %(n)s 名），虚线为平均数；数据见下表。")
        % {"n": len(shown)}
        + " "
        + describe(
            [(r["officer__real_name"] or r["officer__username"], r["total"]) for r in shown]
        ),
        categories=[r["officer__real_name"] or r["officer__username"] for r in shown],
        series=[
            Series(_("分派总数"), [r["total"] for r in shown]),
            Series(_("未办结"), [r["open_n"] for r in shown]),
        ],
        limit=round(average, 1) if rows else None,
        limit_label=_("平均"),
    )
    return {"rows": rows, "average": round(average, 1), "chart": chart}


def _hazards(resolved: Resolved) -> dict[str, Any]:
    rows = selectors.hazards(
        scope=resolved.scope, today=timezone.localdate(), brigades=resolved.brigades
    )
    chart = bar_chart(
        chart_id="chart-hazards",
        title=_("发现的隐患和按期整改"),
        description=_("各大队本年度发现的问题、责令限期改正、按期整改和逾期未整改数；数据见下表。"),
        categories=[r["brigade"].display_name for r in rows],
        series=[
            Series(_("发现问题"), [r["found"] for r in rows]),
            Series(_("责令限期改正"), [r["ordered"] for r in rows]),
            Series(_("按期整改"), [r["on_time"] for r in rows]),
            Series(_("逾期或未整改"), [r["late"] + r["open_late"] for r in rows]),
        ],
    )
    return {"rows": rows, "chart": chart}


def _context(resolved: Resolved) -> dict[str, Any]:
    return {
        "form": resolved.form,
        "scope": resolved.scope,
        "brigade": resolved.brigade,
        "all_brigades": resolved.scope.brigade_ids is None,
        "query": resolved.form.data.urlencode() if resolved.form.is_bound else "",
    }


@policy_required(policies.can_view_dashboard)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    resolved = _resolve(request)
    return render(
        request,
        "inspections/dashboard/dashboard.html",
        {
            **_context(resolved),
            "coverage": _coverage(resolved),
            "clocks": _clocks(resolved),
            "cap": _cap(resolved),
            "load": _load(resolved),
            "hazards": _hazards(resolved),
        },
    )


@policy_required(policies.can_view_dashboard)
@require_GET
def capped_units(request: HttpRequest) -> HttpResponse:
    """Every unit of a capped grade inspected this year, with its count and its grade's cap."""
    resolved = _resolve(request)
    grades = selectors.capped_grades()
    summary = selectors.capped_summary(scope=resolved.scope, grades=grades)
    queryset = (
        selectors.capped_units(scope=resolved.scope, grades=grades)
        if grades
        else Inspection.objects.none()
    )
    page = Paginator(queryset, CAP_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inspections/dashboard/capped_units.html",
        {
            **_context(resolved),
            "summary": summary,
            "rules": _cap_rule_text(grades),
            "page_obj": page,
            "rows": _cap_rows(list(page.object_list), grades, resolved.by_id),
        },
    )
