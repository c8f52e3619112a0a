"""Inspections outside plans: complaints with their clocks, the other kinds with their two
officers, the A-grade cap's refusal and the kinds it never blocks, telling the complainant, the
audited reveal of the complainant's phone, and the pre-opening verification of a permit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from inspections import rules
from inspections.models import Complaint, Inspection, InspectionKind
from inspections.services import intake
from inspections.tests.intake_factories import certify, make_unit, mark_visited, second_officer
from lishui_fire.core.errors import Conflict, DomainError, Forbidden
from lishui_fire.core.models import Notification
from permits.tests.factories import decide

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def officers(inspector):
    certify(inspector)
    return [inspector, second_officer("LD")]


@pytest.fixture
def unit(officers):
    return make_unit("LD")


def complaint(actor, unit, **extra):
    fields = {
        "channel": "hotline_12345",
        "category": "exit_locked",
        "content": "夜间安全出口被铁链锁闭",
        "received_at": extra.pop("received_at", None) or dt.datetime.now(TZ),
        "complainant_name": "赵六",
        "complainant_phone": "13912345678",
        "ticket_number": "12345-20260930-0001",
    }
    fields.update(extra)
    return intake.register_complaint(actor=actor, enterprise=unit, **fields)


# --- Complaints and their clocks ------------------------------------------------------------------
def test_a_locked_exit_complaint_gets_24_hours_running_through_national_day(supervisor, unit):
    with time_machine.travel(at(2026, 9, 30, 16, 0), tick=False):
        c = complaint(supervisor, unit, received_at=at(2026, 9, 30, 16, 0))
    clock = intake.complaint_clock(c)
    assert clock.rule.code == rules.COMPLAINT_URGENT_RULE
    assert clock.due_at == at(2026, 10, 1, 16, 0)
    assert c.inspection.kind == InspectionKind.COMPLAINT
    assert c.inspection.reference.startswith("JC2026LD")


def test_any_other_complaint_gets_3_working_days_skipping_national_day(supervisor, unit):
    with time_machine.travel(at(2026, 9, 30, 10, 0), tick=False):
        c = complaint(supervisor, unit, category="other", received_at=at(2026, 9, 30, 10, 0))
    clock = intake.complaint_clock(c)
    assert clock.rule.code == rules.COMPLAINT_ORDINARY_RULE
    assert clock.due_date > dt.date(2026, 10, 7)  # the holiday is not counted
    assert clock.due_date == dt.date(2026, 10, 10)  # 8, 9 and the worked Saturday 10 October


def test_a_complaint_gets_two_officers_of_the_brigade_the_lead_responsible(
    supervisor, unit, officers
):
    c = complaint(supervisor, unit)
    assigned = list(c.inspection.assignments.order_by("-is_lead", "pk"))
    assert {a.officer_id for a in assigned} == {o.pk for o in officers}
    assert assigned[0].is_lead
    assert not assigned[1].is_lead
    assert intake.complaint_clock(c).responsible_id == assigned[0].officer_id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "nonsense"),
        ("content", "  "),
        ("complainant_phone", "1234"),
        ("channel", "pigeon"),
        ("received_at", "future"),
        ("received_at", "ancient"),
    ],
)
def test_bad_input_is_a_field_error_and_registers_nothing(supervisor, unit, field, value):
    now = dt.datetime.now(TZ)
    if value == "future":
        value = now + dt.timedelta(hours=1)
    elif value == "ancient":
        value = now - dt.timedelta(days=400)
    with pytest.raises(ValidationError) as err:
        complaint(supervisor, unit, **{field: value})
    assert field in err.value.message_dict
    assert not Inspection.objects.exists()
    assert not Complaint.objects.exists()


def test_a_brigade_without_two_officers_cannot_take_a_complaint(supervisor, inspector):
    lonely = make_unit("LD")
    with pytest.raises(DomainError):
        complaint(supervisor, lonely)
    assert not Complaint.objects.exists()


def test_another_brigades_inspector_registers_nothing_here(other_inspector, unit):
    with pytest.raises(Forbidden):
        complaint(other_inspector, unit)


def test_the_legal_officer_opens_nothing(legal_officer, unit):
    with pytest.raises(Forbidden):
        complaint(legal_officer, unit)


def test_a_ticket_is_registered_once(supervisor, unit):
    complaint(supervisor, unit)
    with pytest.raises(ValidationError) as err:
        complaint(supervisor, unit)
    assert "ticket_number" in err.value.message_dict
    complaint(supervisor, unit, ticket_number="")
    complaint(supervisor, unit, ticket_number="")  # letters and visits carry no ticket


# --- The cap ----------------------------------------------------------------------------------------
@pytest.fixture
def a_unit(officers):
    return make_unit("LD", credit_rating="A")


def open_(actor, unit, kind, **extra):
    fields = {"reason": "夏季消防安全专项整治", "joint_department": ""}
    if kind == "joint":
        fields["joint_department"] = "市场监督管理局"
    fields.update(extra)
    return intake.open_inspection(actor=actor, kind=kind, enterprise=unit, **fields)


@pytest.mark.parametrize("kind", ["special_campaign", "joint"])
def test_an_a_rated_unit_at_its_cap_is_refused_a_campaign_or_joint_check(supervisor, a_unit, kind):
    open_(supervisor, a_unit, "special_campaign")  # the one a year of grade A
    with pytest.raises(DomainError) as err:
        open_(supervisor, a_unit, kind)
    assert "无事不扰" in err.value.message
    assert a_unit.name in err.value.message
    assert Inspection.objects.filter(enterprise=a_unit).count() == 1


@pytest.mark.parametrize("kind", ["large_event", "case"])
def test_the_kinds_that_happen_because_something_happened_are_never_blocked(
    supervisor, a_unit, kind
):
    open_(supervisor, a_unit, "joint")
    open_(supervisor, a_unit, kind)
    open_(supervisor, a_unit, kind)
    assert Inspection.objects.filter(enterprise=a_unit, kind=kind).count() == 2


def test_a_complaint_is_never_blocked_by_the_cap(supervisor, a_unit):
    open_(supervisor, a_unit, "special_campaign")
    complaint(supervisor, a_unit)
    complaint(supervisor, a_unit, category="other", ticket_number="12345-20260930-0002")
    assert Complaint.objects.filter(inspection__enterprise=a_unit).count() == 2


def test_a_cancelled_or_last_years_check_does_not_count(supervisor, a_unit):
    from django.db import transaction

    from inspections.workflow import INSPECTION_WORKFLOW
    from lishui_fire.core.workflow import transition

    with time_machine.travel(at(2025, 12, 31, 23, 0), tick=False):
        open_(supervisor, a_unit, "special_campaign")
    with time_machine.travel(at(2026, 1, 1, 0, 30), tick=False):
        cancelled = open_(supervisor, a_unit, "special_campaign")
        with transaction.atomic():
            transition(cancelled, workflow=INSPECTION_WORKFLOW, to="cancelled", actor=supervisor)
        open_(supervisor, a_unit, "joint")  # the one of 2026
        with pytest.raises(DomainError):
            open_(supervisor, a_unit, "joint")


def test_a_b_rated_unit_has_no_cap(supervisor, unit):
    for _ in range(3):
        open_(supervisor, unit, "special_campaign")


def test_a_joint_check_names_its_department(supervisor, unit):
    with pytest.raises(ValidationError) as err:
        open_(supervisor, unit, "joint", joint_department=" ")
    assert "joint_department" in err.value.message_dict
    check = open_(supervisor, unit, "joint", joint_department="市场监督管理局")
    assert check.joint_department == "市场监督管理局"


@pytest.mark.parametrize("kind", ["random", "complaint", "recheck", "pre_opening", "bogus"])
def test_kinds_not_opened_by_hand_are_refused_here(supervisor, unit, kind):
    with pytest.raises(ValidationError) as err:
        open_(supervisor, unit, kind)
    assert "kind" in err.value.message_dict


def test_chosen_officers_must_be_two_different_active_inspectors_of_the_brigade(
    supervisor, unit, officers, other_inspector
):
    with pytest.raises(ValidationError):
        open_(supervisor, unit, "case", officers=[officers[0], officers[0]])
    with pytest.raises(ValidationError):
        open_(supervisor, unit, "case", officers=[officers[0], other_inspector])
    check = open_(supervisor, unit, "case", officers=[officers[1], officers[0]])
    lead = check.assignments.get(is_lead=True)
    assert lead.officer_id == officers[1].pk


def test_officers_are_drawn_least_loaded_first(supervisor, unit, officers):
    third = second_officer("LD")
    first = open_(supervisor, unit, "case")
    second = open_(supervisor, unit, "case")
    drawn_first = {a.officer_id for a in first.assignments.all()}
    drawn_second = {a.officer_id for a in second.assignments.all()}
    assert third.pk in drawn_second  # the one left out the first time
    assert len(drawn_first | drawn_second) == 3


# --- Telling the complainant ----------------------------------------------------------------------
def test_the_complainant_is_told_by_sms_once_and_the_clock_stops(supervisor, unit):
    c = complaint(supervisor, unit)
    mark_visited(c.inspection)
    intake.reply_to_complainant(complaint=c, actor=supervisor, method="sms", text="已责令当场改正")
    sms = Notification.objects.get(channel="sms", address="13912345678")
    assert "已责令当场改正" in sms.body
    assert c.inspection.reference in sms.body
    c.refresh_from_db()
    assert c.replied_at
    assert c.reply_method == "sms"
    assert c.replied_by == supervisor
    assert intake.complaint_clock(c).stopped_at is not None
    with pytest.raises(Conflict):
        intake.reply_to_complainant(complaint=c, actor=supervisor, method="sms", text="再次")
    assert Notification.objects.filter(channel="sms").count() == 1


def test_a_result_is_not_told_before_the_verification(supervisor, unit):
    c = complaint(supervisor, unit)
    with pytest.raises(DomainError):
        intake.reply_to_complainant(complaint=c, actor=supervisor, method="phone", text="结果")
    c.refresh_from_db()
    assert c.replied_at is None


def test_an_anonymous_complainant_cannot_be_told_and_that_is_noted(supervisor, unit):
    c = complaint(supervisor, unit, complainant_name="", complainant_phone="")
    with pytest.raises(ValidationError) as err:
        intake.reply_to_complainant(complaint=c, actor=supervisor, method="sms", text="结果")
    assert "method" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        intake.reply_to_complainant(complaint=c, actor=supervisor, method="impossible", text=" ")
    assert "text" in err.value.message_dict
    intake.reply_to_complainant(
        complaint=c, actor=supervisor, method="impossible", text="匿名举报，未留联系方式"
    )
    c.refresh_from_db()
    assert c.reply_method == "impossible"
    assert c.reply_text == "匿名举报，未留联系方式"
    assert not Notification.objects.filter(channel="sms").exists()


def test_only_the_handling_staff_of_the_brigade_reply(
    supervisor, unit, other_inspector, legal_officer
):
    c = complaint(supervisor, unit)
    mark_visited(c.inspection)
    for outsider in (other_inspector, legal_officer):
        with pytest.raises(Forbidden):
            intake.reply_to_complainant(complaint=c, actor=outsider, method="phone", text="结果")


def test_the_complainants_phone_is_revealed_to_the_brigade_and_audited(
    supervisor, unit, other_inspector, legal_officer
):
    c = complaint(supervisor, unit)
    assert intake.reveal_complainant_phone(complaint=c, actor=supervisor) == "13912345678"
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(c.pk)).get()
    assert entry.actor == supervisor
    for outsider in (other_inspector, legal_officer):
        with pytest.raises(Forbidden):
            intake.reveal_complainant_phone(complaint=c, actor=outsider)


def test_the_audit_log_of_a_complaint_masks_the_phone(supervisor, unit):
    c = complaint(supervisor, unit)
    created = LogEntry.objects.get(action=LogEntry.Action.CREATE, object_pk=str(c.pk),
                                   content_type__model="complaint")  # fmt: skip
    assert "13912345678" not in str(created.changes)
    assert "赵六" not in str(created.changes)


# --- Pre-opening verification of a commitment permit ---------------------------------------------
def test_a_commitment_permit_granted_opens_its_pre_opening_verification(
    supervisor, officers, citizen
):
    from permits.tests.factories import make_application

    unit = make_unit("LD")
    application = make_application(citizen, status="submitted", unit_uscc=unit.uscc)
    type(application).objects.filter(pk=application.pk).update(enterprise=unit)
    application.refresh_from_db()
    decide(application, supervisor)
    inspection = Inspection.objects.get(kind=InspectionKind.PRE_OPENING)
    assert inspection.source_reference == application.reference
    assert inspection.enterprise == unit
    assert inspection.brigade_id == application.brigade_id
    assert inspection.assignments.count() == 2
    # Announced again (a request sent twice): still one.
    again = intake.open_pre_opening_verification(
        permit_reference=application.reference, enterprise_id=unit.pk
    )
    assert again == inspection
    assert Inspection.objects.filter(kind=InspectionKind.PRE_OPENING).count() == 1


def test_a_permit_without_a_registered_unit_is_granted_without_an_inspection(
    supervisor, officers, citizen
):
    from permits.tests.factories import make_application

    application = make_application(citizen, status="submitted")
    decide(application, supervisor)
    application.refresh_from_db()
    assert application.status == "approved"
    assert not Inspection.objects.exists()


def test_a_pre_opening_verification_is_never_blocked_by_the_cap(supervisor, a_unit):
    open_(supervisor, a_unit, "special_campaign")
    inspection = intake.open_pre_opening_verification(
        permit_reference="XK2026LD00077", enterprise_id=a_unit.pk
    )
    assert inspection is not None
    assert inspection.kind == InspectionKind.PRE_OPENING


def test_the_verification_recorded_on_the_permit_is_the_inspections_visit(
    supervisor, inspector, officers, citizen
):
    from permits.services import applications
    from permits.tests.factories import make_application

    unit = make_unit("LD")
    application = make_application(citizen, status="submitted", unit_uscc=unit.uscc)
    type(application).objects.filter(pk=application.pk).update(enterprise=unit)
    application.refresh_from_db()
    decide(application, supervisor)
    due = dt.date.today() + dt.timedelta(days=20)
    applications.record_verification(
        application=application,
        actor=inspector,
        matches=False,
        findings="疏散指示标志数量少于承诺",
        rectification_due=due,
    )
    inspection = Inspection.objects.get(kind=InspectionKind.PRE_OPENING)
    assert inspection.status == "recorded"
    assert inspection.result == "ordered_to_correct"
    assert inspection.rectify_by == due
    assert inspection.visited_at is not None
    # Announced again: nothing changes.
    intake.record_pre_opening_verification(
        permit_reference=application.reference, matches=True, visited_at=inspection.visited_at
    )
    inspection.refresh_from_db()
    assert inspection.result == "ordered_to_correct"


# --- The roster: certified, recused, not the previous pair ---------------------------------------
def test_an_officer_without_a_valid_certificate_is_not_drawn(supervisor, officers):
    uncertified = second_officer("LD")
    uncertified.enforcement_certificates.all().delete()
    unit = make_unit("LD")
    check = open_(supervisor, unit, "case")
    assert uncertified.pk not in {a.officer_id for a in check.assignments.all()}
    with pytest.raises(ValidationError):
        open_(supervisor, unit, "case", officers=[officers[0], uncertified])


def test_an_officer_who_declared_a_conflict_with_the_unit_is_not_sent(supervisor, officers):
    from inspections.services import roster

    third = second_officer("LD")
    unit = make_unit("LD")
    roster.declare_conflict(
        officer=officers[0], enterprise_uscc=unit.uscc, kind="relative", note="配偶在该单位任职"
    )
    c = complaint(supervisor, unit)
    assigned = {a.officer_id for a in c.inspection.assignments.all()}
    assert assigned == {officers[1].pk, third.pk}
    with pytest.raises(ValidationError):
        open_(supervisor, unit, "case", officers=[officers[0], third])


def test_the_pair_that_inspected_the_unit_last_is_not_sent_again(supervisor, officers):
    unit = make_unit("LD")
    first = open_(supervisor, unit, "case")
    mark_visited(first)
    third = second_officer("LD")
    from django.db import transaction

    from inspections.workflow import INSPECTION_WORKFLOW
    from lishui_fire.core.workflow import transition

    with transaction.atomic():
        transition(first, workflow=INSPECTION_WORKFLOW, to="closed", actor=supervisor)
    pair = {a.officer_id for a in first.assignments.all()}
    again = open_(supervisor, unit, "case")
    assert {a.officer_id for a in again.assignments.all()} != pair
    assert third.pk in {a.officer_id for a in again.assignments.all()}


def test_the_complaints_content_stays_in_the_register_not_on_the_inspection(supervisor, unit):
    c = complaint(supervisor, unit, content="我是三楼的住户，夜间安全出口被锁")
    assert "三楼的住户" not in c.inspection.reason
    assert "安全出口锁闭" in c.inspection.reason
