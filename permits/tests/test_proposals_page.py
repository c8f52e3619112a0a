"""待审批的拟办意见 (issue 9, ADR 0034): a supervisor finds the inspectors' proposals waiting for
their approval on one page, the oldest first, with how long each has waited and what is left of
the decision clock; an inspector finds their own. The overview and the dashboard say how many
wait. The page costs the same queries for 2 rows as for 8."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.models import DecisionProposal, PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2026, 12, 4, 10, 0, tzinfo=TZ)  # no holiday near it
URL = "/permits/staff/proposals/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(moment):
    return time_machine.travel(moment, tick=False)


def proposal(citizen, inspector, venue, *, brigade="LD", proposed=None, due=None, **kw):
    """A commitment application of ``brigade`` with ``inspector``'s pending proposal to grant,
    made at ``proposed``, its decision clock ending on ``due`` (set directly: test set-up)."""
    application = make_application(
        citizen, brigade=brigade, status="submitted", venue_name=venue, **kw
    )
    made = services.propose_decision(application=application, actor=inspector, outcome="approve")
    if proposed is not None:
        DecisionProposal.objects.filter(pk=made.pk).update(proposed_at=proposed)
    if due is not None:
        PermitApplication.objects.filter(pk=application.pk).update(decision_due=due)
    return application


def page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return response


def test_the_url_name():
    assert reverse("permits:staff_proposals") == URL


def test_a_brigade_supervisor_sees_their_brigades_proposals_oldest_first_with_the_clock(
    client_for, citizen, inspector, other_inspector, supervisor
):
    with at(FRIDAY):
        newer = proposal(
            citizen,
            inspector,
            "新近拟办的酒店",
            proposed=FRIDAY - dt.timedelta(hours=1),
            due=dt.date(2026, 12, 8),  # Monday and Tuesday left
        )
        older = proposal(
            citizen,
            inspector,
            "等了三天的歌舞厅",
            proposed=FRIDAY - dt.timedelta(days=3),
            due=dt.date(2026, 12, 2),  # Wednesday: Thursday and Friday late
        )
        today = proposal(
            citizen, inspector, "今日到期的影院", proposed=FRIDAY, due=dt.date(2026, 12, 4)
        )
        longquan = proposal(citizen, other_inspector, "龙泉的民宿", brigade="LQ")
        response = page(client_for(supervisor))
    rows = response.context["rows"]
    assert [r["application"].pk for r in rows] == [older.pk, newer.pk, today.pk]
    assert longquan.pk not in {r["application"].pk for r in rows}
    html = response.content.decode()
    assert html.index("等了三天的歌舞厅") < html.index("新近拟办的酒店")
    assert "龙泉的民宿" not in html
    for application in (older, newer, today):
        assert reverse("permits:staff_application", args=[application.pk]) in html
        assert application.reference in html
    assert "已逾期 2 个工作日" in html
    assert "剩 2 个工作日" in html
    assert "今日到期" in html
    assert "3 天" in html
    assert "今天提出" in html
    assert "准予许可" in html
    assert inspector.real_name in html
    assert 'class="st-table st-stack"' in html
    assert 'data-label="决定期限"' in html
    assert all(r["may_decide"] for r in rows)


def test_decided_sent_back_and_withdrawn_proposals_are_not_waiting(
    client_for, citizen, inspector, supervisor
):
    approved = proposal(citizen, inspector, "已批准的场所")
    services.approve_application(application=approved, actor=supervisor)
    sent_back = proposal(citizen, inspector, "已退回的场所")
    services.send_back_proposal(application=sent_back, actor=supervisor, note="请核对面积")
    withdrawn = proposal(citizen, inspector, "申请人撤回的场所")
    services.withdraw_application(application=withdrawn, actor=citizen)
    waiting = proposal(citizen, inspector, "仍在等待的场所")
    rows = page(client_for(supervisor)).context["rows"]
    assert [r["application"].pk for r in rows] == [waiting.pk]


def test_the_detachment_sees_every_brigade_and_an_inspector_only_their_own(
    client_for, citizen, inspector, other_inspector, chief, make_user
):
    colleague = make_user("inspector", "LD", username="inspector-ld-2")
    mine = proposal(citizen, inspector, "我拟办的场所")
    theirs = proposal(citizen, colleague, "同事拟办的场所")
    longquan = proposal(citizen, other_inspector, "龙泉的民宿", brigade="LQ")

    chief_rows = page(client_for(chief)).context["rows"]
    assert {r["application"].pk for r in chief_rows} == {mine.pk, theirs.pk, longquan.pk}

    response = page(client_for(inspector))
    assert [r["application"].pk for r in response.context["rows"]] == [mine.pk]
    html = response.content.decode()
    assert "您本人提出" in html
    assert "同事拟办的场所" not in html
    # The inspector cannot approve: the row says it waits, no approval link.
    assert not response.context["rows"][0]["may_decide"]
    assert "本人拟办，待领导审批" in html


def test_a_supervisors_own_proposal_is_listed_but_not_offered_for_their_approval(
    client_for, citizen, supervisor
):
    own = proposal(citizen, supervisor, "领导本人拟办的场所")
    response = page(client_for(supervisor))
    (row,) = response.context["rows"]
    assert row["application"].pk == own.pk
    assert not row["may_decide"]
    assert "本人拟办，待领导审批" in response.content.decode()
    # The overview counts what waits for *them*: not their own proposal.
    overview = client_for(supervisor).get(reverse("core:overview")).content.decode()
    panel = overview.split('id="overview-permits"')[1].split("</section>")[0]
    assert '待您审批的拟办意见 <span class="count">0</span>' in panel


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 403),
        ("discipline_officer", 403),
        ("legal_officer", 200),
        ("administrator", 200),
    ],
)
def test_who_may_open_the_page(client_for, personas, persona, status, citizen, inspector):
    proposal(citizen, inspector, "法制员也能看的场所")
    response = client_for(personas[persona]).get(URL)
    assert response.status_code == status
    if status == 200:  # the legal officer (LD) and the administrator read, decide nothing
        assert "法制员也能看的场所" in response.content.decode()
        assert not any(r["may_decide"] for r in response.context["rows"])


def test_the_overview_and_the_dashboard_say_how_many_wait(
    client_for, citizen, inspector, supervisor
):
    proposal(citizen, inspector, "场所一")
    proposal(citizen, inspector, "场所二")
    client = client_for(supervisor)
    overview = client.get(reverse("core:overview")).content.decode()
    panel = overview.split('id="overview-permits"')[1].split("</section>")[0]
    assert f'href="{URL}"' in panel
    assert '待您审批的拟办意见 <span class="count">2</span>' in panel
    dashboard = client.get(reverse("permits:dashboard")).content.decode()
    assert f'<a href="{URL}"><span class="st-kpi">2</span> 待您审批的拟办意见</a>' in dashboard
    # The staff menu leads there from every staff page.
    queue = client.get(reverse("permits:queue")).content.decode()
    assert f'<a href="{URL}">待审批拟办</a>' in queue
    inspector_queue = client_for(inspector).get(reverse("permits:queue")).content.decode()
    assert f'<a href="{URL}">我的拟办意见</a>' in inspector_queue
    inspector_overview = client_for(inspector).get(reverse("core:overview")).content.decode()
    assert '我的拟办意见（待领导审批） <span class="count">2</span>' in inspector_overview


def test_the_page_costs_the_same_queries_for_2_rows_as_for_8(
    client_for, citizen, inspector, supervisor, make_user
):
    with at(FRIDAY):
        client = client_for(supervisor)
        counts = []
        for batch in (2, 6):
            for n in range(batch):
                proposer = make_user("inspector", "LD", username=f"proposer-{batch}-{n}")
                proposal(
                    citizen,
                    proposer,
                    f"场所{batch}-{n}",
                    green_channel=n % 2 == 0,
                    green_channel_reason="重点项目" if n % 2 == 0 else "",
                    due=dt.date(2026, 12, 1 + n),
                )
            page(client)  # warm the session and the calendar cache
            with CaptureQueriesContext(connection) as queries:
                rows = page(client).context["rows"]
            counts.append(len(queries))
        assert len(rows) == 8
    # The session and its user (with the unit that sets the scope); the page's count; its rows
    # with their applications, brigades and proposers joined.
    assert counts == [4, 4], counts
