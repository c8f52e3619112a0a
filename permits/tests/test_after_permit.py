"""After a commitment permit (DOMAIN.md §1.2, §1.5): the verification that finds a mismatch
orders the venue to stop use or suspend business (Fire Law art. 58(1)(iv)) and refers the fine;
the unit asks for the re-check online and the 3-working-day clock runs from its request; the
permit is revoked only after an order that was not met, shown by a failed re-check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lishui_fire.core import clocks, plugins
from lishui_fire.core.calendar import add_working_days
from lishui_fire.core.models import (
    EnforcementReferral,
    Notification,
    PenaltyRange,
    ReferralStatus,
    Reminder,
)
from lishui_fire.core.referrals import pending_referrals
from permits import selectors
from permits.models import (
    ApplicationPhoto,
    DocumentKind,
    PermitApplication,
    PermitDocument,
    StopUseOrder,
)
from permits.services import applications as services
from permits.tests.factories import (
    deadline_passed,
    decide,
    failed_recheck,
    in_rectification,
    make_application,
    png_bytes,
    revocable,
)
from permits.workflow import PermitStatus as S

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def png(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def approved(citizen, inspector, **extra):
    application = make_application(citizen, status="draft", **extra)
    services.submit_application(application=application, actor=citizen)
    return decide(application, inspector)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def bodies(user):
    return list(Notification.objects.filter(recipient=user).values_list("body", flat=True))


# --- Item 2: the stop-use order of Fire Law art. 58(1)(iv) -----------------------------------------
def test_a_mismatch_orders_the_venue_to_stop_and_refers_the_fine(citizen, inspector):
    application = approved(citizen, inspector)
    services.record_verification(
        application=application,
        actor=inspector,
        matches=False,
        findings="承诺设置的自动喷水灭火系统未安装",
        rectification_due=timezone.localdate() + dt.timedelta(days=10),
        order="suspend_business",
        photos=[png()],
    )
    application = fresh(application)
    assert application.status == S.RECTIFICATION
    order = StopUseOrder.objects.get(application=application)
    assert order.kind == "suspend_business"
    assert (order.fine_min, order.fine_max) == (30000, 300000)
    assert order.legal_basis == "《中华人民共和国消防法》第五十八条第一款第四项"
    assert order.visit.findings == "承诺设置的自动喷水灭火系统未安装"
    assert order.visit.photos.count() == 1
    # Its own official document, numbered, with a verification code.
    letter = PermitDocument.objects.get(application=application, kind=DocumentKind.STOP_USE)
    assert "停字" in letter.number
    assert letter.verification_code
    assert application.documents.filter(kind=DocumentKind.RECTIFICATION).exists()
    # The record a later enforcement case picks up.
    referral = order.referral
    assert referral.status == ReferralStatus.PENDING
    assert referral.legal_basis == order.legal_basis
    assert "自动喷水灭火系统未安装" in referral.facts
    assert referral.party_uscc == application.unit_uscc
    assert (referral.fine_min, referral.fine_max) == (30000, 300000)
    assert f"permits.SiteVisit:{order.visit.pk}" in [e["ref"] for e in referral.evidence]
    assert list(pending_referrals(brigade_id=application.brigade_id)) == [referral]


def test_the_applicant_is_told_exactly_the_order_the_fine_and_the_deadline(citizen, inspector):
    application = in_rectification(citizen, inspector)
    [body] = {b for b in bodies(citizen) if "与承诺不符" in b}
    assert "《中华人民共和国消防法》第五十八条第一款第四项" in body
    assert "责令停止使用" in body
    assert "30,000 元以上" in body
    assert "300,000 元以下罚款" in body
    assert str(application.rectification_due) in body
    assert "申请复查" in body


def test_the_fine_range_is_data(citizen, inspector):
    """An amended provision is a new row, not a code change: the order copies what is in force."""
    PenaltyRange.objects.create(
        code="fire_law.58.1.4",
        name="（修订）",
        fine_min=50000,
        fine_max=500000,
        legal_basis="《消防法》（假设的修订）第五十八条第一款第四项",
        effective_from=timezone.localdate() - dt.timedelta(days=1),
    )
    application = in_rectification(citizen, inspector)
    order = application.stop_use_order
    assert (order.fine_min, order.fine_max) == (50000, 500000)
    assert order.legal_basis.startswith("《消防法》（假设的修订）")


def test_the_referral_is_announced_for_the_enforcement_app(citizen, inspector, monkeypatch):
    heard = []
    real = plugins.event_handlers

    def handlers(event):
        if event == "enforcement_referral_created":
            return [lambda **payload: heard.append(payload)]
        return real(event)

    monkeypatch.setattr(plugins, "event_handlers", handlers)
    application = in_rectification(citizen, inspector)
    [payload] = heard
    assert payload["referral_id"] == application.stop_use_order.referral_id
    assert payload["source_reference"] == application.reference
    assert payload["kind"] == "permit_verification_mismatch"


def test_a_failed_recheck_neither_orders_nor_refers_again(citizen, inspector):
    application = in_rectification(citizen, inspector)
    failed_recheck(application, inspector)
    assert StopUseOrder.objects.count() == 1
    assert EnforcementReferral.objects.count() == 1


def test_the_staff_form_asks_which_order(client_for, citizen, inspector):
    application = approved(citizen, inspector)
    url = reverse("permits:staff_action", args=[application.pk, "verify"])
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = {
        "verify-status": "approved",
        "verify-matches": "no",
        "verify-findings": "安全出口被锁闭",
        "verify-rectification_due": due,
        "verify-order": "",
    }
    response = client_for(inspector).post(url, data)
    assert response.status_code == 400
    assert "请选择责令停止使用或者责令停产停业" in response.content.decode()
    assert fresh(application).status == S.APPROVED
    assert not StopUseOrder.objects.exists()

    data["verify-order"] = "stop_use"
    data["verify-photos"] = [png("a.png"), png("b.png")]
    client_for(inspector).post(url, data)
    application = fresh(application)
    assert application.stop_use_order.kind == "stop_use"
    assert application.stop_use_order.visit.photos.count() == 2


def test_the_applicant_page_says_so(client_for, citizen, inspector):
    application = in_rectification(citizen, inspector)
    page = client_for(citizen).get(reverse("permits:my_application", args=[application.pk]))
    html = page.content.decode()
    assert "责令停止使用" in html
    assert "30000 元以上 300000 元以下罚款" in html
    assert "第五十八条第一款第四项" in html
    assert "陈述、申辩和要求听证" in html


# --- Item 1: the re-check on request -----------------------------------------------------------
def test_the_unit_asks_online_and_the_recheck_is_due_3_working_days_later(
    client_for, citizen, inspector
):
    application = in_rectification(citizen, inspector)
    before = application.recheck_due
    assert before == add_working_days(application.rectification_due, 3).date
    url = reverse("permits:request_recheck", args=[application.pk])
    assert client_for(citizen).get(url).status_code == 200
    response = client_for(citizen).post(
        url, {"note": "已拆除封堵安全出口的货架", "photos": [png()]}, follow=True
    )
    assert any("已申请复查" in m for m in messages_of(response))
    application = fresh(application)
    today = timezone.localdate()
    assert application.recheck_requested_at is not None
    assert application.recheck_request_note == "已拆除封堵安全出口的货架"
    assert application.recheck_due == add_working_days(today, 3).date
    assert application.recheck_due < before
    assert application.next_due == application.recheck_due
    clock = clocks.live_clock(application, "recheck")
    assert clock.rule.code == "permit.recheck_on_request"
    assert "收到复查申请" in clock.rule.start_event
    assert clock.rule.legal_basis
    assert ApplicationPhoto.objects.filter(application=application).count() == 1
    # The inspector is told, reminded before the date, and alerted once it has passed.
    assert any("已申请复查" in b for b in bodies(inspector))
    assert Reminder.objects.filter(recipient=inspector, milestone__contains="recheck").exists()
    late = application.recheck_due + dt.timedelta(days=1)
    assert application in selectors.overdue_applications(user=inspector, today=late)
    assert application not in selectors.overdue_applications(
        user=inspector, today=application.recheck_due
    )


def test_a_request_after_the_deadline_keeps_the_deadline_clock(citizen, inspector):
    application = deadline_passed(in_rectification(citizen, inspector), days=2)
    services.refresh_due_dates(application)
    due = fresh(application).recheck_due
    services.request_recheck(application=fresh(application), actor=citizen)
    application = fresh(application)
    assert application.recheck_due == due
    assert clocks.live_clock(application, "recheck").rule.code == "permit.recheck"


def test_a_request_before_any_rectification_notice_is_refused(client_for, citizen, inspector):
    application = approved(citizen, inspector)
    url = reverse("permits:request_recheck", args=[application.pk])
    response = client_for(citizen).post(url, {"note": "已整改"}, follow=True)
    assert any("责令限期改正通知书" in m for m in messages_of(response))
    assert fresh(application).recheck_requested_at is None
    from lishui_fire.core.errors import DomainError

    with pytest.raises(DomainError):
        services.request_recheck(application=application, actor=citizen)


def test_a_request_after_the_recheck_is_refused(client_for, citizen, inspector):
    application = failed_recheck(in_rectification(citizen, inspector), inspector)
    response = client_for(citizen).post(
        reverse("permits:request_recheck", args=[application.pk]), {}, follow=True
    )
    assert any("已经复查过" in m for m in messages_of(response))
    assert fresh(application).recheck_requested_at is None


def test_a_second_request_is_refused(citizen, inspector):
    from lishui_fire.core.errors import Conflict

    application = in_rectification(citizen, inspector)
    services.request_recheck(application=application, actor=citizen)
    first = fresh(application).recheck_requested_at
    with pytest.raises(Conflict):
        services.request_recheck(application=fresh(application), actor=citizen)
    assert fresh(application).recheck_requested_at == first


def test_only_the_owner_asks(client_for, citizen, other_citizen, inspector):
    application = in_rectification(citizen, inspector)
    url = reverse("permits:request_recheck", args=[application.pk])
    assert client_for(other_citizen).post(url, {}).status_code == 404
    assert client_for(inspector).post(url, {}).status_code == 403
    assert fresh(application).recheck_requested_at is None


def test_a_bad_photo_is_refused_and_nothing_changes(client_for, citizen, inspector):
    application = in_rectification(citizen, inspector)
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = client_for(citizen).post(
        reverse("permits:request_recheck", args=[application.pk]), {"photos": [fake]}
    )
    assert response.status_code == 400
    assert "JPEG 或 PNG" in response.content.decode()
    assert fresh(application).recheck_requested_at is None
    assert not ApplicationPhoto.objects.exists()


def test_the_recheck_after_a_request_stops_its_clock(citizen, inspector):
    application = in_rectification(citizen, inspector)
    services.request_recheck(application=application, actor=citizen)
    services.record_verification(
        application=fresh(application), actor=inspector, matches=True, findings="已整改"
    )
    application = fresh(application)
    assert application.status == S.VERIFIED
    assert clocks.live_clock(application, "recheck") is None
    [clock] = [c for c in clocks.clocks_of(application) if c.milestone == "recheck"]
    assert clock.outcome == "met"


# --- Item 3: revocation only after an order that was not met -------------------------------------
def test_revocation_needs_a_passed_deadline_and_a_failed_recheck(citizen, inspector, supervisor):
    from lishui_fire.core.errors import DomainError

    def refused(application, words):
        with pytest.raises(DomainError, match=words):
            services.revoke_permit(application=application, actor=supervisor, reason="不实")
        assert fresh(application).status == application.status

    refused(approved(citizen, inspector), "不能变更为|逾期未改正")
    application = in_rectification(citizen, inspector)
    refused(application, "整改期限尚未届满")
    application = deadline_passed(application, days=0)  # the deadline day is still the unit's
    refused(application, "整改期限尚未届满")
    application = deadline_passed(application, days=1)
    refused(application, "复查不合格")
    application = failed_recheck(application, inspector)
    services.revoke_permit(application=application, actor=supervisor, reason="逾期未整改")
    assert fresh(application).status == S.REVOKED


def test_a_failed_recheck_before_the_deadline_does_not_allow_revocation_yet(
    citizen, inspector, supervisor
):
    from lishui_fire.core.errors import DomainError

    application = failed_recheck(in_rectification(citizen, inspector), inspector)
    with pytest.raises(DomainError, match="整改期限尚未届满"):
        services.revoke_permit(application=application, actor=supervisor, reason="不实")


def test_the_revoke_form_is_offered_only_under_an_order(client_for, citizen, inspector, supervisor):
    page = client_for(supervisor).get(
        reverse("permits:staff_application", args=[approved(citizen, inspector).pk])
    )
    assert "revoke-reason" not in page.content.decode()
    page = client_for(supervisor).get(
        reverse("permits:staff_application", args=[revocable(citizen, inspector).pk])
    )
    assert "revoke-reason" in page.content.decode()
