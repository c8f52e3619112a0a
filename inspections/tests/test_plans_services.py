"""Plans from the draft to the draw: publishing freezes, versions, the commitment, one draw,
voiding with a reason, and who the candidates are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections.models import (
    Inspection,
    InspectionKind,
    InspectionPlan,
    InspectionStatus,
    PlanStatus,
)
from inspections.services import plans as services
from inspections.tests.plans_support import certify, make_plan, plan_kwargs
from lishui_fire.core.errors import Conflict, StaleState
from lishui_fire.enterprises.models import CreditEvent, CreditGrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_enterprise, make_user, org_units):
    """Six general units and two crowded key units in LD, one unit in LQ, three inspectors."""
    units = [make_enterprise(credit_rating="B") for _ in range(6)]
    key = [make_enterprise(key_unit=True, venue_type="hotel") for _ in range(2)]
    lq = make_enterprise(brigade=org_units["LQ"])
    officers = [certify(make_user("inspector", "LD")) for _ in range(3)]
    return {"general": units, "key": key, "lq": lq, "officers": officers}


def candidate_ids(plan):
    return {c["id"] for c in plan.published_data["candidates"]}


# --- Drafts -------------------------------------------------------------------------------------
def test_a_brigade_supervisor_writes_a_draft_for_their_brigade(supervisor, org_units):
    plan = services.create_plan(actor=supervisor, **plan_kwargs(org_units))
    assert plan.status == PlanStatus.DRAFT
    assert [b.code for b in plan.brigades.all()] == ["LD"]
    assert next(i.text for i in plan.items.all()) == "消防安全责任制落实情况"
    # one ratio per (class, grade) from the grades' multipliers: general B = 0.5 × 1
    ratios = {(r.venue_class, r.grade): r.ratio for r in plan.ratios.all()}
    assert ratios[("general", "B")] == Decimal("0.5000")
    assert ratios[("general", "A")] == Decimal("0.2500")
    assert ratios[("general", "D")] == Decimal("1.0000")
    assert len(ratios) == 2 * CreditGrade.objects.count()
    assert not plan.seed
    assert not plan.seed_commitment


def test_a_brigade_supervisor_cannot_plan_for_another_brigade(supervisor, org_units):
    with pytest.raises(ValidationError) as caught:
        services.create_plan(actor=supervisor, **plan_kwargs(org_units, brigades=("LQ",)))
    assert "brigades" in caught.value.message_dict
    assert not InspectionPlan.objects.exists()


def test_a_detachment_supervisor_plans_for_several_brigades(chief, org_units):
    plan = services.create_plan(actor=chief, **plan_kwargs(org_units, brigades=("LD", "LQ")))
    assert {b.code for b in plan.brigades.all()} == {"LD", "LQ"}


@pytest.mark.parametrize("persona", ["inspector", "administrator", "legal_officer", "citizen"])
def test_nobody_else_writes_plans(request, persona, org_units):
    with pytest.raises(PermissionDenied):
        services.create_plan(actor=request.getfixturevalue(persona), **plan_kwargs(org_units))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"classes": {}}, "classes"),
        ({"classes": {"general": Decimal("0")}}, "classes"),
        ({"classes": {"general": Decimal("1.01")}}, "classes"),
        ({"classes": {"nonsense": Decimal("0.1")}}, "classes"),
        ({"items": []}, "items"),
        ({"items": [("A", " ")]}, "items"),
        ({"brigades": []}, "brigades"),
        ({"period_end": dt.date(2000, 1, 1)}, "period_end"),
    ],
)
def test_a_bad_draft_is_refused_field_by_field_and_nothing_is_written(
    supervisor, org_units, change, field
):
    with pytest.raises(ValidationError) as caught:
        services.create_plan(actor=supervisor, **plan_kwargs(org_units, **change))
    assert field in caught.value.message_dict
    assert not InspectionPlan.objects.exists()


# --- Publication --------------------------------------------------------------------------------
def test_publishing_freezes_the_plan_with_its_commitment(supervisor, org_units, world):
    plan = make_plan(supervisor, state="published")
    assert plan.status == PlanStatus.PUBLISHED
    assert plan.published_at
    drawing = services.drawing
    assert plan.seed
    assert plan.seed_commitment == drawing.seed_commitment(plan.seed)
    assert plan.candidates_fingerprint == drawing.candidates_fingerprint(plan.published_data)
    assert plan.inspectors_fingerprint == drawing.inspectors_fingerprint(plan.published_data)
    data = plan.published_data
    assert data["plan"] == plan.pk
    assert data["version"] == 1
    assert candidate_ids(plan) == {e.pk for e in world["general"] + world["key"]}
    assert {i["id"] for i in data["inspectors"]} == {o.pk for o in world["officers"]}
    first = data["candidates"][0]
    assert set(first) == {"id", "name", "uscc", "brigade", "class", "grade"}
    assert first["brigade"] == "LD"
    with pytest.raises(Conflict):
        services.update_draft_plan(actor=supervisor, plan=plan, **plan_kwargs(org_units))


def test_the_published_ratios_stay_as_they_were_when_a_grade_changes(supervisor, world):
    plan = make_plan(supervisor, state="published")
    CreditGrade.objects.filter(code="B").update(sampling_multiplier=Decimal("1.50"))
    plan.refresh_from_db()
    ratios = {(r["class"], r["grade"]): r["ratio"] for r in plan.published_data["ratios"]}
    assert ratios[("general", "B")] == "0.5000"
    assert plan.ratios.get(venue_class="general", grade="B").ratio == Decimal("0.5000")


def test_the_seed_is_never_in_the_audit_log(supervisor, world):
    from auditlog.models import LogEntry

    plan = make_plan(supervisor, state="published")
    for entry in LogEntry.objects.filter(object_pk=str(plan.pk)):
        assert plan.seed not in str(entry.changes)


def test_a_plan_is_published_once(supervisor, world):
    plan = make_plan(supervisor, state="published")
    with pytest.raises(StaleState):
        services.publish_plan(actor=supervisor, plan=plan)


def test_a_change_to_a_published_plan_is_a_new_version_with_its_reason(
    supervisor, org_units, world
):
    plan = make_plan(supervisor, state="published")
    with pytest.raises(ValidationError):
        services.revise_plan(actor=supervisor, plan=plan, reason=" ")
    revision = services.revise_plan(actor=supervisor, plan=plan, reason="增加检查事项")
    assert revision.version == 2
    assert revision.previous == plan
    assert revision.status == PlanStatus.DRAFT
    with pytest.raises(Conflict):  # one pending version at a time
        services.revise_plan(actor=supervisor, plan=plan, reason="again")
    services.update_draft_plan(
        actor=supervisor, plan=revision,
        **plan_kwargs(org_units, items=[*plan_kwargs(org_units)["items"], ("A4", "电气线路")]),
    )  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED  # the old version stays in force until then
    revision = services.publish_plan(actor=supervisor, plan=revision)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert plan.superseded_at
    assert plan.items.count() == 3
    assert revision.items.count() == 4
    assert revision.published_data["version"] == 2
    assert revision.seed_commitment != plan.seed_commitment


# --- The draw ----------------------------------------------------------------------------------
def test_the_draw_reveals_the_seed_and_creates_the_inspections(supervisor, world):
    plan = make_plan(supervisor, state="published")
    draw = services.draw_plan(actor=supervisor, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    assert draw.seed == plan.seed
    picked = services.selections(draw.result)
    assert picked  # crowded key units at 100%: at least those two
    inspections = Inspection.objects.filter(plan=plan)
    assert inspections.count() == len(picked)
    for inspection in inspections:
        assert inspection.kind == InspectionKind.RANDOM
        assert inspection.status == InspectionStatus.ASSIGNED
        assert inspection.brigade.code == "LD"
        officers = list(inspection.assignments.values_list("officer_id", "is_lead"))
        assert len(officers) == 2
        assert sorted(lead for _o, lead in officers) == [False, True]
    assert {e.pk for e in world["key"]} <= set(inspections.values_list("enterprise", flat=True))
    assert services.verify_plan_draw(plan)["matches"] is True


def test_a_plan_is_drawn_once(supervisor, world):
    plan = make_plan(supervisor, state="drawn")
    count = Inspection.objects.count()
    with pytest.raises(StaleState):
        services.draw_plan(actor=supervisor, plan=plan)
    stale = InspectionPlan.objects.get(pk=plan.pk)
    stale.status = PlanStatus.PUBLISHED  # a page loaded before the first draw
    with pytest.raises(StaleState):
        services.draw_plan(actor=supervisor, plan=stale)
    assert Inspection.objects.count() == count


def test_a_draft_cannot_be_drawn(supervisor, world):
    plan = make_plan(supervisor)
    with pytest.raises(StaleState):
        services.draw_plan(actor=supervisor, plan=plan)


def test_another_brigades_supervisor_cannot_draw(supervisor, make_user, world):
    plan = make_plan(supervisor, state="published")
    with pytest.raises(PermissionDenied):
        services.draw_plan(actor=make_user("brigade_supervisor", "LQ"), plan=plan)


def test_voiding_a_draw_needs_a_reason_keeps_it_and_opens_a_replacement(supervisor, world):
    plan = make_plan(supervisor, state="drawn")
    with pytest.raises(ValidationError):
        services.void_draw(actor=supervisor, plan=plan, reason="")
    visited = plan.inspections.first()
    Inspection.objects.filter(pk=visited.pk).update(
        status=InspectionStatus.RECORDED, visited_at=timezone.now()
    )
    replacement = services.void_draw(actor=supervisor, plan=plan, reason="名录库人员信息有误")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert plan.draw.is_void
    assert plan.draw.void_reason == "名录库人员信息有误"
    statuses = dict(plan.inspections.values_list("pk", "status"))
    assert statuses.pop(visited.pk) == InspectionStatus.RECORDED  # visited: kept
    assert set(statuses.values()) <= {InspectionStatus.CANCELLED}
    assert replacement.previous == plan
    assert replacement.change_reason == "名录库人员信息有误"
    assert replacement.status == PlanStatus.DRAFT
    with pytest.raises(StaleState):
        services.void_draw(actor=supervisor, plan=plan, reason="again")
    services.publish_plan(actor=supervisor, plan=replacement)
    replacement.refresh_from_db()
    assert replacement.seed_commitment
    assert replacement.seed_commitment != plan.seed_commitment
    # the unit visited under the void draw is no longer a candidate (open inspection)
    assert visited.enterprise_id not in candidate_ids(replacement)
    services.draw_plan(actor=supervisor, plan=replacement)
    assert services.verify_plan_draw(plan)["matches"] is True  # the void draw still verifies


def test_a_published_plan_whose_previous_version_was_drawn_meanwhile_is_refused(supervisor, world):
    plan = make_plan(supervisor, state="published")
    revision = services.revise_plan(actor=supervisor, plan=plan, reason="调整比例")
    services.draw_plan(actor=supervisor, plan=plan)
    with pytest.raises(Conflict):
        services.publish_plan(actor=supervisor, plan=revision)


# --- Candidates -------------------------------------------------------------------------------
def _inspect(enterprise, kind, *, officer, status=InspectionStatus.CLOSED, when=None, plan=None):
    from inspections.models import InspectionAssignment

    when = when or timezone.now()
    extra = {}
    if kind == InspectionKind.RECHECK:
        extra["follows"] = _inspect(
            enterprise, InspectionKind.COMPLAINT, officer=officer, when=when
        )
    inspection = Inspection.objects.create(
        reference=f"T{Inspection.objects.count() + 1}", kind=kind, enterprise=enterprise,
        brigade=enterprise.brigade, status=status, visited_at=when, plan=plan, **extra,
    )  # fmt: skip
    InspectionAssignment.objects.create(inspection=inspection, officer=officer, is_lead=True)
    return inspection


def test_units_with_an_open_inspection_are_not_candidates(supervisor, world):
    unit = world["general"][0]
    _inspect(unit, InspectionKind.COMPLAINT, officer=world["officers"][0], status="assigned")
    plan = make_plan(supervisor, state="published")
    assert unit.pk not in candidate_ids(plan)


def test_an_a_unit_inspected_once_this_year_by_a_capped_kind_is_not_a_candidate(supervisor, world):
    a_units = world["general"][:3]
    for unit in a_units:
        unit.credit_rating = "A"
        unit.save()
    other = make_plan(supervisor, state="drawn")  # another plan
    Inspection.objects.filter(plan=other).update(status="cancelled")  # out of the way
    _inspect(a_units[0], InspectionKind.RANDOM, officer=world["officers"][0], plan=other)
    _inspect(a_units[1], InspectionKind.JOINT, officer=world["officers"][0])
    last_year = timezone.now() - dt.timedelta(days=400)
    _inspect(
        a_units[2], InspectionKind.SPECIAL_CAMPAIGN, officer=world["officers"][0], when=last_year
    )
    plan = make_plan(supervisor, state="published")
    ids = candidate_ids(plan)
    assert a_units[0].pk not in ids
    assert a_units[1].pk not in ids
    assert a_units[2].pk in ids  # inspected last year: this year is a new year


@pytest.mark.parametrize(
    "kind", [InspectionKind.COMPLAINT, InspectionKind.PRE_OPENING, InspectionKind.LARGE_EVENT,
             InspectionKind.RECHECK, InspectionKind.CASE],
)  # fmt: skip
def test_inspections_that_are_not_capped_never_block_an_a_unit(supervisor, world, kind):
    unit = world["general"][0]
    unit.credit_rating = "A"
    unit.save()
    _inspect(unit, kind, officer=world["officers"][0])
    plan = make_plan(supervisor, state="published")
    assert unit.pk in candidate_ids(plan)


def test_a_cancelled_capped_inspection_does_not_count(supervisor, world):
    unit = world["general"][0]
    unit.credit_rating = "A"
    unit.save()
    _inspect(unit, InspectionKind.JOINT, officer=world["officers"][0], status="cancelled")
    plan = make_plan(supervisor, state="published")
    assert unit.pk in candidate_ids(plan)


def test_a_b_unit_inspected_this_year_stays_a_candidate(supervisor, world):
    unit = world["general"][0]
    _inspect(unit, InspectionKind.JOINT, officer=world["officers"][0])
    assert unit.pk in candidate_ids(make_plan(supervisor, state="published"))


def test_a_unit_penalised_last_year_is_in_the_penalised_class(supervisor, world):
    unit = world["general"][0]
    year = dt.date.today().year
    CreditEvent.objects.create(
        enterprise=unit, kind="penalty", occurred_on=dt.date(year - 1, 12, 31), source="t:1"
    )
    this_year = world["general"][1]
    CreditEvent.objects.create(
        enterprise=this_year, kind="penalty", occurred_on=dt.date(year, 1, 1), source="t:2"
    )
    plan = make_plan(supervisor, state="published")  # general and crowded key only
    ids = candidate_ids(plan)
    assert unit.pk not in ids
    assert this_year.pk in ids
    penalised = make_plan(supervisor, state="published", classes={"penalised": Decimal("1")})
    assert [(c["id"], c["class"]) for c in penalised.published_data["candidates"]] == [
        (unit.pk, "penalised")
    ]


def test_the_last_pair_of_a_unit_is_published(supervisor, world):
    from inspections.models import InspectionAssignment

    unit = world["general"][0]
    a, b, c = world["officers"]
    old = _inspect(
        unit, InspectionKind.COMPLAINT, officer=c, when=timezone.now() - dt.timedelta(days=9)
    )
    InspectionAssignment.objects.create(inspection=old, officer=a)
    Inspection.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=9))
    last = _inspect(unit, InspectionKind.COMPLAINT, officer=a)
    InspectionAssignment.objects.create(inspection=last, officer=b)
    plan = make_plan(supervisor, state="published")
    assert {"candidate": unit.pk, "inspectors": sorted([a.pk, b.pk])} in (
        plan.published_data["previous_pairs"]
    )


# --- Verification ------------------------------------------------------------------------------
def test_verification_reports_a_mismatch_when_stored_data_is_tampered(supervisor, world):
    plan = make_plan(supervisor, state="drawn")
    data = plan.published_data
    data["candidates"] = data["candidates"][1:]
    InspectionPlan.objects.filter(pk=plan.pk).update(published_data=data)
    report = services.verify_plan_draw(InspectionPlan.objects.get(pk=plan.pk))
    assert report["matches"] is False
    failed = {c["code"] for c in report["checks"] if not c["ok"]}
    assert "candidates_fingerprint" in failed


def test_verification_reports_a_mismatch_when_the_result_is_tampered(supervisor, world):
    plan = make_plan(supervisor, state="drawn")
    draw = plan.draw
    draw.result = {"selected": draw.result["selected"][1:]}
    draw.save()
    report = services.verify_plan_draw(InspectionPlan.objects.get(pk=plan.pk))
    assert report["matches"] is False
    assert {c["code"] for c in report["checks"] if not c["ok"]} >= {"result", "inspections"}


def test_verification_reports_a_mismatch_when_the_seed_is_changed(supervisor, world):
    plan = make_plan(supervisor, state="drawn")
    plan.draw.seed = "00" * 32
    plan.draw.save()
    report = services.verify_plan_draw(InspectionPlan.objects.get(pk=plan.pk))
    assert not report["matches"]
    assert not next(c for c in report["checks"] if c["code"] == "seed_commitment")["ok"]


# --- Results and their publication clock (DOMAIN.md §2.3) ----------------------------------------
def test_a_visit_starts_the_publication_clock_late_results_show_and_publishing_stops_it(
    supervisor, world, client
):
    """A plan inspection's confirmed visit starts the 20-working-day publication clock; once it
    has run out the public plan page names the unit as late; publishing the results stops the
    clock (met or late, never left running) and the unit leaves the late list."""
    import time_machine
    from django.urls import reverse

    from inspections import selectors_plans
    from inspections.tests.visits_helpers import confirm_both, record
    from lishui_fire.core import clocks

    plan = make_plan(supervisor, state="drawn")
    inspection = Inspection.objects.filter(plan=plan).order_by("pk").first()
    first, second = [a.officer for a in inspection.assignments.order_by("-is_lead", "pk")]
    record(inspection, first, "no_problem")
    inspection = confirm_both(inspection, first, second)
    clock = selectors_plans.publication_clocks([inspection]).get()
    assert clock.stopped_at is None
    assert clock.rule.count == 20
    page = reverse("inspections:plan", args=[plan.pk])
    assert inspection.enterprise.name not in _late_section(client.get(page).content.decode())
    with time_machine.travel(clock.due_at + dt.timedelta(days=1), tick=False):
        late = _late_section(client.get(page).content.decode())
        assert inspection.enterprise.name in late
        published = services.publish_plan_results(actor=supervisor, plan=plan)
        assert [p.inspection_id for p in published] == [inspection.pk]
        clock.refresh_from_db()
        assert clock.stopped_at is not None
        assert clocks.live_clock(inspection, clock.milestone) is None
        assert inspection.enterprise.name not in _late_section(client.get(page).content.decode())
    # publishing again publishes nothing new
    assert services.publish_plan_results(actor=supervisor, plan=plan) == []


def _late_section(html: str) -> str:
    """The part of the public plan page that lists late results (empty when none is late)."""
    start = html.find("以下单位的检查结果已超过公开期限尚未公开")
    return "" if start < 0 else html[start : html.find("</div>", start)]
