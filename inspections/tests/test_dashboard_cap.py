"""The page proves "at most once a year": its figures are the rows of the query that enforces
the cap (``selectors.capped_inspections``), counted by the same rule at every boundary."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inspections import selectors
from inspections.services import intake
from inspections.tests.dashboard_factories import inspection, local, plan
from inspections.tests.intake_factories import make_unit
from lishui_fire.core.errors import DomainError

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture
def a_unit(org_units):
    return make_unit("LD", credit_rating="A")


@pytest.fixture
def drawn_plan(supervisor):
    return plan(created_by=supervisor)


def scope(year=YEAR, brigade_ids=None):
    return selectors.DashboardScope(brigade_ids=brigade_ids, year=year)


def counted(unit, year=YEAR):
    return selectors.capped_inspections(year=year).filter(enterprise=unit).count()


# --- What counts ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "counts"),
    [
        ("random", True),
        ("special_campaign", True),
        ("joint", True),
        ("complaint", False),
        ("pre_opening", False),
        ("large_event", False),
        ("case", False),
    ],
)
def test_only_planned_random_campaign_and_joint_checks_count(a_unit, drawn_plan, kind, counts):
    inspection(a_unit, kind=kind, plan=drawn_plan if kind == "random" else None)
    assert counted(a_unit) == (1 if counts else 0)


def test_a_recheck_never_counts(a_unit, drawn_plan):
    first = inspection(a_unit, plan=drawn_plan, status="rectifying")
    inspection(a_unit, kind="recheck", follows=first)
    assert counted(a_unit) == 1


def test_a_cancelled_inspection_does_not_count(a_unit, drawn_plan):
    inspection(a_unit, plan=drawn_plan, status="cancelled")
    assert counted(a_unit) == 0


@pytest.mark.parametrize(
    ("visited", "created", "year", "counts"),
    [
        # Visited: the visit's moment decides, to the minute of local midnight.
        (local(YEAR, 1, 1, 0, 0), local(YEAR - 1, 12, 20), YEAR, True),
        (local(YEAR - 1, 12, 31, 23, 59), local(YEAR - 1, 12, 20), YEAR, False),
        (local(YEAR, 12, 31, 23, 59), local(YEAR, 12, 1), YEAR, True),
        (local(YEAR + 1, 1, 1, 0, 0), local(YEAR, 12, 1), YEAR, False),
        # Not visited yet: the opening's moment.
        (None, local(YEAR, 1, 1, 0, 0), YEAR, True),
        (None, local(YEAR - 1, 12, 31, 23, 59), YEAR, False),
    ],
)
def test_the_year_is_the_local_calendar_year(a_unit, drawn_plan, visited, created, year, counts):
    inspection(a_unit, plan=drawn_plan, visited_at=visited, created_at=created)
    assert counted(a_unit, year) == (1 if counts else 0)


# --- One query: the page's figure is the enforced one --------------------------------------------------
def test_intake_refuses_a_campaign_at_the_figure_the_dashboard_shows(
    a_unit, drawn_plan, supervisor
):
    inspection(a_unit, plan=drawn_plan, visited_at=timezone.now())
    row = selectors.capped_units(scope=scope(), grades=selectors.capped_grades()).get()
    assert (row["counted"], row["cap"]) == (1, 1)
    assert intake.capped_inspections_this_year(enterprise=a_unit, year=YEAR) == row["counted"]
    with pytest.raises(DomainError, match="上限"):
        intake.check_cap(enterprise=a_unit, kind="special_campaign", on=timezone.localdate())
    intake.check_cap(enterprise=a_unit, kind="complaint", on=timezone.localdate())  # never blocked


def test_units_are_listed_with_planned_and_other_counts_and_their_cap(org_units, drawn_plan):
    busy, quiet = make_unit("LD", credit_rating="A"), make_unit("LD", credit_rating="A")
    inspection(busy, plan=drawn_plan, visited_at=timezone.now())
    inspection(busy, kind="joint", created_at=timezone.now())
    inspection(quiet, kind="special_campaign")
    inspection(make_unit("LD", credit_rating="B"), plan=drawn_plan)  # no cap: not listed
    rows = list(selectors.capped_units(scope=scope(), grades=selectors.capped_grades()))
    assert [
        (r["enterprise_id"], r["counted"], r["random_n"], r["other_n"], r["cap"]) for r in rows
    ] == [
        (busy.pk, 2, 1, 1, 1),
        (quiet.pk, 1, 0, 1, 1),
    ]
    assert selectors.capped_summary(scope=scope(), grades=selectors.capped_grades()) == {
        "units": 2,
        "most": 2,
        "over": 1,
    }


def test_the_cap_is_the_grades_data_not_a_letter(org_units, drawn_plan):
    from lishui_fire.enterprises.models import CreditGrade

    CreditGrade.objects.filter(code="A").update(max_planned_inspections_per_year=2)
    CreditGrade.objects.filter(code="B").update(max_planned_inspections_per_year=3)
    a, b = make_unit("LD", credit_rating="A"), make_unit("LD", credit_rating="B")
    for _ in range(2):
        inspection(a, plan=drawn_plan)
    inspection(b, plan=drawn_plan)
    rows = {
        r["enterprise_id"]: r["cap"]
        for r in selectors.capped_units(scope=scope(), grades=selectors.capped_grades())
    }
    assert rows == {a.pk: 2, b.pk: 3}
    assert selectors.capped_summary(scope=scope(), grades=selectors.capped_grades())["over"] == 0


def test_the_scope_keeps_other_brigades_out(org_units, drawn_plan):
    mine, theirs = make_unit("LD", credit_rating="A"), make_unit("LQ", credit_rating="A")
    inspection(mine, plan=drawn_plan)
    inspection(theirs, plan=drawn_plan)
    ld = scope(brigade_ids=(org_units["LD"].pk,))
    assert [
        r["enterprise_id"]
        for r in selectors.capped_units(scope=ld, grades=selectors.capped_grades())
    ] == [mine.pk]


def test_the_draw_leaves_out_exactly_the_units_the_page_shows_at_their_cap(org_units, drawn_plan):
    from inspections.models import VenueClass
    from inspections.selectors_plans import plan_candidates

    at_cap, free, b_unit = (
        make_unit("LD", credit_rating="A"),
        make_unit("LD", credit_rating="A"),
        make_unit("LD", credit_rating="B"),
    )
    inspection(at_cap, plan=drawn_plan, status="closed", visited_at=timezone.now())
    inspection(b_unit, plan=drawn_plan, status="closed", visited_at=timezone.now())
    grades = selectors.capped_grades()
    shown_at_cap = {
        r["enterprise_id"]
        for r in selectors.capped_units(scope=scope(), grades=grades)
        if r["counted"] >= r["cap"]
    }
    candidates = {
        c["id"]
        for c in plan_candidates(
            brigade_ids=[org_units["LD"].pk], classes=VenueClass.values, year=YEAR
        )
    }
    assert shown_at_cap == {at_cap.pk}
    assert at_cap.pk not in candidates
    assert {free.pk, b_unit.pk} <= candidates
