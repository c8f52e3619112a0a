"""The supervisors' dashboard pages and API: who sees which scope, what each section counts, bad
input, and a query count that does not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from inspections import selectors
from inspections.models import Inspection
from inspections.services import intake
from inspections.tests.dashboard_factories import inspection, officer, plan
from inspections.tests.intake_factories import make_unit
from lishui_fire.core.models import Clock, DeadlineRule

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
DASHBOARD = "inspections:dashboard"
API = "/api/v1/inspection-dashboard/"


@pytest.fixture
def a_unit(org_units):
    return make_unit("LD", credit_rating="A")


@pytest.fixture
def drawn_plan(supervisor):
    return plan(created_by=supervisor, brigades=("LD", "LQ"))


def page(client, name=DASHBOARD, query=""):
    response = client.get(reverse(name) + query)
    return response, response.content.decode()


def overdue_clock(subject, brigade, *, days=2):
    rule = DeadlineRule.objects.filter(code="inspection.complaint").first()
    now = timezone.now()
    return Clock.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        milestone="dashboard_test",
        rule=rule,
        brigade=brigade,
        started_at=now - dt.timedelta(days=days + 3),
        due_at=now - dt.timedelta(days=days),
        due_date=timezone.localdate() - dt.timedelta(days=days),
    )


# --- Scope ------------------------------------------------------------------------------------------
def test_a_brigade_supervisor_sees_their_brigade_only(
    org_units, drawn_plan, supervisor, client_for
):
    mine, theirs = make_unit("LD", name="莲都看板单位"), make_unit("LQ", name="龙泉看板单位")
    inspection(mine, plan=drawn_plan, visited_at=timezone.now())
    inspection(theirs, plan=drawn_plan)
    overdue_clock(inspection(theirs, kind="case"), org_units["LQ"])
    response, text = page(client_for(supervisor))
    assert response.status_code == 200
    plans = selectors.plan_coverage(
        scope=selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR)
    )
    assert [(p.drawn_n, p.visited_n) for p in plans] == [(1, 1)]
    assert "共 0 项已超期" in text


def test_another_brigade_is_a_404_for_a_brigade_supervisor(supervisor, client_for, api_for):
    response, _text = page(client_for(supervisor), query="?brigade=LQ")
    assert response.status_code == 404
    assert api_for(supervisor).get(API + "?brigade=LQ").status_code == 404
    response, _text = page(client_for(supervisor), query="?brigade=LD")
    assert response.status_code == 200


def test_the_detachment_sees_every_brigade_or_the_one_it_picks(
    org_units, drawn_plan, chief, client_for, api_for
):
    inspection(make_unit("LD"), plan=drawn_plan)
    inspection(make_unit("LQ"), plan=drawn_plan)
    body = api_for(chief).get(API).json()
    assert body["brigade"] is None
    assert [p["drawn"] for p in body["plans"]] == [2]
    body = api_for(chief).get(API + "?brigade=LQ").json()
    assert body["brigade"] == "LQ"
    assert [p["drawn"] for p in body["plans"]] == [1]
    _response, text = page(client_for(chief), query="?brigade=LQ")
    assert "范围：" in text
    assert org_units["LQ"].display_name in text


@pytest.mark.parametrize(
    "query", ["?year=abc", "?year=1999", "?brigade=ZZ", "?year=&brigade=", "?page=x"]
)
def test_bad_filters_are_told_and_the_page_still_answers(chief, client_for, query):
    response, text = page(client_for(chief), query=query)
    assert response.status_code == 200
    if query in ("?year=abc", "?year=1999", "?brigade=ZZ"):
        assert "提交的信息有误" in text
    assert f"{YEAR} 年度" in text


@pytest.mark.parametrize(
    ("query", "field"), [("?year=1999", "year"), ("?year=x", "year"), ("?brigade=ZZ", "brigade")]
)
def test_bad_api_filters_are_400_with_the_field(chief, api_for, query, field):
    response = api_for(chief).get(API + query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("persona", ["inspector", "legal_officer", "discipline_officer", "citizen"])
def test_other_roles_are_refused(request, client_for, persona):
    user = request.getfixturevalue(persona)
    assert page(client_for(user))[0].status_code == 403


# --- Sections ---------------------------------------------------------------------------------------
def test_inspector_load_counts_assignments_per_officer(
    org_units, drawn_plan, supervisor, client_for
):
    busy, calm = officer("LD", real_name="忙碌检查员"), officer("LD", real_name="清闲检查员")
    other = officer("LD")
    for _ in range(3):
        inspection(make_unit("LD"), plan=drawn_plan, officers=(busy, other))
    inspection(make_unit("LD"), kind="case", officers=(calm, busy))
    inspection(make_unit("LD"), plan=drawn_plan, officers=(calm, other), status="cancelled")
    rows = {
        r["officer__real_name"]: (r["total"], r["open_n"], r["drawn_n"])
        for r in selectors.inspector_load(
            scope=selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR)
        )
    }
    assert rows["忙碌检查员"] == (4, 4, 3)
    assert rows["清闲检查员"] == (1, 1, 0)
    _response, text = page(client_for(supervisor))
    assert "忙碌检查员" in text
    assert "平均每人" in text


def test_overdue_clocks_are_counted_and_the_oldest_named(org_units, supervisor, client_for):
    unit = make_unit("LD", name="超期看板单位")
    subject = inspection(unit, kind="case")
    overdue_clock(subject, org_units["LD"], days=5)
    live_not_due = overdue_clock(inspection(make_unit("LD"), kind="case"), org_units["LD"], days=-3)
    assert live_not_due.due_at > timezone.now()
    board = selectors.overdue_clocks(
        scope=selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR),
        now=timezone.now(),
    )
    assert board.total == 1
    assert board.oldest[0][1] == subject
    _response, text = page(client_for(supervisor))
    assert "共 1 项已超期" in text
    assert subject.reference in text
    assert "超期看板单位" in text


def test_every_chart_has_its_table_and_a_name(supervisor, client_for):
    _response, text = page(client_for(supervisor))
    for chart in ("chart-coverage", "chart-clocks", "chart-cap", "chart-load", "chart-hazards"):
        assert f'id="{chart}" role="img" aria-labelledby="{chart}-title {chart}-desc"' in text
    assert text.count("<table>") >= 5
    assert text.count("<h1>") == 1
    assert "<script" not in text


# --- The cap's proof on the page --------------------------------------------------------------------
def test_the_page_and_the_refusal_both_read_capped_inspections(
    a_unit, drawn_plan, supervisor, client_for, monkeypatch
):
    inspection(a_unit, plan=drawn_plan, visited_at=timezone.now())
    url = reverse("inspections:dashboard_capped_units")
    assert a_unit.name in client_for(supervisor).get(url).content.decode()
    calls = []
    real = selectors.capped_inspections

    def spy(*, year):
        calls.append(year)
        return real(year=year).none()  # the query says nothing counts …

    monkeypatch.setattr(selectors, "capped_inspections", spy)
    page = client_for(supervisor).get(url).content.decode()
    assert a_unit.name not in page  # … so the page shows nothing …
    intake.check_cap(enterprise=a_unit, kind="special_campaign", on=timezone.localdate())
    assert calls
    assert set(calls) == {YEAR}


def test_the_page_shows_the_rule_and_says_when_a_unit_is_over_it(
    org_units, drawn_plan, supervisor, client_for
):
    unit = make_unit("LD", credit_rating="A", name="超限测试单位")
    text = client_for(supervisor).get(reverse("inspections:dashboard")).content.decode()
    assert "没有单位超过年度上限" in text
    assert "每年至多 1 次" in text
    assert "双随机抽查" in text
    for _ in range(2):  # data written around the door (a repair script, an import): shown
        inspection(unit, plan=drawn_plan)
    text = client_for(supervisor).get(reverse("inspections:dashboard")).content.decode()
    assert "有 1 家单位超过年度上限" in text
    assert "超限测试单位" in text
    assert "（超过上限）" in text


# --- Constant queries -------------------------------------------------------------------------------
def _more_data(org_units, creator, n):
    p = plan(created_by=creator, brigades=("LD", "LQ"))
    people = (officer("LD"), officer("LD"))
    for i in range(n):
        unit = make_unit("LD" if i % 2 else "LQ", credit_rating="A" if i % 3 == 0 else "B")
        done = inspection(unit, plan=p, officers=people, visited_at=timezone.now(), status="closed")
        inspection(unit, kind="joint", officers=people)
        overdue_clock(inspection(unit, kind="case", officers=people), unit.brigade)
        assert done.pk


# The user's unit comes with the user, the footer's contact from memory (ADR 0033).
@pytest.mark.parametrize(("persona", "expected"), [("supervisor", 14), ("chief", 14)])
def test_the_dashboard_costs_the_same_queries_at_two_data_sizes(
    request, org_units, client_for, django_assert_num_queries, persona, expected
):
    # session, user, the brigade supervisor's own unit; brigades; coverage 1; clocks 4 (count by
    # rule, the oldest, their complaints and inspections); the cap's grades, summary and top
    # rows 3; load 1; hazards 2; the footer's detachment contact (the session is written at most
    # once a minute, not on these requests).
    user = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse(DASHBOARD)
    _more_data(org_units, user, 2)
    client.get(url)  # warm: session, content types, translations
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    _more_data(org_units, user, 12)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_the_capped_units_page_costs_the_same_queries_at_two_data_sizes(
    org_units, chief, client_for, django_assert_num_queries
):
    client = client_for(chief)
    url = reverse("inspections:dashboard_capped_units")
    _more_data(org_units, chief, 2)
    client.get(url)
    with django_assert_num_queries(CAPPED_QUERIES):
        client.get(url)
    _more_data(org_units, chief, 12)
    with django_assert_num_queries(CAPPED_QUERIES):
        client.get(url)


# The staff session is written at most once a minute; the footer's contact is read from memory.
CAPPED_QUERIES = 8


# --- Coverage and hazards ---------------------------------------------------------------------------
def _publish(i, by):
    from inspections.models import PublishedResult

    PublishedResult.objects.create(plan=i.plan, inspection=i, published_by=by)


def _finding(i, by, *, on_spot=False):
    from inspections.models import InspectionFinding, ViolationCode

    code, _created = ViolationCode.objects.get_or_create(
        code="DASH-01", defaults={"title": "疏散通道堵塞", "legal_basis": "《消防法》第二十八条"}
    )
    InspectionFinding.objects.create(
        inspection=i,
        violation=code,
        description="疏散通道堆放杂物",
        location="一层",
        corrected_on_spot=on_spot,
        created_by=by,
    )


def _ordered(unit, p, *, rectify_by, status="rectifying"):
    return inspection(
        unit,
        plan=p,
        status=status,
        visited_at=timezone.now() - dt.timedelta(days=20),
        result="ordered_to_correct",
        rectify_by=rectify_by,
    )


def _recheck(original, *, rectified_on=None, result="no_problem"):
    return inspection(
        original.enterprise,
        kind="recheck",
        follows=original,
        status="closed",
        visited_at=timezone.now(),
        result=result,
        rectified_on=rectified_on,
    )


def test_coverage_counts_drawn_visited_rectified_and_published(org_units, supervisor, client_for):
    p = plan(created_by=supervisor, title="看板覆盖测试计划")
    today = timezone.localdate()
    visited = inspection(make_unit("LD"), plan=p, status="closed", visited_at=timezone.now())
    _publish(visited, supervisor)
    inspection(make_unit("LD"), plan=p)  # drawn, not yet visited
    inspection(make_unit("LD"), plan=p, status="cancelled")  # not counted
    fixed = _ordered(make_unit("LD"), p, rectify_by=today, status="closed")
    _ordered(make_unit("LD"), p, rectify_by=today)
    draft = plan(created_by=supervisor, status="draft", title="看板草稿计划")
    last_year = plan(created_by=supervisor, year=YEAR - 1, title="看板去年计划")
    rows = {
        x.title: (x.drawn_n, x.visited_n, x.ordered_n, x.rectified_n, x.published_n)
        for x in selectors.plan_coverage(
            scope=selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR)
        )
    }
    assert rows == {"看板覆盖测试计划": (4, 3, 2, 1, 1)}
    assert draft.title not in rows
    assert last_year.title not in rows
    assert fixed.status == "closed"
    _response, text = page(client_for(supervisor))
    assert "看板覆盖测试计划" in text
    assert "75%" in text


def test_a_plan_sampling_another_brigade_only_is_not_shown(org_units, supervisor, chief):
    p = plan(created_by=chief, brigades=("LQ",), title="龙泉看板计划")
    inspection(make_unit("LQ"), plan=p)
    ld = selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR)
    everyone = selectors.DashboardScope(brigade_ids=None, year=YEAR)
    assert [x.title for x in selectors.plan_coverage(scope=ld)] == []
    assert [x.title for x in selectors.plan_coverage(scope=everyone)] == ["龙泉看板计划"]


@pytest.mark.parametrize(
    ("done_offset", "result", "on_time"),
    [
        (-1, "no_problem", True),
        (0, "no_problem", True),
        (1, "no_problem", False),
        (0, "further_action", False),
    ],
)
def test_rectified_on_time_is_counted_as_the_visits_rule_counts_it(
    org_units, supervisor, done_offset, result, on_time
):
    from inspections import rules_visits as rules

    p = plan(created_by=supervisor)
    deadline = timezone.localdate() - dt.timedelta(days=3)
    original = _ordered(make_unit("LD"), p, rectify_by=deadline, status="closed")
    done = deadline + dt.timedelta(days=done_offset)
    _recheck(original, rectified_on=done, result=result)
    expected = rules.rectified_on_time(
        rectify_by=deadline, done_on=done, passed=rules.recheck_passed(result)
    )
    assert expected is on_time
    (row,) = selectors.hazards(
        scope=selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR),
        today=timezone.localdate(),
        brigades=[org_units["LD"]],
    )
    assert (row["ordered"], row["on_time"], row["late"]) == (1, int(on_time), int(not on_time))


def test_the_day_the_unit_asked_for_the_recheck_counts_when_the_officers_noted_none(
    org_units, supervisor
):
    p = plan(created_by=supervisor)
    deadline = timezone.localdate() - dt.timedelta(days=3)
    original = _ordered(make_unit("LD"), p, rectify_by=deadline, status="closed")
    Inspection.objects.filter(pk=original.pk).update(
        recheck_requested_at=timezone.make_aware(dt.datetime.combine(deadline, dt.time(23, 30)))
    )
    _recheck(original, rectified_on=None)
    (row,) = selectors.hazards(
        scope=selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR),
        today=timezone.localdate(),
        brigades=[org_units["LD"]],
    )
    assert row["on_time"] == 1  # 23:30 local on the deadline day is still that day


def test_hazards_count_findings_and_orders_still_open_past_their_deadline(
    org_units, supervisor, client_for
):
    p = plan(created_by=supervisor)
    today = timezone.localdate()
    visited = inspection(make_unit("LD"), plan=p, status="closed", visited_at=timezone.now())
    _finding(visited, supervisor, on_spot=True)
    late = _ordered(make_unit("LD"), p, rectify_by=today - dt.timedelta(days=1))
    _finding(late, supervisor)
    _ordered(make_unit("LD"), p, rectify_by=today)  # due today: not late yet
    (row,) = selectors.hazards(
        scope=selectors.DashboardScope(brigade_ids=(org_units["LD"].pk,), year=YEAR),
        today=today,
        brigades=[org_units["LD"]],
    )
    assert (row["found"], row["on_spot"], row["ordered"], row["open_late"]) == (2, 1, 2, 1)
    hazards = client_for(supervisor).get(API).json() and None
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(supervisor)
    (ld,) = api.get(API).json()["hazards"]
    assert ld == {
        "brigade": "LD",
        "found": 2,
        "corrected_on_spot": 1,
        "ordered_to_correct": 2,
        "rectified_on_time": 0,
        "late_or_not_rectified": 0,
        "open_past_deadline": 1,
    }
    assert hazards is None
