"""The kernel's statutory-clock panel on /overview/: overdue, due within two days, and missed
internal targets kept apart — each supervisor sees the clocks of their own scope only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lishui_fire.core import clocks
from lishui_fire.core.models import DeadlineRule

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=TZ)


@pytest.fixture
def rule(db):
    return DeadlineRule.objects.create(
        code="test.panel",
        name="测试认定期限",
        count=30,
        unit="calendar_day",
        start_event="接到火灾报警",
        legal_basis="（测试）",
        effective_from=dt.date(2020, 1, 1),
        target_count=20,
    )


@pytest.fixture
def start(rule, make_enterprise):
    def start(*, days_ago: int, brigade: str = "LD", target: bool = False):
        from lishui_fire.accounts.models import OrgUnit

        unit = OrgUnit.objects.get(code=brigade)
        subject = make_enterprise(brigade=unit)
        with time_machine.travel(NOW, tick=False):
            return clocks.start_clock(
                subject=subject,
                milestone="determination",
                code=rule.code,
                started_at=NOW - dt.timedelta(days=days_ago),
                with_target=target,
            )

    return start


def overview(client, user):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("core:overview"))


def test_it_lists_overdue_and_due_soon_clocks_of_the_brigade(client, supervisor, start):
    overdue = start(days_ago=40)
    soon = start(days_ago=29)
    start(days_ago=1)  # runs out in a month: not on the panel
    page = overview(client, supervisor).content.decode()
    assert "已超过法定期限 1 件，两日内到期 1 件，未达内部目标 0 件。" in page
    assert str(overdue.subject) in page
    assert str(soon.subject) in page
    assert overdue.due_date.isoformat() in page


def test_a_missed_target_is_not_an_overdue_clock(client, supervisor, start):
    missed = start(days_ago=25, target=True)  # target (20 days) passed, statutory 30 not yet
    page = overview(client, supervisor).content.decode()
    assert "已超过法定期限 0 件，两日内到期 0 件，未达内部目标 1 件。" in page
    assert "未达内部目标（不属于超过法定期限）" in page
    assert missed.target_date.isoformat() in page


def test_another_brigades_clocks_stay_out_of_a_brigade_supervisors_panel(
    client, supervisor, chief, start
):
    other = start(days_ago=40, brigade="LQ")
    assert str(other.subject) not in overview(client, supervisor).content.decode()
    # The detachment sees every brigade.
    assert str(other.subject) in overview(client, chief).content.decode()


def test_the_panel_costs_the_same_with_more_clocks(client, supervisor, start):
    start(days_ago=40)
    client.force_login(supervisor)
    url = reverse("core:overview")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        return len(q)

    count()
    few = count()
    for days in (35, 36, 37, 38, 29):
        start(days_ago=days)
    assert count() == few


def test_the_legal_officer_sees_the_brigades_clocks_and_the_discipline_officer_none(
    client, personas, start
):
    overdue = start(days_ago=40)
    assert str(overdue.subject) in overview(client, personas["legal_officer"]).content.decode()
    page = overview(client, personas["discipline_officer"]).content.decode()
    assert "overview-clocks" not in page
