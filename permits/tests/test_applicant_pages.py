"""我的申请, the application page (timeline, due dates, documents, delivery, pre-check link,
withdraw), the door-to-door service request and the public page of the measure."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.models import DeadlineRule
from permits.models import Delivery, DocumentKind, HomeServiceRequest, PermitDocument
from permits.services import applications as services
from permits.services import channels
from permits.tests.factories import decide, make_application, make_booking, make_slot, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def detail_url(application):
    return reverse("permits:my_application", args=[application.pk])


def add_document(application, kind=DocumentKind.ACCEPTANCE_NOTICE):
    document = PermitDocument.objects.create(
        application=application,
        brigade=application.brigade,
        kind=kind,
        number=f"丽莲消受字〔2026〕第{application.pk:04d}{kind[:2]}号",
    )
    document.file.save(f"{kind}-{application.pk}.pdf", ContentFile(pdf_bytes()), save=True)
    return document


def request_home(citizen, **extra):
    fields = {
        "actor": citizen,
        "brigade": OrgUnit.objects.get(code="LD"),
        "contact_name": "张三",
        "contact_phone": "13857812345",
        "address": "丽水市莲都区解放街 1 号",
        "reason": "disability",
    }
    fields.update(extra)
    return channels.request_home_service(**fields)


# --- 我的申请 -------------------------------------------------------------------------------------
def make_rows(citizen, inspector, n, start=0):
    for i in range(start, start + n):
        application = make_application(citizen, status="submitted" if i % 2 else "draft")
        add_document(application)
        make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(days=3, hours=i)))
        request_home(citizen, contact_phone=f"138578{i:05d}")


def mine_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("permits:mine"))
    assert response.status_code == 200
    return len(queries), response


def test_my_applications_page_costs_the_same_queries_for_2_and_10_rows(
    client_for, citizen, inspector
):
    client = client_for(citizen)
    make_rows(citizen, inspector, 2)
    mine_queries(client)  # the units' contacts are read once per process (ADR 0033), not per row
    few, _ = mine_queries(client)
    make_rows(citizen, inspector, 8, start=2)
    many, response = mine_queries(client)
    assert len(response.context["rows"]) == 10
    assert few == many


def test_my_applications_page_shows_what_the_applicant_needs(
    client_for, citizen, other_citizen, inspector
):
    mine = make_application(citizen, status="submitted")
    services.refresh_due_dates(mine)
    document = add_document(mine)
    theirs = make_application(other_citizen, status="submitted")
    booking = make_booking(citizen, make_slot(inspector), venue_name="丽水市莲都区欢乐颂KTV")
    request_home(citizen, preferred_time="周三上午")
    page = client_for(citizen).get(reverse("permits:mine")).content.decode()
    assert mine.reference in page
    assert "已提交，待受理" in page
    assert reverse("permits:document_download", args=[document.pk]) in page
    assert f"{mine.next_due:%Y-%m-%d}" in page
    assert theirs.reference not in page
    assert booking.venue_name in page
    assert "138****2345" in page  # masked in the list
    assert "13857812345" not in page
    assert "周三上午" in page
    assert reverse("permits:apply") in page
    assert page.count("<h1") == 1


def test_a_provisional_due_date_carries_the_badge(client_for, citizen):
    application = make_application(citizen, status="submitted")
    type(application).objects.filter(pk=application.pk).update(
        next_due=timezone.localdate() + dt.timedelta(days=400), due_provisional=True
    )
    page = client_for(citizen).get(reverse("permits:mine")).content.decode()
    assert "badge provisional" in page
    assert "暂定" in page


# --- The application page ---------------------------------------------------------------------------
def test_the_timeline_names_staff_by_role_and_family_name_only(client_for, citizen, inspector):
    inspector.real_name = "王小明"
    inspector.save()
    application = make_application(citizen, status="submitted", path="inspection")
    services.return_application(
        application=application,
        actor=inspector,
        missing_items=["营业执照复印件不清晰", "缺少二层消防设施平面图", "应急疏散预案未盖章"],
    )
    response = client_for(citizen).get(detail_url(application))
    page = response.content.decode()
    assert "监督员 王**" in page
    assert "王小明" not in page
    # The missing items: all of them, at once.
    for item in ("营业执照复印件不清晰", "缺少二层消防设施平面图", "应急疏散预案未盖章"):
        assert item in page
    assert "退回补正" in page


def test_the_page_shows_due_dates_reasons_documents_and_materials(client_for, citizen, inspector):
    application = make_application(citizen, status="submitted", path="inspection")
    services.accept_application(application=application, actor=inspector)
    services.record_inspection(
        application=application, actor=inspector, passed=False, findings="疏散通道堆放杂物"
    )
    decide(application, inspector, outcome="reject", reason="安全出口数量不足，不符合 GB 50016")
    response = client_for(citizen).get(detail_url(application))
    page = response.content.decode()
    assert "安全出口数量不足" in page
    assert "疏散通道堆放杂物" in page
    assert {d["label"] for d in response.context["dues"]} >= {"受理期限", "检查期限", "决定期限"}
    for document in application.documents.all():
        assert reverse("permits:document_download", args=[document.pk]) in page
    for material in application.materials.all():
        assert reverse("permits:material_download", args=[material.pk]) in page
    assert not response.context["can_withdraw"]


def test_a_document_not_yet_rendered_is_rendered_on_download(client_for, citizen, inspector):
    application = make_application(citizen, status="submitted")
    decide(application, inspector)
    document = application.documents.get(kind=DocumentKind.DECISION)
    assert not document.file  # the render task runs after commit, which a test never reaches
    response = client_for(citizen).get(reverse("permits:document_download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        application.reference in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )
    document.refresh_from_db()
    assert document.file
    first = document.file.name
    client_for(citizen).get(reverse("permits:document_download", args=[document.pk]))
    document.refresh_from_db()
    assert document.file.name == first


def test_choosing_free_mail_records_the_address(client_for, citizen):
    application = make_application(citizen, status="submitted")
    client = client_for(citizen)
    url = reverse("permits:choose_delivery", args=[application.pk])
    response = client.post(
        url,
        {
            "method": "mail",
            "recipient": "张三",
            "address": "丽水市莲都区解放街 88 号",
            "phone": "13857812345",
        },
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get(application=application)
    assert (delivery.method, delivery.recipient, delivery.status) == ("mail", "张三", "pending")


def test_free_mail_without_an_address_is_refused_and_nothing_saved(client_for, citizen):
    application = make_application(citizen, status="submitted")
    response = client_for(citizen).post(
        reverse("permits:choose_delivery", args=[application.pk]),
        {"method": "mail", "recipient": "张三", "address": "", "phone": "12345"},
    )
    assert response.status_code == 400
    errors = response.context["delivery_form"].errors
    assert "address" in errors
    assert not Delivery.objects.exists()


# A draft chooses in the wizard (test_applicant_wizard); a finished application not at all.
@pytest.mark.parametrize("status", ["withdrawn", "not_accepted"])
def test_no_delivery_choice_on_a_withdrawn_application(client_for, citizen, status):
    application = make_application(citizen, status=status)
    response = client_for(citizen).post(
        reverse("permits:choose_delivery", args=[application.pk]),
        {
            "method": "mail",
            "recipient": "张三",
            "address": "丽水市解放街 1 号",
            "phone": "13857812345",
        },
        follow=True,
    )
    assert not Delivery.objects.exists()
    assert any("送达方式" in str(m) for m in response.context["messages"])


def test_mail_tracking_is_shown_once_posted(client_for, citizen, inspector):
    application = make_application(citizen, status="submitted")
    delivery = services.choose_delivery(
        application=application,
        actor=citizen,
        method="mail",
        recipient="张三",
        address="丽水市莲都区解放街 88 号",
        phone="13857812345",
    )
    services.mark_posted(
        delivery=delivery, actor=inspector, carrier="中国邮政 EMS", waybill="1187654321098"
    )
    response = client_for(citizen).get(detail_url(application))
    page = response.content.decode()
    assert "1187654321098" in page
    assert "中国邮政 EMS" in page
    assert "已寄出" in page
    assert response.context["delivery_form"] is None


def test_linking_my_precheck_and_not_someone_elses(client_for, citizen, other_citizen, inspector):
    application = make_application(citizen, status="submitted")
    mine = make_booking(citizen, make_slot(inspector))
    theirs = make_booking(other_citizen, make_slot(inspector, starts_in=dt.timedelta(days=4)))
    client = client_for(citizen)
    url = reverse("permits:link_precheck", args=[application.pk])
    response = client.post(url, {"booking": theirs.pk})
    assert response.status_code == 400
    assert response.context["link_form"].errors["booking"]
    application.refresh_from_db()
    assert application.precheck_id is None
    assert client.post(url, {"booking": mine.pk}).status_code == 302
    application.refresh_from_db()
    assert application.precheck_id == mine.pk
    assert mine.venue_name in client.get(detail_url(application)).content.decode()


def test_withdraw_asks_first_and_then_withdraws(client_for, citizen):
    application = make_application(citizen, status="submitted")
    client = client_for(citizen)
    url = reverse("permits:withdraw_application", args=[application.pk])
    assert "确认撤回" in client.get(url).content.decode()
    application.refresh_from_db()
    assert application.status == "submitted"
    response = client.post(url, follow=True)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert "申请已撤回" in response.content.decode()
    # A second attempt is refused with a message, not an error page.
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "不能撤回" in response.content.decode()


# --- Door-to-door service ---------------------------------------------------------------------------
def test_requesting_door_to_door_service(client_for, citizen):
    client = client_for(citizen)
    response = client.post(
        reverse("permits:home_service"),
        {
            "county": OrgUnit.objects.get(code="QT").pk,
            "contact_name": "张三",
            "contact_phone": "138 5781 2345",
            "address": "青田县鹤城街道 5 号",
            "reason": "disability",
            "needs": "办理消防安全检查申请",
            "preferred_time": "工作日上午",
        },
    )
    assert response.status_code == 302
    request = HomeServiceRequest.objects.get()
    assert (request.applicant, request.source, request.brigade.code) == (citizen, "online", "QT")
    assert request.contact_phone == "13857812345"


def test_a_bad_door_to_door_request_shows_errors_and_saves_nothing(client_for, citizen):
    response = client_for(citizen).post(
        reverse("permits:home_service"),
        {"county": "", "contact_name": "", "contact_phone": "119", "address": "", "reason": "x"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"county", "contact_phone", "address", "reason"}
    assert not HomeServiceRequest.objects.exists()


def test_my_home_service_request_shows_its_appointment_and_can_be_cancelled(
    client_for, citizen, inspector
):
    inspector.real_name = "李明"
    inspector.save()
    request = request_home(citizen)
    when = timezone.now() + dt.timedelta(days=2)
    channels.schedule_home_service(
        request=request, actor=inspector, appointment_at=when, assigned_to=inspector
    )
    client = client_for(citizen)
    page = client.get(reverse("permits:mine")).content.decode()
    assert f"{timezone.localtime(when):%Y-%m-%d %H:%M}" in page
    assert "李*" in page
    assert client.post(reverse("permits:cancel_home_service", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == "cancelled"


# --- Public page of the measure ---------------------------------------------------------------------------
def test_the_public_page_reads_time_limits_and_materials_from_data(client):
    page = client.get(reverse("permits:index")).content.decode()
    assert "10 个工作日内到场检查" in page
    assert "消防安全检查申报表" in page
    assert "消防安全告知承诺书" in page
    DeadlineRule.objects.create(
        code="permit.inspection",
        name="受理后现场检查",
        count=7,
        unit="working_day",
        start_event="受理申请",
        legal_basis="假设的新规定",
        effective_from=timezone.localdate() - dt.timedelta(days=1),
    )
    page = client.get(reverse("permits:index")).content.decode()
    assert "7 个工作日内到场检查" in page
    assert "假设的新规定" in page
    assert page.count("<h1") == 1


def test_time_limits_read_naturally_in_english(client):
    page = client.get(reverse("permits:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "within 10 working days of acceptance" in page
    assert "个Working" not in page  # once "1 个Working days内": a Chinese frame, English unit


def test_a_door_to_door_request_sent_twice_is_one_request(client_for, citizen, inspector):
    data = {
        "county": OrgUnit.objects.get(code="LD").pk,
        "contact_name": "孙七",
        "contact_phone": "13857800004",
        "address": "丽水市莲都区中山街 9 号",
        "reason": "disability",
        "needs": "代为提交消防安全检查申请",
    }
    first = client_for(citizen).post(reverse("permits:home_service"), data)
    again = client_for(citizen).post(reverse("permits:home_service"), data)
    assert (first.status_code, again.status_code) == (302, 400)
    assert "无需重复提交" in again.content.decode()
    # The brigade logging the same person's phone call finds the request already there.
    logged = client_for(inspector).post(
        reverse("permits:staff_home_services"), {k: v for k, v in data.items() if k != "county"}
    )
    assert logged.status_code == 400
    assert HomeServiceRequest.objects.count() == 1
    # Once it is cancelled, a new request can be made.
    request = HomeServiceRequest.objects.get()
    channels.cancel_home_service(request=request, actor=citizen)
    assert client_for(citizen).post(reverse("permits:home_service"), data).status_code == 302


def test_a_second_door_to_door_request_is_told_the_chosen_brigades_number(client_for, citizen):
    """ "Call the brigade" comes with the number of the brigade she chose, in the message and in
    the page's contact block, not the detachment's."""
    OrgUnit.objects.filter(code="LD").update(hotline="0578-2111186")
    data = {
        "county": OrgUnit.objects.get(code="LD").pk,
        "contact_name": "孙七",
        "contact_phone": "13857800004",
        "address": "丽水市莲都区中山街 9 号",
        "reason": "disability",
    }
    client = client_for(citizen)
    assert client.post(reverse("permits:home_service"), data).status_code == 302

    again = client.post(reverse("permits:home_service"), data)

    page = again.content.decode()
    assert again.status_code == 400
    assert "请取消原申请或致电莲都区消防救援大队（0578-2111186）" in page
    assert 'href="tel:05782111186"' in page
