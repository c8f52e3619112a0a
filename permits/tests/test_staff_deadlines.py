"""Statutory dates on the staff pages across the National Day holiday with its 调休 make-up days,
into a year whose holiday notice is not yet published (暂定), and the green channel's shorter
internal target. The calendar is the real one (lishui_fire.core.calendar)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lishui_fire.core import calendar
from permits.models import PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def submit(citizen, path):
    return services.submit_application(
        application=make_application(citizen, path=path), actor=citizen
    )


def post(client, application, action, **fields):
    data = {f"{action}-status": application.status}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    url = reverse("permits:staff_action", args=[application.pk, action])
    return client.post(url, data, follow=True)


def test_the_calendar_knows_national_day_2026_and_its_make_up_days():
    for day in range(1, 8):
        assert not calendar.is_workday(dt.date(2026, 10, day))
    assert calendar.is_workday(dt.date(2026, 9, 20))  # Sunday, 调休上班
    assert calendar.is_workday(dt.date(2026, 10, 10))  # Saturday, 调休上班
    assert not calendar.is_workday(dt.date(2026, 10, 11))


def test_inspection_due_counts_ten_working_days_across_national_day(client_for, citizen, inspector):
    with at(2026, 9, 29, 9, 0):
        application = submit(citizen, "inspection")
    with at(2026, 9, 29, 10, 0):
        response = post(client_for(inspector), application, "accept")
    application = fresh(application)
    assert application.status == "accepted"
    # Sep 30; (Oct 1–7 holiday); Oct 8, 9, 10 (make-up Saturday), 12–16, 19: the tenth is Oct 19.
    assert application.inspection_due == dt.date(2026, 10, 19)
    assert application.next_due == dt.date(2026, 10, 19)
    days = [dt.date(2026, 9, 29) + dt.timedelta(days=i) for i in range(1, 21)]
    assert sum(calendar.is_workday(d) for d in days) == 10
    assert not application.due_provisional
    assert "2026-10-19" in response.content.decode()


def test_commitment_decision_due_on_the_make_up_saturday(client_for, citizen, inspector):
    with at(2026, 10, 9, 15, 0):  # a Friday, before the make-up Saturday Oct 10
        application = submit(citizen, "commitment")
        response = client_for(inspector).get(reverse("permits:queue"))
    application = fresh(application)
    assert application.decision_due == dt.date(2026, 10, 10)
    assert application.next_due == dt.date(2026, 10, 10)
    assert "2026-10-10" in response.content.decode()


def test_verification_into_an_unpublished_year_is_provisional_until_published(
    client_for, citizen, inspector, supervisor, django_capture_on_commit_callbacks
):
    from lishui_fire.core.models import CalendarDay, CalendarYear

    # Make sure 2027 counts as not yet published, whatever the seed holds.
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    with at(2026, 12, 10, 9, 0):
        # Signed in on the day: a staff session expires after idling (accounts middleware).
        client = client_for(inspector)
        application = submit(citizen, "commitment")
        services.propose_decision(application=application, actor=inspector, outcome="approve")
        response = post(client_for(supervisor), application, "approve")
        application = fresh(application)
        assert application.status == "approved", [str(m) for m in response.context["messages"]]
        assert application.verification_due.year == 2027
        assert application.due_provisional
        detail = client.get(reverse("permits:staff_application", args=[application.pk]))
        queue = client.get(reverse("permits:queue"))
    for response in (detail, queue):
        html = response.content.decode()
        assert 'class="badge provisional"' in html
        assert "暂定" in html

    # Due dates are recomputed once the administrator's publication has committed.
    with django_capture_on_commit_callbacks(execute=True):
        publish_2027()
    application = fresh(application)
    assert not application.due_provisional
    # Dec 11, 14–18, 21–25, 28–31 (15 days); Jan 1 2027 holiday; Jan 4–8: the 20th is Jan 8.
    assert application.verification_due == dt.date(2027, 1, 8)
    with at(2026, 12, 11, 9, 0):
        detail = client_for(inspector).get(
            reverse("permits:staff_application", args=[application.pk])
        )
    assert 'class="badge provisional"' not in detail.content.decode()


def publish_2027():
    """Enter the 2027 notice (New Year's Day a holiday) the way an administrator does."""
    calendar.publish_calendar_year(
        2027,
        days=[(dt.date(2027, 1, 1), False, "元旦")],
        source="国务院办公厅关于2027年部分节假日安排的通知（测试）",
    )


# --- Green channel -----------------------------------------------------------------------------------
def test_green_channel_halves_the_inspection_target(
    client_for, citizen, inspector, supervisor, django_capture_on_commit_callbacks
):
    from lishui_fire.core import clocks
    from permits.models import PermitDocument
    from permits.tests.pdftext import pdf_text

    with at(2026, 11, 2, 9, 0):  # a Monday with no holiday in the next weeks
        plain = submit(citizen, "inspection")
        green = submit(citizen, "inspection")
        post(client_for(supervisor), green, "green_channel", enabled="yes", reason="省重点建设项目")
        post(client_for(inspector), fresh(plain), "accept")
        with django_capture_on_commit_callbacks(execute=True):
            post(client_for(inspector), fresh(green), "accept")
        detail = client_for(inspector).get(reverse("permits:staff_application", args=[green.pk]))
    assert fresh(plain).inspection_due == dt.date(2026, 11, 16)  # 10 working days
    # The green channel's count is an internal target beside the statutory date, not in its place.
    assert clocks.live_clock(fresh(green), "inspection").target_date == dt.date(
        2026, 11, 9
    )  # internal target: 5
    assert fresh(green).inspection_due == dt.date(2026, 11, 16)
    assert clocks.live_clock(fresh(plain), "inspection").target_date is None
    html = detail.content.decode()
    assert "2026-11-16" in html
    assert "内部目标 2026-11-09" in html
    # The acceptance notice promises the statutory date, never the target.
    notice = PermitDocument.objects.get(application=green, kind="acceptance")
    with notice.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "2026年11月16日" in text
    assert "2026年11月9日" not in text


def test_missing_a_target_is_not_a_statutory_overdue(citizen, inspector, supervisor):
    from lishui_fire.core import clocks

    with at(2026, 11, 2, 9, 0):
        green = submit(citizen, "inspection")
        services.set_green_channel(
            application=fresh(green), actor=supervisor, enabled=True, reason="省重点建设项目"
        )
        services.accept_application(application=fresh(green), actor=inspector)
    now = dt.datetime(2026, 11, 10, 9, 0, tzinfo=TZ)  # target Nov 9 passed, statutory Nov 16 not
    board = clocks.clocks_due_for_user(user=inspector, now=now)
    assert [c.milestone for c in board.target_missed] == ["inspection"]
    assert board.overdue == []
    later = clocks.clocks_due_for_user(user=inspector, now=now + dt.timedelta(days=7))
    assert [c.milestone for c in later.overdue] == ["inspection"]


def test_green_channel_goes_first_whatever_its_date(client_for, citizen, inspector, supervisor):
    with at(2026, 11, 2, 9, 0):
        urgent = submit(citizen, "inspection")
    with at(2026, 11, 20, 9, 0):
        green = submit(citizen, "inspection")
        services.set_green_channel(
            application=fresh(green), actor=supervisor, enabled=True, reason="省重点建设项目"
        )
        response = client_for(inspector).get(reverse("permits:queue"))
    assert fresh(green).next_due > fresh(urgent).next_due
    rows = [r["application"].pk for r in response.context["rows"]]
    assert rows == [green.pk, urgent.pk]
    # Clearing the flag restores the statutory target and the order by date.
    services.set_green_channel(application=fresh(green), actor=supervisor, enabled=False)
    with at(2026, 11, 20, 9, 0):
        response = client_for(inspector).get(reverse("permits:queue"))
    assert response.status_code == 200
    assert [r["application"].pk for r in response.context["rows"]] == [urgent.pk, green.pk]
