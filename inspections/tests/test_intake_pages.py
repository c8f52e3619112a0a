"""The intake pages: staff register a complaint and open a check on a phone-sized form; the
complainant's name and phone are masked for everyone but the handling staff of the brigade (the
full phone one audited click away); the unit's registered contact sees its own inspections and
nobody else's; the cap's refusal is a message on the form, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from inspections.models import Complaint, Inspection
from inspections.services import intake
from inspections.tests.intake_factories import (
    certify,
    make_registered_contact,
    make_unit,
    mark_visited,
    second_officer,
)
from lishui_fire.core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(inspector):
    certify(inspector)
    return second_officer("LD")


@pytest.fixture
def unit(partner):
    return make_unit("LD", name="丽水市莲都区星河商场有限公司")


@pytest.fixture
def complaint(supervisor, unit, inspector, partner):
    return intake.register_complaint(
        actor=supervisor,
        enterprise=unit,
        channel="hotline_12345",
        category="evacuation_blocked",
        content="二楼疏散通道堆满货物",
        received_at=timezone.now() - dt.timedelta(hours=1),
        complainant_name="赵小六",
        complainant_phone="13912345678",
        officers=[inspector, partner],
    )


def html(response) -> str:
    return response.content.decode()


def detail_url(complaint) -> str:
    return reverse("inspections:intake_detail", kwargs={"pk": complaint.inspection_id})


# --- Registering ---------------------------------------------------------------------------------
def test_an_inspector_registers_a_complaint_and_lands_on_it(client_for, inspector, unit):
    response = client_for(inspector).post(
        reverse("inspections:complaint_new"),
        {
            "uscc": unit.uscc.lower(),
            "channel": "online",
            "category": "facilities_off",
            "content": "商场消防泵被关闭",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "complainant_name": "",
            "complainant_phone": "",
        },
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(complaint)
    page = html(client_for(inspector).get(response.url))
    assert "24 小时" in page or "24 hours" in page
    assert complaint.inspection.reference in page


def test_a_unit_outside_the_brigade_is_a_field_error(client_for, other_inspector, unit):
    response = client_for(other_inspector).post(
        reverse("inspections:complaint_new"),
        {"uscc": unit.uscc, "channel": "online", "category": "other", "content": "x",
         "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert response.status_code == 200
    assert "社会单位名录中没有" in html(response)
    assert not Complaint.objects.exists()


def test_the_form_is_accessible_and_phone_friendly(client_for, inspector):
    page = html(client_for(inspector).get(reverse("inspections:complaint_new")))
    assert page.count("<h1") == 1
    assert 'type="datetime-local"' in page
    assert 'inputmode="tel"' in page
    assert 'for="id_category"' in page


def test_the_cap_refusal_is_a_message_on_the_form(client_for, supervisor, partner):
    a_unit = make_unit("LD", credit_rating="A")
    intake.open_inspection(
        actor=supervisor, kind="special_campaign", enterprise=a_unit, reason="专项"
    )
    response = client_for(supervisor).post(
        reverse("inspections:intake_open"),
        {"kind": "joint", "uscc": a_unit.uscc, "reason": "联合检查",
         "joint_department": "市场监督管理局"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "无事不扰" in html(response)
    assert Inspection.objects.filter(enterprise=a_unit).count() == 1
    response = client_for(supervisor).post(
        reverse("inspections:intake_open"),
        {"kind": "large_event", "uscc": a_unit.uscc, "reason": "灯光秀"},
    )
    assert response.status_code == 302  # never blocked


# --- Personal data ---------------------------------------------------------------------------------
def test_the_handling_staff_see_the_name_and_a_masked_phone_until_they_reveal_it(
    client_for, inspector, complaint
):
    page = html(client_for(inspector).get(detail_url(complaint)))
    assert "赵小六" in page
    assert "13912345678" not in page
    assert "139****5678" in page
    revealed = client_for(inspector).post(
        reverse("inspections:complaint_phone", kwargs={"pk": complaint.pk})
    )
    assert "13912345678" in html(revealed)
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(complaint.pk), actor=inspector
    ).exists()


def test_the_legal_officer_reads_the_complaint_with_the_complainant_masked(
    client_for, legal_officer, complaint
):
    page = html(client_for(legal_officer).get(detail_url(complaint)))
    assert "二楼疏散通道堆满货物" in page
    assert "赵小六" not in page
    assert "赵**" in page
    assert "13912345678" not in page
    assert "查看完整号码" not in page
    response = client_for(legal_officer).post(
        reverse("inspections:complaint_phone", kwargs={"pk": complaint.pk})
    )
    assert response.status_code == 403
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_another_brigades_inspector_gets_404(client_for, other_inspector, complaint):
    assert client_for(other_inspector).get(detail_url(complaint)).status_code == 404


def test_an_inspector_not_assigned_does_not_see_it(client_for, complaint):
    stranger = second_officer("LD")
    assert client_for(stranger).get(detail_url(complaint)).status_code == 404
    listing = html(client_for(stranger).get(reverse("inspections:intake_list")))
    assert complaint.inspection.reference not in listing


def test_the_unit_never_sees_who_complained(client_for, citizen, unit, complaint):
    make_registered_contact(citizen, unit)
    url = reverse("inspections:my_inspection", kwargs={"pk": complaint.inspection_id})
    page = html(client_for(citizen).get(url))
    assert unit.name in page
    assert "赵" not in page
    assert "1391234" not in page
    assert "二楼疏散通道堆满货物" not in page


# --- Telling the complainant ----------------------------------------------------------------------
def test_the_reply_is_sent_by_sms_and_shown(client_for, inspector, complaint):
    mark_visited(complaint.inspection)
    response = client_for(inspector).post(
        reverse("inspections:complaint_reply", kwargs={"pk": complaint.pk}),
        {"method": "sms", "text": "已责令清理疏散通道"},
    )
    assert response.status_code == 302
    assert Notification.objects.filter(channel="sms", address="13912345678").count() == 1
    page = html(client_for(inspector).get(detail_url(complaint)))
    assert "已责令清理疏散通道" in page
    assert "已按时核查" in page


def test_a_reply_before_the_verification_is_refused_with_a_message(
    client_for, inspector, complaint
):
    response = client_for(inspector).post(
        reverse("inspections:complaint_reply", kwargs={"pk": complaint.pk}),
        {"method": "phone", "text": "结果"},
        follow=True,
    )
    assert "尚未完成核查" in html(response)
    complaint.refresh_from_db()
    assert complaint.replied_at is None


def test_a_blank_reply_is_a_field_error(client_for, inspector, complaint):
    response = client_for(inspector).post(
        reverse("inspections:complaint_reply", kwargs={"pk": complaint.pk}),
        {"method": "impossible", "text": ""},
    )
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html(response)


# --- The unit's own view -------------------------------------------------------------------------
def test_the_registered_contact_sees_its_units_inspections_only(
    client_for, citizen, other_citizen, unit, complaint, supervisor
):
    other_unit = make_unit("LD", name="丽水市莲都区别家酒店有限公司")
    theirs = intake.open_inspection(
        actor=supervisor, kind="case", enterprise=other_unit, reason="案件调查"
    )
    make_registered_contact(citizen, unit)
    page = html(client_for(citizen).get(reverse("inspections:my_inspections")))
    assert complaint.inspection.reference in page
    assert theirs.reference not in page
    url = reverse("inspections:my_inspection", kwargs={"pk": theirs.pk})
    assert client_for(citizen).get(url).status_code == 404
    mine = reverse("inspections:my_inspection", kwargs={"pk": complaint.inspection_id})
    assert client_for(other_citizen).get(mine).status_code == 404


def test_the_credit_code_alone_does_not_make_a_contact(client_for, citizen, unit, complaint):
    type(citizen).objects.filter(pk=citizen.pk).update(enterprise_uscc=unit.uscc)
    page = html(client_for(citizen).get(reverse("inspections:my_inspections")))
    assert complaint.inspection.reference not in page
    assert "联系电话不一致" in page


def test_staff_do_not_use_the_units_pages(client_for, supervisor):
    assert client_for(supervisor).get(reverse("inspections:my_inspections")).status_code == 403


def test_the_admin_shows_the_complainant_masked(client_for, administrator, complaint):
    url = reverse("admin:inspections_complaint_change", kwargs={"object_id": complaint.pk})
    page = html(client_for(administrator).get(url))
    assert "139****5678" in page
    assert "13912345678" not in page
    assert "赵小六" not in page


def test_the_unit_sees_findings_and_documents_once_confirmed_and_asks_for_the_recheck(
    client_for, citizen, supervisor, inspector, partner, unit
):
    from inspections.tests.visits_helpers import add_finding, confirm_both, record

    make_registered_contact(citizen, unit)
    check = intake.open_inspection(
        actor=supervisor, kind="case", enterprise=unit, reason="案件调查",
        officers=[inspector, partner],
    )  # fmt: skip
    url = reverse("inspections:my_inspection", kwargs={"pk": check.pk})
    add_finding(check, inspector, description="二层东侧安全出口被货物堵塞")
    record(
        check,
        inspector,
        "ordered_to_correct",
        rectify_by=timezone.localdate() + dt.timedelta(days=10),
    )
    before = html(client_for(citizen).get(url))
    assert "二层东侧安全出口被货物堵塞" not in before  # not on the record until both confirm
    confirm_both(check, inspector, partner)
    page = html(client_for(citizen).get(url))
    assert "二层东侧安全出口被货物堵塞" in page
    assert reverse("inspections:visit_document", kwargs={"pk": check.documents.first().pk}) in page
    assert "申请复查" in page
    response = client_for(citizen).post(reverse("inspections:my_recheck", kwargs={"pk": check.pk}))
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.recheck_requested_at is not None
    assert "申请复查时间" in html(client_for(citizen).get(url))


def test_before_the_recheck_is_online_the_unit_is_told_the_brigades_number(
    client_for, citizen, supervisor, inspector, partner, unit, monkeypatch
):
    """ "Contact the brigade" with no number is a dead end: the message names the handling
    brigade and its hotline."""
    from inspections.views import intake as views
    from lishui_fire.accounts.models import OrgUnit

    OrgUnit.objects.filter(code="LD").update(hotline="0578-2111187")
    monkeypatch.setattr(views, "_request_recheck", lambda: None)
    make_registered_contact(citizen, unit)
    check = intake.open_inspection(
        actor=supervisor, kind="case", enterprise=unit, reason="案件调查",
        officers=[inspector, partner],
    )  # fmt: skip

    response = client_for(citizen).post(
        reverse("inspections:my_recheck", kwargs={"pk": check.pk}), follow=True
    )

    assert "请致电承办大队莲都区消防救援大队（0578-2111187）申请复查" in html(response)
