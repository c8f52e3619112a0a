"""Access matrix rows of the plans part (joined by access_matrix.py; the rules are in
``inspections/policies.py``, section plans).

The public column (一公开) is open to everyone, signed in or not: the list, a published plan, its
verification, its JSON and the results. A draft is nobody's public page (404). The supervisors'
pages and API are for brigade supervisors (their brigade: LD) and detachment supervisors; every
other role gets 403 (inspectors carry plans out but never choose whom they inspect;
administrators keep the data in the admin), the anonymous visitor the sign-in page (401 in the
API).

World: plans of the LD brigade written by the LD supervisor — a draft, a published one waiting
for its draw, and a drawn one with one result published.
"""

from __future__ import annotations

import datetime as dt

from tests.harness.matrix import Row

EVERYONE = "ok ok ok ok ok ok ok ok ok ok"
NOBODY_404 = "404 404 404 404 404 404 404 404 404 404"
SUPERVISORS = "403 403 403 403 ok ok 403 403 403 login"
API_SUPERVISORS = "403 403 403 403 ok ok 403 403 403 401"


def world(personas):
    from django.utils import timezone

    from inspections.models import Inspection
    from inspections.services import plans as services
    from inspections.tests.plans_support import certify, make_plan
    from lishui_fire.accounts.models import OrgUnit, Role, User
    from lishui_fire.enterprises.models import Enterprise

    ld = OrgUnit.objects.get(code="LD")
    for n in range(2):
        officer = User.objects.create_user(
            username=f"matrix-plans-officer-{n}", role=Role.INSPECTOR, org_unit=ld,
            real_name=f"陈志{n}",
        )  # fmt: skip
        certify(officer)
    if not Enterprise.objects.filter(brigade=ld, key_unit=True, venue_type="hotel").exists():
        from conftest import EnterpriseFactory

        EnterpriseFactory(key_unit=True, venue_type="hotel", name="丽水市莲都区矩阵大酒店")
    supervisor = personas["supervisor"]
    draft = make_plan(supervisor, title="矩阵草稿计划")
    published = make_plan(supervisor, state="published", title="矩阵已公开计划")
    drawn = make_plan(supervisor, state="drawn", title="矩阵已抽取计划")
    # Visited and closed, so no officer carries an open load into the other parts' rows
    # (the intake assigns the least-loaded officers of the brigade); the plans' own officers
    # then leave the roster again.
    Inspection.objects.filter(plan=drawn).update(
        status="closed", visited_at=timezone.now(), result="no_problem"
    )
    results = services.publish_plan_results(actor=supervisor, plan=drawn)
    User.objects.filter(username__startswith="matrix-plans-officer-").update(is_active=False)
    return {
        "plan_draft": draft,
        "plan_published": published,
        "plan_drawn": drawn,
        "plan_result": results[0],
    }


def _form(w):
    from lishui_fire.accounts.models import OrgUnit

    today = dt.date.today()
    return {
        "title": "矩阵新计划",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=30)).isoformat(),
        "brigades": [OrgUnit.objects.get(code="LD").pk],
        "ratio_general": "10",
        "items": "A1|疏散通道是否畅通",
    }


API_PAYLOAD = {
    "title": "矩阵接口计划",
    "period_start": "2026-12-01",
    "period_end": "2026-12-31",
    "brigades": ["LD"],
    "classes": [{"class": "general", "ratio": "0.1"}],
    "items": [{"code": "A1", "text": "疏散通道是否畅通"}],
}
REASON = {"reason": "名录有误，重新抽取"}

ROWS = [
    # The public column.
    Row("inspections:plans", "GET", EVERYONE, shows={"@plan_published.title": EVERYONE}),
    Row("inspections:plan", "GET", EVERYONE, pk="@plan_published"),
    Row("inspections:plan", "GET", EVERYONE, pk="@plan_drawn"),
    Row("inspections:plan", "GET", NOBODY_404, pk="@plan_draft"),
    Row("inspections:plan_verify", "GET", EVERYONE, pk="@plan_drawn"),
    Row("inspections:plan_data", "GET", EVERYONE, pk="@plan_drawn"),
    Row("inspections:plan_data", "GET", NOBODY_404, pk="@plan_draft"),
    # Supervisors' pages.
    Row("inspections:plans_staff", "GET", SUPERVISORS, shows={"@plan_draft.title": SUPERVISORS}),
    Row("inspections:plan_create", "GET", SUPERVISORS),
    Row("inspections:plan_create", "POST", SUPERVISORS, data=_form),
    Row("inspections:plan_staff", "GET", SUPERVISORS, pk="@plan_published"),
    Row("inspections:plan_edit", "GET", SUPERVISORS, pk="@plan_draft"),
    Row("inspections:plan_edit", "POST", SUPERVISORS, pk="@plan_draft", data=_form),
    Row("inspections:plan_publish", "POST", SUPERVISORS, pk="@plan_draft"),
    Row("inspections:plan_draw", "POST", SUPERVISORS, pk="@plan_published"),
    Row("inspections:plan_void", "POST", SUPERVISORS, pk="@plan_drawn", data=REASON),
    Row("inspections:plan_revise", "POST", SUPERVISORS, pk="@plan_published", data=REASON),
    Row("inspections:plan_publish_results", "POST", SUPERVISORS, pk="@plan_drawn"),
    # Supervisors' API.
    Row("inspection-plan-list", "GET", API_SUPERVISORS),
    Row("inspection-plan-list", "POST", API_SUPERVISORS, data=API_PAYLOAD),
    Row("inspection-plan-detail", "GET", API_SUPERVISORS, pk="@plan_published"),
    Row("inspection-plan-detail", "PATCH", API_SUPERVISORS, pk="@plan_draft", data={"title": "改"}),
    Row("inspection-plan-publish", "POST", API_SUPERVISORS, pk="@plan_draft"),
    Row("inspection-plan-draw", "POST", API_SUPERVISORS, pk="@plan_published"),
    Row("inspection-plan-void", "POST", API_SUPERVISORS, pk="@plan_drawn", data=REASON),
    Row("inspection-plan-revise", "POST", API_SUPERVISORS, pk="@plan_published", data=REASON),
    Row("inspection-plan-publish-results", "POST", API_SUPERVISORS, pk="@plan_drawn"),
    # The public API.
    Row("public-inspection-plan-list", "GET", EVERYONE),
    Row("public-inspection-plan-detail", "GET", EVERYONE, pk="@plan_drawn"),
    Row("public-inspection-plan-detail", "GET", NOBODY_404, pk="@plan_draft"),
    Row("public-inspection-plan-verify", "GET", EVERYONE, pk="@plan_drawn"),
    Row("public-inspection-result-list", "GET", EVERYONE),
    Row("public-inspection-result-detail", "GET", EVERYONE, pk="@plan_result"),
]
