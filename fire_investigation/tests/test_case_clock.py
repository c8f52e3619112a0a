"""An investigation's determination clock (issue 11, DOMAIN.md §5.2) on the kernel's clocks: the
track its facts pick, a switch when a fact changes, lab time not counted, one extension before the
clock runs out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from fire_investigation import services
from fire_investigation.models import Incident, InvestigationCase, Level, SceneStatus
from lishui_fire.accounts.models import OrgUnit, Role
from lishui_fire.core import clocks
from lishui_fire.core.errors import Conflict, DomainError, Forbidden
from lishui_fire.core.models import StatusChange

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
ALARM = dt.datetime(2026, 3, 2, 14, 5, tzinfo=TZ)  # a Monday


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def travel(*args):
    return time_machine.travel(at(*args), tick=False)


@pytest.fixture
def investigators(make_user):
    return [
        make_user(Role.INSPECTOR, "LD", real_name="调查员甲"),
        make_user(Role.INSPECTOR, "LD", real_name="调查员乙"),
    ]


@pytest.fixture
def chief(make_user):
    return make_user(Role.DETACHMENT_SUPERVISOR, "LS", real_name="支队领导")


def incident(**fields) -> Incident:
    values = {
        "reference": f"JQ2026LD{Incident.objects.count() + 1:05d}",
        "brigade": OrgUnit.objects.get(code="LD"),
        "kind": "building_fire",
        "location": "丽水市莲都区工业园区某厂房",
        "alarm_received_at": ALARM,
        "dispatched_at": ALARM + dt.timedelta(minutes=1),
        "arrived_at": ALARM + dt.timedelta(minutes=9),
        "direct_loss_yuan": Decimal("250000"),
        **fields,
    }
    return Incident.objects.create(**values)


def open_case(actor, people, *, enterprise=True, dispute=False, criminal=False, **fields):
    with travel(2026, 3, 2, 16, 0):
        return services.open_case(
            actor=actor,
            incident=incident(**fields),
            procedure="normal",
            investigators=people,
            enterprise_involved=enterprise,
            has_dispute=dispute,
            criminal_liability=criminal,
        )


def due(case) -> dt.date:
    return clocks.live_clock(case, services.DETERMINATION).due_date


def test_an_undisputed_enterprise_fire_is_due_in_20_days_from_the_alarm(investigators):
    case = open_case(investigators[0], investigators)
    # 20 days after 2 March is Sunday 22 March: the period ends on the next working day.
    assert due(case) == D(2026, 3, 23)
    assert InvestigationCase.objects.get(pk=case.pk).determination_due == D(2026, 3, 23)


@pytest.mark.parametrize(
    ("enterprise", "dispute", "criminal"),
    [(False, False, False), (True, True, False), (True, False, True), (False, True, True)],
)
def test_every_other_case_is_due_in_30_days(investigators, enterprise, dispute, criminal):
    case = open_case(
        investigators[0], investigators, enterprise=enterprise, dispute=dispute, criminal=criminal
    )
    assert due(case) == D(2026, 4, 1)


def test_a_dispute_on_day_19_moves_the_case_to_day_30_with_its_reason(investigators):
    case = open_case(investigators[0], investigators)
    with travel(2026, 3, 21, 10, 0):  # day 19
        case = services.change_facts(
            actor=investigators[0], case=case, has_dispute=True, reason="业主对起火部位提出异议"
        )
    assert due(case) == D(2026, 4, 1)
    assert case.determination_due == D(2026, 4, 1)
    history = StatusChange.objects.filter(
        object_id=str(clocks.live_clock(case, "determination").pk)
    )
    assert any("业主对起火部位提出异议" in h.note for h in history)


def test_a_fact_changed_without_a_reason_is_refused_and_changes_nothing(investigators):
    case = open_case(investigators[0], investigators)
    with pytest.raises(ValidationError), travel(2026, 3, 5, 10, 0):
        services.change_facts(actor=investigators[0], case=case, has_dispute=True, reason=" ")
    assert not InvestigationCase.objects.get(pk=case.pk).has_dispute
    assert due(case) == D(2026, 3, 23)


def test_lab_time_is_not_counted_a_pause_of_n_days_moves_the_due_date_by_n(investigators):
    case = open_case(investigators[0], investigators, dispute=True)  # 30 days: 1 April
    with travel(2026, 3, 10, 9, 0):
        services.send_to_lab(actor=investigators[0], case=case, what="电气线路熔痕，送省所鉴定")
    with travel(2026, 3, 16, 9, 0):  # back six days later
        services.lab_result_back(actor=investigators[0], case=case)
    assert due(case) == D(2026, 4, 7)  # 1 April + 6 days (Tuesday 7 April)


def test_an_extension_is_approved_once_by_the_higher_authority_before_the_clock_runs_out(
    investigators, chief
):
    case = open_case(investigators[0], investigators, dispute=True)
    with pytest.raises(Forbidden), travel(2026, 3, 20, 9, 0):  # the brigade cannot approve
        services.extend(actor=investigators[0], case=case, reason="情况复杂")
    with travel(2026, 3, 30, 9, 0):
        services.extend(actor=chief, case=case, reason="情况复杂、疑难，需进一步调查")
    # 1 April + 30 days is Friday 1 May, the Labour Day holiday (1–5 May 2026): the period
    # ends on the next working day.
    assert due(case) == D(2026, 5, 6)
    with pytest.raises(DomainError), travel(2026, 4, 2, 9, 0):
        services.extend(actor=chief, case=case, reason="再延长")  # a second one: refused


def test_an_extension_after_the_clock_ran_out_is_refused(investigators, chief):
    case = open_case(investigators[0], investigators, dispute=True)
    with pytest.raises(DomainError), travel(2026, 4, 2, 9, 0):  # due 1 April
        services.extend(actor=chief, case=case, reason="情况复杂")
    assert due(case) == D(2026, 4, 1)


def test_jurisdiction_follows_severity_a_death_goes_to_the_detachment(investigators, chief):
    case = open_case(chief, [chief, _other_chief()], deaths=1)
    assert case.level == Level.DETACHMENT
    assert case.brigade.code == "LS"


def _other_chief():
    from lishui_fire.accounts.models import User

    user = User(username="chief-2", role=Role.DETACHMENT_SUPERVISOR, real_name="支队领导二")
    user.org_unit = OrgUnit.objects.get(code="LS")
    user.set_password("unused-password-2026")
    user.save()
    return user


# --- Simple procedure ------------------------------------------------------------------------------------
def _simple(actor, people, loss):
    with travel(2026, 3, 2, 16, 0):
        return services.open_case(
            actor=actor,
            incident=incident(direct_loss_yuan=loss),
            procedure="simple",
            investigators=people,
            enterprise_involved=False,
            has_dispute=False,
            criminal_liability=False,
        )


def test_the_simple_procedure_at_the_loss_threshold_and_one_yuan_above(investigators):
    limit = services.limits_in_force(D(2026, 3, 2)).simple_max_loss_yuan
    case = _simple(investigators[0], investigators[:1], limit)
    assert case.procedure == "simple"
    with pytest.raises(ValidationError, match="限额"):
        _simple(investigators[0], investigators[:1], limit + 1)


def test_the_normal_procedure_needs_two_investigators(investigators):
    with pytest.raises(ValidationError, match="2"), travel(2026, 3, 2, 16, 0):
        services.open_case(
            actor=investigators[0],
            incident=incident(),
            procedure="normal",
            investigators=investigators[:1],
            enterprise_involved=True,
            has_dispute=False,
            criminal_liability=False,
        )
    assert not InvestigationCase.objects.exists()


def test_an_incident_is_investigated_once(investigators):
    case = open_case(investigators[0], investigators)
    with pytest.raises(Conflict), travel(2026, 3, 2, 17, 0):
        services.open_case(
            actor=investigators[0],
            incident=case.incident,
            procedure="normal",
            investigators=investigators,
            enterprise_involved=True,
            has_dispute=False,
            criminal_liability=False,
        )


# --- Scene -----------------------------------------------------------------------------------------------
def test_the_scene_is_narrowed_with_a_reason_and_released_early_only_on_every_partys_consent(
    investigators,
):
    case = open_case(investigators[0], investigators)
    person = investigators[0]
    with travel(2026, 3, 2, 18, 0):
        services.record_scene(actor=person, case=case, kind="protect", scope="整栋厂房及周边 20 米")
    with travel(2026, 3, 3, 10, 0):
        with pytest.raises(ValidationError):
            services.record_scene(actor=person, case=case, kind="narrow", scope="二层东侧车间")
        services.record_scene(
            actor=person, case=case, kind="narrow", scope="二层东侧车间", reason="起火部位已确定"
        )
    party = case.parties.create(name="某厂", phone="13857800001", role="owner")
    with travel(2026, 3, 4, 9, 0):
        with pytest.raises(DomainError):
            services.record_scene(actor=person, case=case, kind="release", early=True)
        party.consents_to_release = True
        party.save()
        services.record_scene(actor=person, case=case, kind="release", early=True)
    case.refresh_from_db()
    assert case.scene_status == SceneStatus.RELEASED
    assert case.scene_released_at - case.scene_protected_at == dt.timedelta(hours=39)
    with pytest.raises(Conflict), travel(2026, 3, 5, 9, 0):
        services.record_scene(actor=person, case=case, kind="narrow", scope="x", reason="y")


def test_the_brigades_investigators_cannot_run_a_detachment_case(investigators, chief):
    with pytest.raises(Forbidden), travel(2026, 3, 2, 16, 0):
        services.open_case(
            actor=investigators[0],
            incident=incident(brigade=OrgUnit.objects.get(code="LQ")),
            procedure="normal",
            investigators=investigators,
            enterprise_involved=True,
            has_dispute=False,
            criminal_liability=False,
        )
    with pytest.raises(ValidationError, match="承办单位"), travel(2026, 3, 2, 16, 0):
        services.open_case(
            actor=chief,
            incident=incident(deaths=1),
            procedure="normal",
            investigators=investigators,  # brigade staff, a detachment case
            enterprise_involved=True,
            has_dispute=False,
            criminal_liability=False,
        )
