"""行政许可法 art. 32 ¶1 (4), issue 9: an applicant not told within 5 working days what is missing
has the application accepted from the day it was received; after that it cannot be returned (nor
refused as not accepted), and the inspection clock runs from receipt. The period is the
``permit.acceptance`` rule counted on the kernel calendar; a beat sweep records the acceptance,
and the services refuse a late return whether or not the sweep has run."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lishui_fire.core import calendar
from lishui_fire.core.errors import DomainError
from lishui_fire.core.models import Notification, StatusChange
from lishui_fire.core.schedules import portal_beat_schedule
from permits import rules
from permits.models import DocumentKind, PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application
from permits.workflow import PermitStatus as S

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
LATE = "依法自收到申请之日起即为受理"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def submit(citizen, when, path="inspection"):
    with at(*when):
        application = make_application(citizen, status="draft", path=path)
        return services.submit_application(application=application, actor=citizen)


# --- The pure rule --------------------------------------------------------------------------------
END = dt.datetime(2026, 11, 12, 0, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("status", "period_ends", "now", "deemed"),
    [
        (S.SUBMITTED, END, END - dt.timedelta(microseconds=1), False),  # last moment of day 5
        (S.SUBMITTED, END, END, True),  # day 6 has begun
        (S.SUBMITTED, END, END + dt.timedelta(days=30), True),
        (S.SUBMITTED, None, END, False),  # never received
        (S.RETURNED, END, END, False),  # told in time: the applicant holds the file
        (S.ACCEPTED, END, END, False),  # accepted anyway
        (S.DRAFT, END, END, False),
    ],
)
def test_deemed_acceptance_rule(status, period_ends, now, deemed):
    assert rules.deemed_accepted(status=status, period_ends=period_ends, now=now) is deemed


# --- The boundary on the kernel calendar ---------------------------------------------------------
# Received Wednesday 4 November 2026: working days Thu 5, Fri 6, Mon 9, Tue 10, Wed 11.
ACROSS_A_WEEKEND = [
    ((2026, 11, 7, 10, 0), True),  # Saturday: still inside
    ((2026, 11, 11, 9, 0), True),  # working day 5
    ((2026, 11, 11, 23, 59), True),  # working day 5, late evening
    ((2026, 11, 12, 0, 0), False),  # working day 6 has begun
    ((2026, 11, 12, 9, 0), False),  # working day 6
]
# Received Friday 25 September 2026: Mon 28, Tue 29, Wed 30 September, then National Day (1–7
# October off), Thu 8 and Fri 9 October; Saturday 10 October is a make-up working day (调休).
ACROSS_A_HOLIDAY = [
    ((2026, 10, 5, 10, 0), True),  # inside the holiday: day 3 was the last counted
    ((2026, 10, 9, 16, 0), True),  # working day 5
    ((2026, 10, 10, 9, 0), False),  # the make-up Saturday is working day 6
]


def test_the_calendar_is_the_one_the_cases_assume():
    assert not calendar.is_workday(D(2026, 10, 5))
    assert calendar.is_workday(D(2026, 10, 8))
    assert calendar.is_workday(D(2026, 10, 10))  # 调休 Saturday
    assert not calendar.is_workday(D(2026, 11, 7))


@pytest.mark.parametrize(("when", "in_time"), ACROSS_A_WEEKEND)
@pytest.mark.parametrize("path", ["inspection", "commitment"])
def test_return_across_a_weekend(citizen, inspector, path, when, in_time):
    application = submit(citizen, (2026, 11, 4, 10, 0), path)
    _try_return(application, inspector, when, in_time)


@pytest.mark.parametrize(("when", "in_time"), ACROSS_A_HOLIDAY)
def test_return_across_national_day(citizen, inspector, when, in_time):
    application = submit(citizen, (2026, 9, 25, 15, 0))
    _try_return(application, inspector, when, in_time)


def _try_return(application, inspector, when, in_time):
    with at(*when):
        if in_time:
            services.return_application(
                application=fresh(application), actor=inspector, missing_items=["消防设施平面图"]
            )
            assert fresh(application).status == S.RETURNED
        else:
            with pytest.raises(DomainError, match=LATE):
                services.return_application(
                    application=fresh(application),
                    actor=inspector,
                    missing_items=["消防设施平面图"],
                )
            assert fresh(application).status == S.SUBMITTED
            assert fresh(application).missing_items == []


def test_not_accepted_is_refused_too_after_the_period(citizen, inspector):
    application = submit(citizen, (2026, 11, 4, 10, 0))
    with at(2026, 11, 12, 9, 0), pytest.raises(DomainError, match=LATE):
        services.refuse_to_accept(application=fresh(application), actor=inspector, reason="不属于")
    assert fresh(application).status == S.SUBMITTED


def test_the_period_restarts_with_a_completed_resubmission(citizen, inspector):
    application = submit(citizen, (2026, 11, 4, 10, 0))
    with at(2026, 11, 5, 10, 0):
        services.return_application(application=application, actor=inspector, missing_items=["图"])
    with at(2026, 11, 16, 10, 0):  # Monday
        services.submit_application(application=fresh(application), actor=citizen)
    with at(2026, 11, 20, 10, 0):  # Friday, working day 4 of the new period
        services.return_application(
            application=fresh(application), actor=inspector, missing_items=["图"]
        )
    assert fresh(application).status == S.RETURNED


# --- The sweep records it ------------------------------------------------------------------------
def test_the_sweep_accepts_an_inspection_application_from_receipt(citizen, inspector):
    application = submit(citizen, (2026, 11, 4, 10, 0))
    with at(2026, 11, 11, 23, 0):
        assert services.sweep_deemed_acceptance() == 0  # still inside the period
    assert fresh(application).status == S.SUBMITTED
    with at(2026, 11, 12, 0, 10):
        assert services.sweep_deemed_acceptance() == 1
        assert services.sweep_deemed_acceptance() == 0  # once
    application = fresh(application)
    assert application.status == S.ACCEPTED
    assert application.deemed_accepted
    assert application.accepted_at == application.submitted_at
    # The inspection clock runs from receipt: 10 working days from Wednesday 4 November.
    assert application.inspection_due == D(2026, 11, 18)
    assert application.documents.filter(kind=DocumentKind.ACCEPTANCE_NOTICE).exists()
    move = StatusChange.objects.get(
        content_type__model="permitapplication",
        object_id=str(application.pk),
        to_status=S.ACCEPTED,
    )
    assert move.actor is None
    assert "第三十二条" in move.note
    told = Notification.objects.filter(recipient=citizen, body__contains="视为受理")
    assert told.filter(channel="sms").exists()
    assert told.filter(channel="in_app").exists()
    # … and it can no longer be returned, with the reason.
    with at(2026, 11, 12, 9, 0), pytest.raises(DomainError, match=LATE):
        services.return_application(application=application, actor=inspector, missing_items=["图"])


def test_the_sweep_records_a_commitment_application_as_received_and_accepted(citizen):
    application = submit(citizen, (2026, 11, 4, 10, 0), "commitment")
    with at(2026, 11, 12, 0, 10):
        assert services.sweep_deemed_acceptance() == 1
    application = fresh(application)
    assert application.status == S.SUBMITTED  # the permit decision is owed
    assert application.deemed_accepted
    assert application.accepted_at == application.submitted_at


def test_accepting_late_by_hand_still_counts_from_receipt(citizen, inspector):
    application = submit(citizen, (2026, 11, 4, 10, 0))
    with at(2026, 11, 13, 9, 0):  # the sweep has not run
        services.accept_application(application=fresh(application), actor=inspector)
    application = fresh(application)
    assert application.deemed_accepted
    assert application.accepted_at == application.submitted_at
    assert application.inspection_due == D(2026, 11, 18)


def test_the_sweep_is_on_the_beat():
    entry = portal_beat_schedule()["permits.sweep_deemed_acceptance"]
    assert entry["task"] == "permits.tasks.sweep_deemed_acceptance"


# --- Page and API ---------------------------------------------------------------------------------
def test_page_return_after_the_period_is_refused_with_the_reason(client_for, citizen, inspector):
    application = submit(citizen, (2026, 11, 4, 10, 0))
    with at(2026, 11, 12, 9, 0):
        client = client_for(inspector)
        response = client.post(
            reverse("permits:staff_action", args=[application.pk, "return"]),
            {"return-status": "submitted", "return-missing_items": "平面图"},
            follow=True,
        )
    assert any(LATE in str(m) for m in response.context["messages"])
    assert fresh(application).status == S.SUBMITTED


def test_api_return_after_the_period_is_409(api_for, citizen, inspector):
    application = submit(citizen, (2026, 11, 4, 10, 0))
    with at(2026, 11, 12, 9, 0):
        response = api_for(inspector).post(
            f"/api/v1/permits/{application.pk}/return/",
            {"missing_items": ["平面图"]},
            format="json",
        )
    assert response.status_code == 409
    assert LATE in response.json()["detail"]
    assert fresh(application).status == S.SUBMITTED


def test_the_applicant_and_the_brigade_see_it(client_for, citizen, inspector):
    application = submit(citizen, (2026, 11, 4, 10, 0))
    with at(2026, 11, 12, 0, 10):
        services.sweep_deemed_acceptance()
    with at(2026, 11, 12, 9, 0):
        mine = client_for(citizen).get(reverse("permits:my_application", args=[application.pk]))
        staff = client_for(inspector).get(
            reverse("permits:staff_application", args=[application.pk])
        )
    assert "视为受理" in mine.content.decode()
    assert "视为受理" in staff.content.decode()
