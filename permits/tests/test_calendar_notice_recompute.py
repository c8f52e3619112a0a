"""Entering a year's notice on the administrators' page recomputes the permit deadlines that
depend on that year: a provisional date counted on the stand-in becomes the notice's firm date."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lishui_fire.core.models import CalendarDay, CalendarYear
from permits.services import applications as services
from permits.tests.factories import make_application

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


def test_publishing_a_notice_on_the_page_recomputes_a_provisional_permit_deadline(
    client_for, citizen, inspector, supervisor, administrator, django_capture_on_commit_callbacks
):
    CalendarYear.objects.filter(year=2027).delete()
    CalendarDay.objects.filter(date__year=2027).delete()
    with at(2026, 12, 10, 9, 0):
        staff = client_for(inspector)
        application = services.submit_application(
            application=make_application(citizen, path="commitment"), actor=citizen
        )
        services.propose_decision(application=application, actor=inspector, outcome="approve")
        data = {"approve-status": application.status}
        client_for(supervisor).post(
            reverse("permits:staff_action", args=[application.pk, "approve"]), data
        )
        detail = staff.get(reverse("permits:staff_application", args=[application.pk]))
    html = detail.content.decode()
    # Twenty working days from 10 Dec 2026 on the stand-in: Dec 11–31 (15), Jan 4–8 (20).
    assert "2027-01-08" in html
    assert 'class="badge provisional"' in html

    # The notice (a test one) gives Monday 4 January as well: the 20th day moves to the 11th.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse("admin:core_calendaryear_enter"),
            {
                "year": "2027",
                "source": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
                "holidays": "2027-01-01 至 2027-01-04 元旦",
                "make_up_days": "",
                "publish": "1",
            },
        )
    assert response.status_code == 302

    with at(2026, 12, 11, 9, 0):
        detail = client_for(inspector).get(
            reverse("permits:staff_application", args=[application.pk])
        )
    html = detail.content.decode()
    assert "2027-01-11" in html
    assert "2027-01-08" not in html
    assert 'class="badge provisional"' not in html
