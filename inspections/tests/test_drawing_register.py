"""The officers' roster and the recusal register: declaring, deciding, withdrawing, who sees
what (404 across brigades), bad input (400, nothing changes), and the roster a draw publishes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import drawing
from inspections.models import (
    ConflictDeclaration,
    ConflictStatus,
    Inspection,
    InspectionAssignment,
    OfficerCertificate,
)
from inspections.selectors_roster import draw_roster, officer_code
from inspections.services import roster
from lishui_fire.enterprises.models import Enterprise
from permits.tests.factories import valid_uscc

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def enterprise(org_units, n: int, unit: str = "LD") -> Enterprise:
    return Enterprise.objects.create(
        uscc=valid_uscc(n * 100, division="331198"),
        name=f"{unit}回避测试单位{n}",
        address="丽水市某路 1 号",
        brigade=org_units[unit],
        venue_type="hotel",
    )


def certify(officer, number: str, *, start=TODAY - dt.timedelta(days=30), days=365, active=True):
    certificate = roster.record_certificate(
        officer=officer,
        number=number,
        valid_from=start,
        valid_until=start + dt.timedelta(days=days),
    )
    if not active:
        OfficerCertificate.objects.filter(pk=certificate.pk).update(active=False)
    return certificate


@pytest.fixture
def unit(org_units):
    return enterprise(org_units, 1)


@pytest.fixture
def declaration(inspector, unit):
    return roster.declare_conflict(
        officer=inspector, enterprise_uscc=unit.uscc, kind="relative", note="配偶任职"
    )


# --- declaring ---------------------------------------------------------------------------------


def test_an_officer_declares_a_conflict_on_the_page(client_for, inspector, unit):
    page = client_for(inspector)
    response = page.post(
        reverse("inspections:my_conflicts"),
        {"enterprise_uscc": unit.uscc.lower(), "kind": "former_employer", "note": "曾任安全主管"},
    )
    assert response.status_code == 302
    (row,) = ConflictDeclaration.objects.all()
    assert (row.officer, row.enterprise, row.brigade.code) == (inspector, unit, "LD")
    assert row.status == ConflictStatus.PENDING
    listing = page.get(reverse("inspections:my_conflicts"))
    assert unit.name in listing.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"enterprise_uscc": "91331102MA2000000X", "kind": "relative"}, "未找到"),
        ({"enterprise_uscc": "", "kind": "relative"}, "id_enterprise_uscc_error"),
        ({"enterprise_uscc": "@unit", "kind": "cousin"}, "id_kind_error"),
        ({"enterprise_uscc": "@unit", "kind": "other", "note": "  "}, "请填写理由"),
        ({"enterprise_uscc": "@unit", "kind": "relative", "note": "长" * 501}, "500"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client_for, inspector, unit, data, message
):
    data = {k: unit.uscc if v == "@unit" else v for k, v in data.items()}
    response = client_for(inspector).post(reverse("inspections:my_conflicts"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ConflictDeclaration.objects.exists()


def test_a_second_live_declaration_for_the_same_unit_is_refused(client_for, inspector, declaration):
    response = client_for(inspector).post(
        reverse("inspections:my_conflicts"),
        {"enterprise_uscc": declaration.enterprise.uscc, "kind": "business_interest"},
    )
    assert response.status_code == 400
    assert "已有待决定或已决定回避的申报" in response.content.decode()
    assert ConflictDeclaration.objects.count() == 1


def test_after_a_dismissal_the_officer_may_declare_again(inspector, supervisor, declaration):
    roster.decide_conflict(declaration=declaration, actor=supervisor, uphold=False, reason="无关")
    again = roster.declare_conflict(
        officer=inspector, enterprise_uscc=declaration.enterprise.uscc, kind="relative", note="x"
    )
    assert again.status == ConflictStatus.PENDING


@pytest.mark.parametrize(
    "persona", ["owner", "administrator", "legal_officer", "discipline_officer"]
)
def test_roles_that_enforce_nothing_cannot_declare(personas, unit, persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        roster.declare_conflict(officer=personas[persona], enterprise_uscc=unit.uscc, kind="other")


# --- who reads the register --------------------------------------------------------------------


def test_the_register_shows_the_brigade_to_its_supervisor_and_all_to_the_detachment(
    client_for, make_user, supervisor, chief, discipline_officer, declaration
):
    name = declaration.enterprise.name
    url = reverse("inspections:conflict_register")
    for reader in (supervisor, chief, discipline_officer):
        assert name in client_for(reader).get(url).content.decode()
    longquan = make_user("brigade_supervisor", "LQ")
    response = client_for(longquan).get(url)
    assert response.status_code == 200
    assert name not in response.content.decode()


def test_another_brigade_gets_404_on_a_declaration_and_its_decision(
    client_for, make_user, other_inspector, declaration
):
    longquan = make_user("brigade_supervisor", "LQ")
    detail = reverse("inspections:conflict_detail", args=[declaration.pk])
    decide = reverse("inspections:conflict_decide", args=[declaration.pk])
    for outsider in (longquan, other_inspector):
        assert client_for(outsider).get(detail).status_code == 404
    response = client_for(longquan).post(decide, {"decision": "uphold", "reason": "x"})
    assert response.status_code == 404
    declaration.refresh_from_db()
    assert declaration.status == ConflictStatus.PENDING


def test_a_colleague_sees_nothing_of_another_officers_declaration(
    client_for, make_user, declaration
):
    colleague = make_user("inspector", "LD")
    detail = reverse("inspections:conflict_detail", args=[declaration.pk])
    assert client_for(colleague).get(detail).status_code == 404
    page = client_for(colleague).get(reverse("inspections:my_conflicts"))
    assert declaration.enterprise.name not in page.content.decode()


def test_the_detail_page_shows_the_note_to_the_officer_and_the_supervisor(
    client_for, inspector, supervisor, declaration
):
    url = reverse("inspections:conflict_detail", args=[declaration.pk])
    assert "配偶任职" in client_for(inspector).get(url).content.decode()
    body = client_for(supervisor).get(url).content.decode()
    assert "配偶任职" in body
    assert reverse("inspections:conflict_decide", args=[declaration.pk]) in body


# --- deciding and withdrawing ------------------------------------------------------------------


def test_the_supervisor_upholds_a_recusal_with_a_reason(client_for, supervisor, declaration):
    url = reverse("inspections:conflict_decide", args=[declaration.pk])
    response = client_for(supervisor).post(url, {"decision": "uphold", "reason": "近亲属任职"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == ConflictStatus.UPHELD
    assert declaration.decided_by == supervisor
    assert declaration.decision_reason == "近亲属任职"


@pytest.mark.parametrize(
    "data", [{"decision": "uphold", "reason": ""}, {"decision": "maybe", "reason": "x"}, {}]
)
def test_a_decision_without_a_reason_or_a_choice_is_400_and_changes_nothing(
    client_for, supervisor, declaration, data
):
    url = reverse("inspections:conflict_decide", args=[declaration.pk])
    response = client_for(supervisor).post(url, data)
    assert response.status_code == 400
    declaration.refresh_from_db()
    assert declaration.status == ConflictStatus.PENDING


def test_a_decided_declaration_cannot_be_decided_again(client_for, supervisor, chief, declaration):
    roster.decide_conflict(declaration=declaration, actor=supervisor, uphold=True, reason="回避")
    url = reverse("inspections:conflict_decide", args=[declaration.pk])
    response = client_for(chief).post(url, {"decision": "dismiss", "reason": "改判"}, follow=True)
    assert response.status_code == 200
    assert "不能变更" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.status == ConflictStatus.UPHELD


def test_nobody_decides_their_own_declaration(client_for, supervisor, unit):
    own = roster.declare_conflict(officer=supervisor, enterprise_uscc=unit.uscc, kind="relative")
    url = reverse("inspections:conflict_decide", args=[own.pk])
    assert (
        client_for(supervisor).post(url, {"decision": "dismiss", "reason": "x"}).status_code == 403
    )


def test_the_officer_withdraws_a_pending_declaration_but_not_a_decided_one(
    client_for, inspector, supervisor, declaration, org_units
):
    url = reverse("inspections:conflict_withdraw", args=[declaration.pk])
    assert client_for(inspector).post(url).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == ConflictStatus.WITHDRAWN
    other = roster.declare_conflict(
        officer=inspector, enterprise_uscc=enterprise(org_units, 2).uscc, kind="relative"
    )
    roster.decide_conflict(declaration=other, actor=supervisor, uphold=True, reason="回避")
    client_for(inspector).post(reverse("inspections:conflict_withdraw", args=[other.pk]))
    other.refresh_from_db()
    assert other.status == ConflictStatus.UPHELD


def test_the_certificates_page_lists_the_brigade_only(client_for, make_user, supervisor, inspector):
    certify(inspector, "ZJ-LD-0001")
    certify(make_user("inspector", "LQ"), "ZJ-LQ-0001")
    body = client_for(supervisor).get(reverse("inspections:certificates")).content.decode()
    assert "ZJ-LD-0001" in body
    assert "ZJ-LQ-0001" not in body


@pytest.mark.parametrize(
    ("number", "start", "days", "field"),
    [("", TODAY, 10, "number"), ("ZJ-1", TODAY, -1, "valid_until")],
)
def test_a_certificate_with_bad_data_is_refused(inspector, number, start, days, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        certify(inspector, number, start=start, days=days)
    assert field in info.value.error_dict


# --- the roster a draw publishes ---------------------------------------------------------------


def inspection(unit, officers, *, status="closed", visited_days_ago=10, n=[0]):  # noqa: B006
    n[0] += 1
    visit = Inspection.objects.create(
        reference=f"JC-T-{n[0]:05d}",
        kind="complaint",
        enterprise=unit,
        brigade=unit.brigade,
        status=status,
        visited_at=timezone.now() - dt.timedelta(days=visited_days_ago),
    )
    for officer in officers:
        InspectionAssignment.objects.create(inspection=visit, officer=officer)
    return visit


def test_draw_roster_takes_certified_active_officers_of_the_brigades(make_user, org_units):
    a, b = make_user("inspector", "LD"), make_user("brigade_supervisor", "LD")
    expired = make_user("inspector", "LD")
    inactive_certificate = make_user("inspector", "LD")
    left = make_user("inspector", "LD", is_active=False)
    legal = make_user("legal_officer", "LD")
    elsewhere = make_user("inspector", "LQ")
    not_yet = make_user("inspector", "LD")
    certify(a, "C-A")
    certify(b, "C-B")
    certify(expired, "C-E", start=TODAY - dt.timedelta(days=400), days=399)
    certify(inactive_certificate, "C-I", active=False)
    certify(left, "C-L")
    certify(legal, "C-LEGAL")
    certify(elsewhere, "C-LQ")
    certify(not_yet, "C-N", start=TODAY + dt.timedelta(days=1))
    make_user("inspector", "LD")  # no certificate
    inspectors, _, _ = draw_roster(brigade_ids=[org_units["LD"].pk], on_date=TODAY)
    assert inspectors == [
        {"id": a.pk, "code": officer_code(brigade_code="LD", officer_id=a.pk), "brigade": "LD"},
        {"id": b.pk, "code": officer_code(brigade_code="LD", officer_id=b.pk), "brigade": "LD"},
    ]
    # Valid on its last day, not the day after.
    certify(make_user("inspector", "LD"), "C-LAST", start=TODAY - dt.timedelta(days=10), days=10)
    assert len(draw_roster(brigade_ids=[org_units["LD"].pk], on_date=TODAY)[0]) == 3
    tomorrow = TODAY + dt.timedelta(days=1)
    assert (
        len(draw_roster(brigade_ids=[org_units["LD"].pk], on_date=tomorrow)[0]) == 3
    )  # not_yet in, last out


def test_draw_roster_excludes_pending_and_upheld_conflicts_only(inspector, supervisor, org_units):
    certify(inspector, "C-1")
    units = [enterprise(org_units, n) for n in range(2, 6)]
    _pending, upheld, dismissed, withdrawn = (
        roster.declare_conflict(officer=inspector, enterprise_uscc=u.uscc, kind="relative")
        for u in units
    )
    roster.decide_conflict(declaration=upheld, actor=supervisor, uphold=True, reason="回避")
    roster.decide_conflict(declaration=dismissed, actor=supervisor, uphold=False, reason="无关")
    roster.withdraw_conflict(declaration=withdrawn, actor=inspector)
    _, exclusions, _ = draw_roster(brigade_ids=[org_units["LD"].pk], on_date=TODAY)
    assert exclusions == [
        {"inspector": inspector.pk, "candidate": units[0].pk},
        {"inspector": inspector.pk, "candidate": units[1].pk},
    ]


def test_the_previous_pair_is_the_latest_visit_with_two_officers(make_user, org_units, unit):
    a, b, c = (make_user("inspector", "LD") for _ in range(3))
    inspection(unit, [a, b], visited_days_ago=400)
    inspection(unit, [b, c], visited_days_ago=30)
    inspection(unit, [a, c], status="assigned", visited_days_ago=1)  # not visited yet
    other = enterprise(org_units, 7)
    inspection(other, [a, b, c], visited_days_ago=5)  # three officers: no pair
    _, _, previous = draw_roster(brigade_ids=[org_units["LD"].pk], on_date=TODAY)
    assert previous == [{"candidate": unit.pk, "inspectors": sorted([b.pk, c.pk])}]


def test_draw_roster_costs_three_queries_whatever_the_size(
    make_user, org_units, django_assert_num_queries, django_assert_max_num_queries
):
    ld = [org_units["LD"].pk]
    with django_assert_max_num_queries(3):  # no officer: the exclusions need no query
        draw_roster(brigade_ids=ld, on_date=TODAY)
    officers = [make_user("inspector", "LD") for _ in range(6)]
    for n, officer in enumerate(officers):
        certify(officer, f"C-{n}")
    for n in range(8):
        unit = enterprise(org_units, 20 + n)
        inspection(unit, officers[n % 3 : n % 3 + 2])
        roster.declare_conflict(officer=officers[n % 6], enterprise_uscc=unit.uscc, kind="relative")
    with django_assert_num_queries(3):
        inspectors, exclusions, previous = draw_roster(brigade_ids=ld, on_date=TODAY)
    assert (len(inspectors), len(exclusions), len(previous)) == (6, 8, 8)


def test_a_draw_over_the_roster_honours_the_register(make_user, supervisor, org_units):
    """End to end: the register's declarations reach the draw as exclusions."""
    officers = [make_user("inspector", "LD") for _ in range(3)]
    for n, officer in enumerate(officers):
        certify(officer, f"C-E2E-{n}")
    units = [enterprise(org_units, 40 + n) for n in range(6)]
    for u in units:
        roster.declare_conflict(
            officer=officers[0], enterprise_uscc=u.uscc, kind="business_interest"
        )
    inspectors, exclusions, previous = draw_roster(brigade_ids=[org_units["LD"].pk], on_date=TODAY)
    data = {
        "plan": 1,
        "version": 1,
        "candidates": [
            {
                "id": u.pk,
                "name": u.name,
                "uscc": u.uscc,
                "brigade": "LD",
                "class": "general",
                "grade": "B",
            }
            for u in units
        ],
        "ratios": [{"class": "general", "grade": "B", "ratio": "1"}],
        "inspectors": inspectors,
        "exclusions": exclusions,
        "previous_pairs": previous,
    }
    result = drawing.draw(data, drawing.new_seed())
    assert len(result["selected"]) == 6
    for row in result["selected"]:
        assert sorted(row["inspectors"]) == sorted([officers[1].pk, officers[2].pk])


# --- the decision's clock ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "due"),
    [
        # Monday → Thursday: three days.
        (dt.datetime(2026, 12, 7, 10, 0), dt.date(2026, 12, 10)),
        # Wednesday → Saturday: a period ending on a rest day ends on the next working day.
        (dt.datetime(2026, 12, 2, 10, 0), dt.date(2026, 12, 7)),
    ],
)
def test_a_declaration_starts_the_decision_clock_of_its_rule(inspector, unit, declared, due):
    from zoneinfo import ZoneInfo

    import time_machine

    from lishui_fire.core import clocks

    with time_machine.travel(declared.replace(tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        declaration = roster.declare_conflict(
            officer=inspector, enterprise_uscc=unit.uscc, kind="relative"
        )
    clock = clocks.live_clock(declaration, roster.DECISION_MILESTONE)
    assert clock.rule.code == "inspection.recusal_decision"
    assert (clock.rule.count, clock.rule.unit) == (3, "calendar_day")
    assert clock.rule.legal_basis.startswith("《中华人民共和国行政处罚法》第四十三条")
    assert clock.brigade_id == declaration.brigade_id
    assert clock.due_date == due


def test_the_decision_stops_the_clock_met_and_a_withdrawal_cancels_it(
    inspector, supervisor, declaration, org_units
):
    from lishui_fire.core import clocks

    roster.decide_conflict(declaration=declaration, actor=supervisor, uphold=True, reason="回避")
    assert clocks.live_clock(declaration, roster.DECISION_MILESTONE) is None
    assert roster.decision_clock(declaration).outcome == "met"
    other = roster.declare_conflict(
        officer=inspector, enterprise_uscc=enterprise(org_units, 9).uscc, kind="relative"
    )
    roster.withdraw_conflict(declaration=other, actor=inspector)
    assert roster.decision_clock(other).outcome == "cancelled"


def test_the_declaration_page_shows_the_decision_deadline(client_for, supervisor, declaration):
    url = reverse("inspections:conflict_detail", args=[declaration.pk])
    body = client_for(supervisor).get(url).content.decode()
    due = roster.decision_clock(declaration).due_date.isoformat()
    assert f'<time datetime="{due}">' in body


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("inspections:my_conflicts", "inspector"),
        ("inspections:conflict_register", "supervisor"),
        ("inspections:conflict_detail", "supervisor"),
        ("inspections:certificates", "chief"),
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_roster_page_has_one_h1_a_title_and_its_links(
    client_for, personas, declaration, name, reader, language
):
    page = client_for(personas[reader])
    page.cookies["django_language"] = language
    args = [declaration.pk] if name.endswith("detail") else []
    body = page.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert body.count("<h1") == 1
    assert "<title>" in body
    assert 'class="iv-nav"' in body
    assert "inspections/roster.css" in body
