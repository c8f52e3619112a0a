"""Visits and rectification through the services: the two officers, the results, the documents,
the clocks, the re-check and the credit record; every move the workflow does not list is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections.models import (
    Inspection,
    InspectionDocument,
    InspectionFinding,
    InspectionPlan,
    InspectionStatus,
)
from inspections.services import visits
from inspections.tests.visits_helpers import (
    add_finding,
    confirm_both,
    fresh,
    make_enterprise,
    make_inspection,
    make_officer,
    png_upload,
    record,
)
from lishui_fire.core import clocks
from lishui_fire.core.errors import Conflict, DomainError, IllegalTransition, StaleState
from lishui_fire.enterprises.models import CreditEvent

S = InspectionStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(org_units):
    return make_officer("LD", username="partner-ld", real_name="王检查")


@pytest.fixture
def inspection(inspector, partner):
    return make_inspection([inspector, partner])


def docs(inspection) -> set[str]:
    return set(
        InspectionDocument.objects.filter(inspection=inspection).values_list("kind", flat=True)
    )


# --- Creating and scheduling -------------------------------------------------------------------
def test_an_inspection_needs_two_officers_of_the_units_brigade(inspector, partner, other_inspector):
    enterprise = make_enterprise("LD")
    with pytest.raises(ValidationError, match="两名"):
        visits.create_inspection(kind="complaint", enterprise=enterprise, officers=[inspector])
    with pytest.raises(ValidationError, match="两名"):
        visits.create_inspection(
            kind="complaint", enterprise=enterprise, officers=[inspector, inspector]
        )
    with pytest.raises(ValidationError, match="不是本大队"):
        visits.create_inspection(
            kind="complaint", enterprise=enterprise, officers=[inspector, other_inspector]
        )
    made = visits.create_inspection(
        kind="complaint", enterprise=enterprise, officers=[inspector, partner]
    )
    assert made.status == S.ASSIGNED
    assert made.brigade == enterprise.brigade
    assert made.reference.startswith(f"JC{timezone.localdate().year}LD")
    lead = made.assignments.get(is_lead=True)
    assert lead.officer == inspector


def test_a_person_creating_an_inspection_must_supervise_the_brigade(
    inspector, partner, supervisor, other_inspector
):
    enterprise = make_enterprise("LD")
    with pytest.raises(PermissionDenied):
        visits.create_inspection(
            kind="complaint", enterprise=enterprise, officers=[inspector, partner], actor=inspector
        )
    made = visits.create_inspection(
        kind="complaint", enterprise=enterprise, officers=[inspector, partner], actor=supervisor
    )
    assert made.created_by == supervisor


def test_schedule_plans_and_moves_the_date(inspection, inspector, supervisor):
    day = timezone.localdate() + dt.timedelta(days=3)
    visits.schedule_inspection(inspection=inspection, actor=inspector, planned_date=day)
    assert fresh(inspection).status == S.SCHEDULED
    assert fresh(inspection).planned_date == day
    later = day + dt.timedelta(days=2)
    visits.schedule_inspection(inspection=fresh(inspection), actor=supervisor, planned_date=later)
    assert fresh(inspection).planned_date == later


def test_schedule_refuses_the_past_and_strangers(inspection, inspector, make_user, legal_officer):
    with pytest.raises(ValidationError) as info:
        visits.schedule_inspection(
            inspection=inspection,
            actor=inspector,
            planned_date=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "planned_date" in info.value.message_dict
    stranger = make_officer("LD")
    for actor in (stranger, legal_officer):
        with pytest.raises(PermissionDenied):
            visits.schedule_inspection(
                inspection=inspection, actor=actor, planned_date=timezone.localdate()
            )
    assert fresh(inspection).status == S.ASSIGNED


# --- The four results ----------------------------------------------------------------------------
def test_no_problem_closes_after_the_second_confirmation(inspection, inspector, partner):
    record(inspection, inspector, "no_problem")
    assert fresh(inspection).status == S.RECORDED
    visits.confirm_record(inspection=fresh(inspection), actor=inspector)
    assert fresh(inspection).status == S.RECORDED, "one confirmation is not enough"
    visits.confirm_record(inspection=fresh(inspection), actor=partner)
    done = fresh(inspection)
    assert done.status == S.CLOSED
    assert docs(done) == {"record"}
    assert done.checklist.count() == len(visits.checklist_for(done)) > 0


def test_corrected_on_the_spot_serves_the_immediate_notice(inspection, inspector, partner):
    add_finding(inspection, inspector, corrected=True)
    record(inspection, inspector, "corrected_on_spot")
    done = confirm_both(inspection, inspector, partner)
    assert done.status == S.CLOSED
    assert docs(done) == {"record", "immediate"}


def test_ordered_to_correct_starts_the_notice_clock_and_the_recheck(inspection, inspector, partner):
    add_finding(inspection, inspector)
    due = timezone.localdate() + dt.timedelta(days=15)
    record(inspection, inspector, "ordered_to_correct", rectify_by=due)
    done = confirm_both(inspection, inspector, partner)
    assert done.status == S.RECTIFYING
    assert done.rectify_by == due
    notice = clocks.live_clock(done, "deadline_notice")
    assert notice is not None
    assert notice.rule.code == "inspection.deadline_notice"
    assert notice.responsible == inspector
    assert done.next_due == notice.due_date
    recheck = Inspection.objects.get(follows=done)
    assert recheck.kind == "recheck"
    assert recheck.status == S.ASSIGNED
    assert set(recheck.assignments.values_list("officer", flat=True)) == {inspector.pk, partner.pk}
    clock = clocks.live_clock(recheck, "recheck")
    assert clock.rule.code == "inspection.recheck"
    assert clock.started_at == clocks.local_midnight(due)
    assert recheck.next_due == clock.due_date > due


def test_further_action_refers_the_inspection(inspection, inspector, partner):
    add_finding(inspection, inspector)
    record(inspection, inspector, "further_action")
    done = confirm_both(inspection, inspector, partner)
    assert done.status == S.REFERRED
    assert not Inspection.objects.filter(follows=done).exists()


def test_a_plan_inspection_starts_the_publication_clock(inspector, partner, supervisor):
    today = timezone.localdate()
    plan = InspectionPlan.objects.create(
        title="2026 年第四季度双随机抽查",
        period_start=today - dt.timedelta(days=30),
        period_end=today + dt.timedelta(days=30),
        created_by=supervisor,
    )
    inspection = make_inspection([inspector, partner], kind="random", plan=plan)
    record(inspection, inspector, "no_problem")
    done = confirm_both(inspection, inspector, partner)
    clock = clocks.live_clock(done, "result_publication")
    assert clock is not None
    assert clock.rule.code == "inspection_result_publication"
    assert clock.rule.count == 20


def test_an_inspection_outside_a_plan_has_no_publication_clock(inspection, inspector, partner):
    record(inspection, inspector, "no_problem")
    done = confirm_both(inspection, inspector, partner)
    assert clocks.live_clock(done, "result_publication") is None


# --- Confirmations and returning -------------------------------------------------------------------
def test_an_officer_confirms_once_and_a_stranger_not_at_all(
    inspection, inspector, partner, supervisor
):
    record(inspection, inspector, "no_problem")
    visits.confirm_record(inspection=fresh(inspection), actor=inspector)
    with pytest.raises(Conflict):
        visits.confirm_record(inspection=fresh(inspection), actor=inspector)
    for actor in (supervisor, make_officer("LD")):
        with pytest.raises(PermissionDenied):
            visits.confirm_record(inspection=fresh(inspection), actor=actor)
    assert fresh(inspection).status == S.RECORDED


def test_return_sends_the_record_back_and_clears_the_confirmations(
    inspection, inspector, partner, supervisor
):
    record(inspection, inspector, "no_problem")
    visits.confirm_record(inspection=fresh(inspection), actor=inspector)
    with pytest.raises(ValidationError):
        visits.return_record(inspection=fresh(inspection), actor=partner, reason=" ")
    visits.return_record(inspection=fresh(inspection), actor=supervisor, reason="检查时间写错")
    back = fresh(inspection)
    assert back.status == S.SCHEDULED
    assert not back.assignments.filter(confirmed_at__isnull=False).exists()
    # Corrected, recorded again: both confirm anew.
    add_finding(back, partner, corrected=True)
    record(back, partner, "corrected_on_spot")
    done = confirm_both(back, inspector, partner)
    assert done.status == S.CLOSED
    assert done.recorded_by == partner


def test_confirm_before_recording_is_refused(inspection, inspector):
    with pytest.raises(StaleState):
        visits.confirm_record(inspection=inspection, actor=inspector)


# --- Illegal moves ---------------------------------------------------------------------------------
def test_every_move_the_workflow_does_not_list_is_refused(inspection, inspector, partner):
    record(inspection, inspector, "no_problem")
    with pytest.raises(IllegalTransition):
        record(fresh(inspection), inspector, "no_problem")  # recorded twice
    with pytest.raises(DomainError):
        visits.schedule_inspection(
            inspection=fresh(inspection), actor=inspector, planned_date=timezone.localdate()
        )
    done = confirm_both(inspection, inspector, partner)
    with pytest.raises(IllegalTransition):
        record(done, inspector, "no_problem")
    with pytest.raises(IllegalTransition):
        visits.return_record(inspection=done, actor=inspector, reason="晚了")
    with pytest.raises(DomainError):
        visits.schedule_inspection(
            inspection=done, actor=inspector, planned_date=timezone.localdate()
        )
    with pytest.raises(StaleState):
        visits.confirm_record(inspection=done, actor=inspector)
    with pytest.raises(DomainError):
        visits.request_recheck(done, inspector)
    with pytest.raises(DomainError):
        visits.serve_deadline_notice(inspection=done, actor=inspector)
    with pytest.raises(DomainError):
        add_finding(done, inspector)
    assert fresh(done).status == S.CLOSED


def test_findings_are_frozen_once_the_record_is_submitted(inspection, inspector):
    finding = add_finding(inspection, inspector, corrected=True)
    record(inspection, inspector, "corrected_on_spot")
    with pytest.raises(DomainError, match="退回"):
        add_finding(fresh(inspection), inspector)
    with pytest.raises(DomainError):
        visits.remove_finding(finding=InspectionFinding.objects.get(pk=finding.pk), actor=inspector)


# --- What a record must say --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("result", "findings", "extra", "field"),
    [
        ("no_problem", 1, {}, "result"),
        ("corrected_on_spot", 0, {}, "result"),
        ("further_action", 0, {}, "result"),
        ("ordered_to_correct", 1, {}, "rectify_by"),
        ("ordered_to_correct", 1, {"rectify_by": "today"}, "rectify_by"),
        ("ordered_to_correct", 1, {"rectify_by": 400}, "rectify_by"),
        ("no_problem", 0, {"rectify_by": 10}, "rectify_by"),
        ("no_problem", 0, {"rectified_on": "today"}, "rectified_on"),
        ("nonsense", 0, {}, "result"),
    ],
)
def test_a_record_that_contradicts_itself_is_refused_and_changes_nothing(
    inspection, inspector, result, findings, extra, field
):
    for _n in range(findings):
        add_finding(inspection, inspector)
    today = timezone.localdate()
    values = {}
    for name, value in extra.items():
        values[name] = today if value == "today" else today + dt.timedelta(days=value)
    with pytest.raises(ValidationError) as info:
        record(inspection, inspector, result, visited_at=timezone.now(), **values)
    assert field in info.value.message_dict
    assert fresh(inspection).status == S.ASSIGNED
    assert fresh(inspection).checklist.count() == 0


def test_every_checklist_item_needs_an_answer_and_a_failed_item_is_a_problem(inspection, inspector):
    lines = visits.checklist_for(inspection)
    partial = {lines[0][0]: "pass"}
    with pytest.raises(ValidationError) as info:
        record(inspection, inspector, "no_problem", checklist=partial)
    assert lines[1][0] in info.value.message_dict
    failing = {key: "pass" for key, _t, _i in lines} | {lines[0][0]: "fail"}
    with pytest.raises(ValidationError) as info:
        record(inspection, inspector, "no_problem", checklist=failing)
    assert "result" in info.value.message_dict


def test_a_visit_cannot_be_dated_in_the_future(inspection, inspector):
    with pytest.raises(ValidationError) as info:
        record(
            inspection, inspector, "no_problem", visited_at=timezone.now() + dt.timedelta(days=2)
        )
    assert "visited_at" in info.value.message_dict


def test_the_checklist_follows_the_venue_type_and_key_units(inspector, partner):
    hotel = make_inspection([inspector, partner], enterprise=make_enterprise(venue_type="hotel"))
    store = make_inspection(
        [inspector, partner],
        enterprise=make_enterprise(venue_type="warehouse", key_unit=True),
    )
    hotel_codes = {item.code for _k, _t, item in visits.checklist_for(hotel)}
    store_codes = {item.code for _k, _t, item in visits.checklist_for(store)}
    assert {"G05", "P01"} <= hotel_codes
    assert not {"S01", "K01"} & hotel_codes
    assert {"G05", "S01", "K01"} <= store_codes
    assert "P01" not in store_codes


# --- Photos ----------------------------------------------------------------------------------------
def test_a_finding_keeps_its_photo_and_refuses_what_is_not_an_image(inspection, inspector):
    finding = add_finding(inspection, inspector, photo=png_upload())
    assert finding.photo.name.endswith(".png")
    fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as info:
        add_finding(inspection, inspector, photo=fake)
    assert "photo" in info.value.message_dict
    assert inspection.findings.count() == 1


# --- Notices -----------------------------------------------------------------------------------------
def _ordered(inspection, inspector, partner, days: int = 15):
    add_finding(inspection, inspector)
    record(
        inspection,
        inspector,
        "ordered_to_correct",
        rectify_by=timezone.localdate() + dt.timedelta(days=days),
    )
    return confirm_both(inspection, inspector, partner)


def test_serving_the_deadline_notice_stops_its_clock_once(inspection, inspector, partner):
    done = _ordered(inspection, inspector, partner)
    document = visits.serve_deadline_notice(inspection=done, actor=partner)
    assert document.kind == "deadline"
    assert clocks.live_clock(done, "deadline_notice") is None
    with pytest.raises(Conflict):
        visits.serve_deadline_notice(inspection=fresh(done), actor=inspector)
    assert docs(done) == {"record", "deadline"}


# --- Re-check and credit ---------------------------------------------------------------------------
@pytest.fixture
def contact(make_user, inspection):
    return make_user(
        "applicant",
        username="unit-contact",
        enterprise_name=inspection.enterprise.name,
        enterprise_uscc=inspection.enterprise.uscc,
        phone=inspection.enterprise.contact_phone,
    )


def test_the_unit_asks_for_the_recheck_and_its_clock_runs_from_then(
    inspection, inspector, partner, contact, other_citizen
):
    done = _ordered(inspection, inspector, partner, days=20)
    recheck = Inspection.objects.get(follows=done)
    before = clocks.live_clock(recheck, "recheck").due_date
    with pytest.raises(PermissionDenied):
        visits.request_recheck(fresh(done), other_citizen)
    visits.request_recheck(fresh(done), contact)
    after = clocks.live_clock(recheck, "recheck")
    assert after.started_at == clocks.local_midnight(timezone.localdate())
    assert after.due_date < before
    assert fresh(recheck).next_due == after.due_date
    with pytest.raises(Conflict):
        visits.request_recheck(fresh(done), contact)


def test_a_passed_recheck_closes_the_original_and_records_on_time(
    inspection, inspector, partner, contact
):
    done = _ordered(inspection, inspector, partner)
    visits.request_recheck(fresh(done), contact)
    recheck = fresh(Inspection.objects.get(follows=done))
    with pytest.raises(ValidationError):
        record(recheck, inspector, "ordered_to_correct", rectify_by=timezone.localdate())
    record(recheck, inspector, "no_problem")
    confirm_both(recheck, inspector, partner)
    assert fresh(recheck).status == S.CLOSED
    assert fresh(done).status == S.CLOSED
    assert clocks.live_clock(recheck, "recheck") is None
    event = CreditEvent.objects.get(enterprise=done.enterprise)
    assert event.kind == "rectified_on_time"
    assert event.source == f"inspections.Inspection:{done.pk}"


def test_a_passed_recheck_of_a_late_correction_records_late(inspection, inspector, partner):
    done = _ordered(inspection, inspector, partner, days=1)
    # The deadline has passed by the time the officers come back (recorded a day late).
    Inspection.objects.filter(pk=done.pk).update(rectify_by=timezone.localdate() - dt.timedelta(2))
    recheck = fresh(Inspection.objects.get(follows=done))
    with pytest.raises(ValidationError) as info:
        record(recheck, inspector, "no_problem")
    assert "rectified_on" in info.value.message_dict
    record(recheck, inspector, "no_problem", rectified_on=timezone.localdate() - dt.timedelta(1))
    confirm_both(recheck, inspector, partner)
    assert fresh(done).status == S.CLOSED
    assert CreditEvent.objects.get(enterprise=done.enterprise).kind == "rectified_late"


def test_a_failed_recheck_refers_the_original_and_records_late(inspection, inspector, partner):
    done = _ordered(inspection, inspector, partner)
    recheck = fresh(Inspection.objects.get(follows=done))
    add_finding(recheck, inspector, description="安全出口仍被堵塞")
    record(recheck, inspector, "further_action")
    confirm_both(recheck, inspector, partner)
    assert fresh(recheck).status == S.REFERRED
    assert fresh(done).status == S.REFERRED
    assert CreditEvent.objects.get(enterprise=done.enterprise).kind == "rectified_late"
    assert clocks.live_clock(done, "deadline_notice") is None


def test_a_plan_inspection_checks_the_plans_own_items_too(inspector, partner, supervisor):
    from inspections.models import PlanItem

    today = timezone.localdate()
    plan = InspectionPlan.objects.create(
        title="2026 年电动自行车专项抽查",
        period_start=today - dt.timedelta(days=3),
        period_end=today + dt.timedelta(days=60),
        created_by=supervisor,
    )
    PlanItem.objects.create(plan=plan, position=1, code="EB1", text="电动自行车集中充电场所设置")
    inspection = make_inspection([inspector, partner], kind="random", plan=plan)
    lines = visits.checklist_for(inspection)
    assert ("plan-0", "电动自行车集中充电场所设置", None) in lines
    record(inspection, inspector, "no_problem")
    assert fresh(inspection).checklist.filter(text="电动自行车集中充电场所设置").exists()


def test_a_commitment_permits_verification_is_recorded_on_the_permit_only(inspector, partner):
    """The pre-opening verification of a commitment permit has one record: the permit's (it
    decides the permit and is copied onto the inspection). Logging it again on the inspection
    would leave the two disagreeing, so it is refused with the way to the permit, and nothing
    changes."""
    inspection = make_inspection(
        [inspector, partner], kind="pre_opening", source_reference="LDXK2026000123"
    )
    with pytest.raises(DomainError, match="LDXK2026000123"):
        record(inspection, inspector, "no_problem")
    inspection.refresh_from_db()
    assert inspection.status == "assigned"
    assert inspection.visited_at is None
    # a pre-opening check the brigade opened itself (no permit behind it) is logged as usual
    own = make_inspection([inspector, partner], kind="pre_opening")
    record(own, inspector, "no_problem")
    own.refresh_from_db()
    assert own.status == "recorded"
