"""Recalculation proposals, their decision, the scale page and the dishonesty listing's event."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import EnterpriseFactory
from lishui_fire.accounts.models import Role
from lishui_fire.core.errors import Forbidden, StaleState
from lishui_fire.core.models import StatusChange
from lishui_fire.enterprises import services
from lishui_fire.enterprises.models import (
    CreditEvent,
    CreditGrade,
    CreditGradeProposal,
    CreditRatingChange,
    CreditScoringRuleSet,
    ProposalStatus,
    RatingSource,
)

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def event(enterprise, kind, n=1, *, days_ago=10):
    for i in range(n):
        services.record_credit_event(
            enterprise=enterprise,
            kind=kind,
            occurred_on=today() - dt.timedelta(days=days_ago),
            source=f"test:{kind}:{enterprise.pk}:{i}:{days_ago}",
            note=f"测试记录 {kind}",
        )


@pytest.fixture
def unit(org_units):
    return EnterpriseFactory(credit_rating="B", brigade=org_units["LD"])


@pytest.fixture
def lq_unit(org_units):
    return EnterpriseFactory(credit_rating="B", brigade=org_units["LQ"])


def pending(enterprise):
    return CreditGradeProposal.objects.filter(enterprise=enterprise, status="pending")


# --- The seeded rule set --------------------------------------------------------------------------
def test_the_seeded_rule_set_is_labelled_provisional_with_its_basis():
    rule_set = CreditScoringRuleSet.objects.get()
    assert rule_set.provisional
    assert "待支队书面评定规则" in rule_set.name
    assert "DOMAIN.md §3.1" in rule_set.basis
    assert rule_set.weights.count() == 8
    assert sorted(rule_set.thresholds.values_list("grade_code", flat=True)) == list("ABCD")


# --- Proposing --------------------------------------------------------------------------------------
def test_a_unit_whose_record_matches_its_grade_gets_no_proposal(unit):
    totals = services.propose_grades(enterprises=[unit])
    assert totals["created"] == 0
    assert not pending(unit).exists()


def test_a_record_that_earns_another_grade_is_proposed_with_its_facts(unit):
    event(unit, "false_commitment")
    services.propose_grades(enterprises=[unit])
    proposal = pending(unit).get()
    assert (proposal.current_rating, proposal.proposed_rating, proposal.score) == ("B", "C", 50)
    assert proposal.facts[0]["kind"] == "false_commitment"
    assert proposal.facts[0]["event_ids"] == list(
        CreditEvent.objects.filter(enterprise=unit).values_list("pk", flat=True)
    )
    assert unit.credit_rating == "B"  # nothing changes until a supervisor decides


def test_proposing_again_on_the_same_record_is_idempotent(unit, lq_unit):
    event(unit, "commendation")
    first = services.propose_grades(brigade_id=None)
    again = services.propose_grades(brigade_id=None)
    assert first["created"] == 1
    assert again == {**first, "created": 0, "unchanged": 1}
    assert CreditGradeProposal.objects.filter(enterprise=unit).count() == 1


def test_a_changed_record_supersedes_the_pending_proposal(unit, supervisor):
    event(unit, "commendation")
    services.propose_grades(enterprises=[unit])
    old = pending(unit).get()
    event(unit, "false_commitment", days_ago=3)
    services.propose_grades(enterprises=[unit], actor=supervisor)
    old.refresh_from_db()
    assert old.status == ProposalStatus.SUPERSEDED
    assert pending(unit).get().proposed_rating == "C"
    assert StatusChange.objects.filter(object_id=str(old.pk), to_status="superseded").exists()


def test_a_record_back_in_line_with_the_grade_supersedes_the_stale_proposal(unit):
    event(unit, "commendation", days_ago=700)
    services.propose_grades(enterprises=[unit], today=today())
    assert pending(unit).exists()
    # 31 days later the commendation has left the two-year window: B again, nothing to confirm.
    services.propose_grades(enterprises=[unit], today=today() + dt.timedelta(days=31))
    assert not pending(unit).exists()


def test_a_brigade_batch_touches_only_that_brigade(unit, lq_unit, org_units):
    event(unit, "commendation")
    event(lq_unit, "commendation")
    services.propose_grades(brigade_id=org_units["LQ"].pk)
    assert not pending(unit).exists()
    assert pending(lq_unit).exists()


def test_the_batch_runs_in_chunks(monkeypatch, org_units):
    from lishui_fire.enterprises.services import grading

    monkeypatch.setattr(grading, "BATCH_SIZE", 2)
    units = [EnterpriseFactory(credit_rating="B") for _ in range(5)]
    for u in units:
        event(u, "commendation")
    totals = services.propose_grades(brigade_id=org_units["LD"].pk)
    assert totals["units"] == 5
    assert totals["created"] == 5


def test_the_recalculation_task_is_queued_through_the_jobs_door_for_the_brigade(
    unit, lq_unit, supervisor, django_capture_on_commit_callbacks
):
    event(unit, "commendation")
    event(lq_unit, "commendation")
    with django_capture_on_commit_callbacks(execute=True):
        brigade = services.request_grade_recalculation(actor=supervisor)
    assert brigade == supervisor.org_unit_id
    assert pending(unit).exists()
    assert not pending(lq_unit).exists()


def test_a_brigade_supervisor_cannot_queue_another_brigade(supervisor, org_units):
    from lishui_fire.core.errors import DomainError

    with pytest.raises(DomainError):
        services.request_grade_recalculation(actor=supervisor, brigade_id=org_units["LQ"].pk)


def test_the_detachment_queues_every_brigade(
    unit, lq_unit, chief, django_capture_on_commit_callbacks
):
    event(unit, "commendation")
    event(lq_unit, "commendation")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_grade_recalculation(actor=chief)
    assert pending(unit).exists()
    assert pending(lq_unit).exists()


def test_inspectors_may_not_recalculate(inspector, unit):
    with pytest.raises(Forbidden):
        services.request_grade_recalculation(actor=inspector)
    with pytest.raises(Forbidden):
        services.propose_grade_for(enterprise=unit, actor=inspector)


def test_no_rule_set_in_force_is_a_clear_refusal(unit):
    from lishui_fire.core.errors import DomainError

    CreditScoringRuleSet.objects.update(effective_from=today() + dt.timedelta(days=1))
    with pytest.raises(DomainError, match="没有生效的信用评分规则"):
        services.propose_grades(enterprises=[unit])


def test_the_rule_set_in_force_is_the_latest_effective_one(unit):
    newer = CreditScoringRuleSet.objects.create(
        name="新规则",
        basis="丽消〔2027〕1号",
        effective_from=today(),
        provisional=False,
        base_score=95,
    )
    for code, minimum in [("A", 90), ("B", 70), ("C", 50), ("D", 0)]:
        newer.thresholds.create(grade_code=code, min_score=minimum)
    services.propose_grades(enterprises=[unit])
    proposal = pending(unit).get()
    assert (proposal.rule_set, proposal.proposed_rating) == (newer, "A")


# --- Deciding -------------------------------------------------------------------------------------
@pytest.fixture
def proposal(unit):
    event(unit, "commendation")
    services.propose_grades(enterprises=[unit])
    return pending(unit).get()


def test_confirming_changes_the_grade_with_source_recalculation_and_the_proposal(
    proposal, unit, supervisor
):
    services.decide_grade_proposal(
        proposal=proposal, decision="confirm", reason="", actor=supervisor
    )
    unit.refresh_from_db()
    proposal.refresh_from_db()
    assert unit.credit_rating == "A"
    assert (proposal.status, proposal.decided_rating, proposal.decided_by) == (
        "confirmed",
        "A",
        supervisor,
    )
    change = unit.rating_changes.first()
    assert (change.source, change.proposal, change.changed_by) == (
        RatingSource.RECALCULATION,
        proposal,
        supervisor,
    )
    assert (change.from_rating, change.to_rating, change.effective_from) == ("B", "A", today())
    assert LogEntry.objects.get_for_object(proposal).filter(actor=supervisor).exists()


def test_an_override_needs_a_reason_and_changes_nothing_without_one(proposal, unit, supervisor):
    with pytest.raises(ValidationError) as caught:
        services.decide_grade_proposal(
            proposal=proposal, decision="override", to_rating="B", reason="  ", actor=supervisor
        )
    assert "reason" in caught.value.message_dict
    proposal.refresh_from_db()
    unit.refresh_from_db()
    assert (proposal.status, unit.credit_rating) == ("pending", "B")


def test_an_override_to_the_current_grade_keeps_it_and_records_why(proposal, unit, supervisor):
    services.decide_grade_proposal(
        proposal=proposal, decision="override", to_rating="B", reason="表彰已撤销", actor=supervisor
    )
    proposal.refresh_from_db()
    unit.refresh_from_db()
    assert (proposal.status, proposal.decided_rating, unit.credit_rating) == (
        "overridden",
        "B",
        "B",
    )
    assert proposal.decision_reason == "表彰已撤销"
    assert not unit.rating_changes.filter(source=RatingSource.RECALCULATION).exists()
    assert StatusChange.objects.filter(
        object_id=str(proposal.pk), to_status="overridden", note="表彰已撤销"
    ).exists()


def test_an_override_to_another_grade_changes_it_with_the_reason(proposal, unit, chief):
    services.decide_grade_proposal(
        proposal=proposal,
        decision="override",
        to_rating="C",
        reason="现场复查发现新隐患",
        actor=chief,
    )
    change = CreditRatingChange.objects.filter(enterprise=unit).first()
    assert (change.to_rating, change.source, change.proposal_id) == (
        "C",
        "recalculation",
        proposal.pk,
    )
    assert "现场复查发现新隐患" in change.reason


@pytest.mark.parametrize(
    ("decision", "to_rating", "field"),
    [
        ("maybe", "", "decision"),
        ("override", "Z", "to_rating"),
        ("override", "", "to_rating"),
        ("override", "A", "to_rating"),  # the proposed grade: that is a confirmation
    ],
)
def test_bad_decisions_are_refused_field_by_field(proposal, supervisor, decision, to_rating, field):
    with pytest.raises(ValidationError) as caught:
        services.decide_grade_proposal(
            proposal=proposal,
            decision=decision,
            to_rating=to_rating,
            reason="理由",
            actor=supervisor,
        )
    assert field in caught.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_a_proposal_is_decided_once(proposal, supervisor, chief):
    services.decide_grade_proposal(
        proposal=proposal, decision="confirm", reason="", actor=supervisor
    )
    stale = CreditGradeProposal.objects.get(pk=proposal.pk)
    stale.status = "pending"  # a second supervisor's page, loaded before the first decided
    with pytest.raises(StaleState):
        services.decide_grade_proposal(proposal=stale, decision="confirm", reason="", actor=chief)
    assert CreditRatingChange.objects.filter(proposal=proposal).count() == 1


def test_only_supervisors_of_the_units_brigade_decide(
    proposal, make_user, inspector, legal_officer
):
    lq_supervisor = make_user(Role.BRIGADE_SUPERVISOR, unit="LQ")
    for actor in (lq_supervisor, inspector, legal_officer):
        with pytest.raises(Forbidden):
            services.decide_grade_proposal(
                proposal=proposal, decision="confirm", reason="", actor=actor
            )


# --- Manual changes name their source ---------------------------------------------------------------
def test_a_manual_change_records_its_source_and_effective_date(unit, supervisor):
    change = services.change_credit_rating(
        enterprise=unit,
        to_rating="C",
        reason="省平台推送",
        actor=supervisor,
        source=RatingSource.PROVINCIAL_IMPORT,
        effective_from=dt.date(2026, 11, 1),
    )
    assert (change.source, change.effective_from) == ("provincial_import", dt.date(2026, 11, 1))


def test_a_manual_change_may_not_pretend_to_be_a_recalculation(unit, supervisor):
    with pytest.raises(ValidationError) as caught:
        services.change_credit_rating(
            enterprise=unit, to_rating="C", reason="x", actor=supervisor, source="recalculation"
        )
    assert "source" in caught.value.message_dict


def test_registration_is_the_first_row_of_the_history(org_units):
    enterprise = services.create_enterprise(
        uscc="91331102MA2HXXXX1X"[:0] + __import__("conftest")._valid_uscc(77_001),
        name="登记测试单位",
        address="丽水市莲都区某路 1 号",
        brigade=org_units["LD"],
        venue_type="restaurant",
    )
    assert enterprise.rating_changes.get().source == RatingSource.REGISTRATION


# --- Dishonesty listing: a credit event, shown apart from the grade ---------------------------------
def test_a_listing_writes_one_dishonesty_event(unit, supervisor):
    listing = services.list_enterprise_as_dishonest(
        enterprise=unit,
        list_kind="serious",
        listed_on=today() - dt.timedelta(days=2),
        publication_ends_on=today() + dt.timedelta(days=365),
        source_document="丽消信〔2026〕9号",
        source_authority="丽水市消防救援支队",
        reason="拒不整改",
        actor=supervisor,
    )
    ev = CreditEvent.objects.get(enterprise=unit, kind="dishonesty_listed")
    assert ev.source == f"enterprises.DishonestyListing:{listing.pk}"
    assert ev.occurred_on == listing.listed_on
    services.propose_grades(enterprises=[unit])
    assert pending(unit).get().proposed_rating == "D"


def test_the_page_and_the_api_show_the_listing_apart_from_the_grade(
    unit, supervisor, client_for, api_for
):
    services.list_enterprise_as_dishonest(
        enterprise=unit,
        list_kind="ordinary",
        listed_on=today() - dt.timedelta(days=2),
        publication_ends_on=today() + dt.timedelta(days=90),
        source_document="丽消信〔2026〕10号",
        source_authority="丽水市消防救援支队",
        reason="逾期未整改",
        actor=supervisor,
    )
    page = client_for(supervisor).get(reverse("enterprises:detail", args=[unit.pk]))
    text = page.content.decode()
    ends = (today() + dt.timedelta(days=90)).isoformat()
    assert "失信名单（与等级分开）" in text
    assert f"至 {ends}" in text
    body = api_for(supervisor).get(f"/api/v1/enterprises/{unit.pk}/").json()
    assert body["credit_rating"] == "B"
    assert body["dishonesty_status"] == "ordinary"
    assert body["dishonesty_published_until"] == ends
    for field in ("uscc", "name", "county", "risk_level", "credit_rating"):
        assert field in body  # API.md's promise


def test_the_api_says_null_when_not_listed(unit, supervisor, api_for):
    body = api_for(supervisor).get(f"/api/v1/enterprises/{unit.pk}/").json()
    assert (body["dishonesty_status"], body["dishonesty_published_until"]) == ("none", None)


# --- Pages ------------------------------------------------------------------------------------------
def test_the_history_on_the_enterprise_page_shows_source_and_proposal(
    proposal, unit, supervisor, client_for
):
    client = client_for(supervisor)
    detail = client.get(reverse("enterprises:detail", args=[unit.pk])).content.decode()
    assert "待确认的等级建议" in detail
    assert "表彰奖励" in detail
    response = client.post(
        reverse("enterprises:decide_proposal", args=[proposal.pk]),
        {f"p{proposal.pk}-decision": "confirm", "next": "detail"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("enterprises:detail", args=[unit.pk])).content.decode()
    assert "系统重新计算后经确认" in detail
    assert "计算建议：A" in detail


def test_the_proposals_page_lists_the_facts_of_each(proposal, supervisor, client_for):
    text = client_for(supervisor).get(reverse("enterprises:grade_proposals")).content.decode()
    assert proposal.enterprise.name in text
    assert "表彰奖励" in text
    assert "测试记录 commendation" in text
    assert "临时规则" in text


def test_an_override_without_a_reason_on_the_page_is_a_400_that_changes_nothing(
    proposal, supervisor, client_for
):
    response = client_for(supervisor).post(
        reverse("enterprises:decide_proposal", args=[proposal.pk]),
        {f"p{proposal.pk}-decision": "override", f"p{proposal.pk}-to_rating": "C"},
    )
    assert response.status_code == 400
    assert "改定建议等级必须填写理由" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_another_brigades_proposal_is_a_404(proposal, make_user, client_for):
    lq_supervisor = make_user(Role.BRIGADE_SUPERVISOR, unit="LQ")
    client = client_for(lq_supervisor)
    url = reverse("enterprises:decide_proposal", args=[proposal.pk])
    assert client.post(url, {f"p{proposal.pk}-decision": "confirm"}).status_code == 404
    assert (
        proposal.enterprise.name
        not in client.get(reverse("enterprises:grade_proposals")).content.decode()
    )


def test_the_proposals_page_costs_the_same_queries_for_more_rows(
    supervisor, client_for, assert_num_queries_constant
):
    def more():
        for _ in range(3):
            u = EnterpriseFactory(credit_rating="B")
            event(u, "commendation")
            event(u, "rectified_on_time", 2)
        services.propose_grades(brigade_id=None)

    more()
    assert_num_queries_constant(
        client_for(supervisor),
        reverse("enterprises:grade_proposals"),
        more,
        # The staff session is no longer written per request; the user's unit comes with the
        # user and the footer's contact from the process's copy of the units (ADR 0033).
        expected=8,
    )


# --- The scale page -----------------------------------------------------------------------------------
def _grade_data(prefix, **overrides):
    data = {
        "label": "守信",
        "label_en": "trustworthy",
        "meaning": "降低抽查比例",
        "sort_order": "10",
        "sampling_multiplier": "0.30",
        "max_planned_inspections_per_year": "1",
        "basis": "丽消〔2027〕2号",
        "effective_from": "2027-01-01",
        **overrides,
    }
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_the_detachment_changes_a_grade_with_basis_and_date_and_it_is_audited(chief, client_for):
    grade = CreditGrade.objects.get(code="A")
    response = client_for(chief).post(
        reverse("enterprises:edit_credit_grade", args=[grade.pk]), _grade_data(f"g{grade.pk}")
    )
    assert response.status_code == 302
    grade.refresh_from_db()
    assert (str(grade.sampling_multiplier), grade.basis, grade.effective_from) == (
        "0.30",
        "丽消〔2027〕2号",
        dt.date(2027, 1, 1),
    )
    entry = LogEntry.objects.get_for_object(grade).latest("timestamp")
    assert entry.actor == chief
    assert "sampling_multiplier" in entry.changes_dict


def test_a_grade_change_without_a_basis_is_refused(chief, client_for):
    grade = CreditGrade.objects.get(code="A")
    response = client_for(chief).post(
        reverse("enterprises:edit_credit_grade", args=[grade.pk]),
        _grade_data(f"g{grade.pk}", basis="", sampling_multiplier="-1"),
    )
    assert response.status_code == 400
    grade.refresh_from_db()
    assert str(grade.sampling_multiplier) == "0.50"


def test_the_detachment_adds_a_grade(chief, client_for):
    response = client_for(chief).post(
        reverse("enterprises:add_credit_grade"),
        _grade_data("new", code="E", label="严重失信", max_planned_inspections_per_year=""),
    )
    assert response.status_code == 302
    assert CreditGrade.objects.get(code="E").max_planned_inspections_per_year is None


def test_a_duplicate_code_is_a_400(chief, client_for):
    response = client_for(chief).post(
        reverse("enterprises:add_credit_grade"), _grade_data("new", code="A")
    )
    assert response.status_code == 400
    assert CreditGrade.objects.filter(code="A").count() == 1


def test_a_brigade_supervisor_reads_the_scale_but_does_not_change_it(supervisor, client_for):
    client = client_for(supervisor)
    page = client.get(reverse("enterprises:credit_scale")).content.decode()
    assert "抽查比例系数" in page
    assert "修改等级" not in page
    grade = CreditGrade.objects.get(code="A")
    assert (
        client.post(
            reverse("enterprises:edit_credit_grade", args=[grade.pk]), _grade_data(f"g{grade.pk}")
        ).status_code
        == 403
    )


def test_a_unit_named_twice_in_one_batch_gets_one_proposal(unit):
    event(unit, "commendation")
    totals = services.propose_grades(enterprises=[unit, unit])
    assert totals["created"] == 1
