"""行政许可法 art. 44, issue 9: the permit document is served within 10 working days of the
decision. A clock (``permit.document_service``) starts at the decision and stops when the
document is served: downloaded by the applicant, signed for by mail, or recorded by staff as
handed over or served otherwise; reminders before it runs out and an overdue alert."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lishui_fire.core import clocks
from lishui_fire.core.errors import DomainError
from lishui_fire.core.models import Reminder
from permits.models import DocumentKind, PermitApplication
from permits.services import applications as services
from permits.tests.factories import decide, make_application, revocable
from permits.workflow import PermitStatus as S

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def granted(citizen, inspector, when=(2026, 11, 4, 10, 0)):
    with at(*when):
        application = make_application(citizen, status="draft")
        services.submit_application(application=application, actor=citizen)
        decide(application, inspector)
    return fresh(application)


def service_clock(application):
    return next(c for c in clocks.clocks_of(application) if c.milestone == "service")


def test_the_decision_starts_the_service_clock(citizen, inspector):
    application = granted(citizen, inspector)  # Wednesday 4 November 2026
    clock = service_clock(application)
    assert clock.is_live
    assert clock.rule.code == "permit.document_service"
    assert "第四十四条" in clock.rule.legal_basis
    # Ten working days from Wednesday 4 November: Thu 5 … Wed 18 November.
    assert application.service_due == D(2026, 11, 18)
    # The inspector who handles it is reminded before, on and after the last day.
    kinds = set(
        Reminder.objects.filter(
            milestone__startswith=f"clock-{clock.pk}-service", status="scheduled"
        ).values_list("milestone", flat=True)
    )
    assert {k.rsplit("-", 1)[1] for k in kinds} == {"warning", "due", "overdue"}


def test_the_applicants_download_serves_it(client_for, citizen, inspector, supervisor):
    application = granted(citizen, inspector)
    letter = application.documents.get(kind=DocumentKind.DECISION)
    url = reverse("permits:document_download", args=[letter.pk])
    with at(2026, 11, 6, 9, 0):
        assert client_for(supervisor).get(url).status_code == 200  # staff reading: not service
        assert fresh(application).served_at is None
        assert client_for(citizen).get(url).status_code == 200
    application = fresh(application)
    assert application.served_how == "download"
    assert application.served_at == dt.datetime(2026, 11, 6, 9, 0, tzinfo=TZ)
    clock = service_clock(application)
    assert not clock.is_live
    assert clock.outcome == "met"
    assert application.service_due == D(2026, 11, 18)  # stays on record
    assert not Reminder.objects.filter(
        milestone__startswith=f"clock-{clock.pk}-", status="scheduled"
    ).exists()


def test_the_api_download_by_the_owner_serves_it(api_for, citizen, inspector):
    application = granted(citizen, inspector)
    response = api_for(citizen).get(f"/api/v1/permits/{application.pk}/decision.pdf")
    assert response.status_code == 200
    assert fresh(application).served_how == "download"


def test_mail_signed_for_serves_it(citizen, inspector):
    application = granted(citizen, inspector)
    delivery = services.choose_delivery(
        application=application,
        actor=citizen,
        method="mail",
        recipient="张三",
        address="丽水市莲都区解放街 88 号",
        phone="13857812345",
    )
    services.mark_posted(delivery=delivery, actor=inspector, carrier="EMS", waybill="1180000001")
    assert fresh(application).served_at is None  # posted is not yet served
    services.mark_delivered(delivery=delivery, actor=inspector)
    assert fresh(application).served_how == "mail"


def post(client, application, **fields):
    data = {"record_service-status": application.status}
    data.update({f"record_service-{k}": v for k, v in fields.items()})
    url = reverse("permits:staff_action", args=[application.pk, "record_service"])
    return client.post(url, data, follow=True)


def test_staff_record_service_in_person(client_for, citizen, inspector):
    application = granted(citizen, inspector)
    with at(2026, 11, 10, 15, 0):
        response = post(client_for(inspector), application, method="in_person", note="窗口领取")
    assert response.status_code == 200
    application = fresh(application)
    assert (application.served_how, application.service_note) == ("in_person", "窗口领取")
    assert not service_clock(application).is_live
    page = client_for(inspector).get(reverse("permits:staff_application", args=[application.pk]))
    assert "已于 2026-11-10 15:00 送达" in page.content.decode()
    # Once: a second record is refused with when and how it was served.
    with pytest.raises(DomainError, match="已于 2026-11-10 15:00 送达"):
        services.record_service(application=application, actor=inspector, method="in_person")


def test_service_otherwise_must_say_how(client_for, citizen, inspector):
    application = granted(citizen, inspector)
    response = post(client_for(inspector), application, method="other", note="  ")
    assert response.status_code == 400
    assert "写明送达的方式" in response.content.decode()
    assert fresh(application).served_at is None


@pytest.mark.parametrize(
    ("served_at", "message"),
    [("2026-11-03T10:00", "不能早于作出许可决定"), ("2026-11-30T10:00", "不能晚于现在")],
)
def test_service_time_must_be_plausible(client_for, citizen, inspector, served_at, message):
    application = granted(citizen, inspector)
    with at(2026, 11, 10, 15, 0):
        response = post(client_for(inspector), application, method="in_person", served_at=served_at)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert fresh(application).served_at is None


def test_nothing_to_serve_before_a_grant(citizen, inspector):
    with at(2026, 11, 4, 10, 0):
        application = make_application(citizen, status="draft")
        services.submit_application(application=application, actor=citizen)
    with pytest.raises(DomainError, match="尚未作出准予许可决定"):
        services.record_service(application=fresh(application), actor=inspector, method="in_person")


def test_the_legal_officer_records_nothing(client_for, citizen, inspector, legal_officer):
    application = granted(citizen, inspector)
    response = client_for(legal_officer).post(
        reverse("permits:staff_action", args=[application.pk, "record_service"]),
        {"record_service-status": S.APPROVED, "record_service-method": "in_person"},
    )
    assert response.status_code == 403
    assert fresh(application).served_at is None


def test_overdue_service_is_on_the_brigades_board(citizen, inspector, supervisor):
    application = granted(citizen, inspector)
    late = dt.datetime(2026, 11, 19, 9, 0, tzinfo=TZ)
    board = clocks.clocks_due_for_user(user=supervisor, now=late)
    assert [(c.object_id, c.milestone) for c in board.overdue if c.milestone == "service"] == [
        (str(application.pk), "service")
    ]
    soon = clocks.clocks_due_for_user(user=supervisor, now=late - dt.timedelta(days=2))
    assert any(c.milestone == "service" for c in soon.due_soon)


def test_a_revoked_permit_owes_no_service(citizen, inspector, supervisor):
    # Revocation needs the order's deadline passed and a failed re-check (ADR 0026).
    application = revocable(citizen, inspector)
    services.revoke_permit(application=application, actor=supervisor, reason="承诺不实")
    assert not service_clock(fresh(application)).is_live
