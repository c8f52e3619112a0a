"""Every decision of both paths through the staff pages: the legal ones move the application and
say so; the illegal ones are refused with the service's message and change nothing; a page that
someone else acted on first is refused as stale."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from permits.models import Delivery, DocumentKind, PermitApplication, SiteVisit
from permits.services import applications as services
from permits.tests.factories import decide, make_application, revocable
from permits.workflow import PermitStatus as S

pytestmark = pytest.mark.django_db

STALE = "该记录刚被其他人更新"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Many personas per test: a fast hasher keeps the suite quick (not a security setting).


def act(client, application, action, *, status=None, **fields):
    """POST one decision form of the staff application page, following the redirect."""
    data = {f"{action}-status": status or application.status}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    url = reverse("permits:staff_action", args=[application.pk, action])
    return client.post(url, data, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def submitted(citizen, path="commitment", **extra):
    application = make_application(citizen, status="draft", path=path, **extra)
    return services.submit_application(application=application, actor=citizen)


def accepted(citizen, inspector):
    application = submitted(citizen, "inspection")
    return services.accept_application(application=application, actor=inspector)


def inspected(citizen, inspector, *, passed=True):
    application = accepted(citizen, inspector)
    services.record_inspection(
        application=application,
        actor=inspector,
        passed=passed,
        findings="" if passed else "疏散指示标志损坏",
    )
    return fresh(application)


def approved_commitment(citizen, inspector):
    application = submitted(citizen)
    return decide(application, inspector)


def in_rectification(citizen, inspector):
    application = approved_commitment(citizen, inspector)
    services.record_verification(
        application=application,
        actor=inspector,
        matches=False,
        findings="安全出口数量与承诺不符",
        rectification_due=timezone.localdate() + dt.timedelta(days=10),
    )
    return fresh(application)


# --- Commitment path (告知承诺) -------------------------------------------------------------------
def test_commitment_application_is_granted_at_once(client_for, citizen, inspector, supervisor):
    application = submitted(citizen)
    act(client_for(inspector), application, "propose", outcome="approve", reason="材料齐全")
    response = act(client_for(supervisor), application, "approve", reason="材料齐全，当场许可")
    assert response.status_code == 200
    application = fresh(application)
    assert application.status == S.APPROVED
    assert application.documents.filter(kind=DocumentKind.DECISION).exists()
    assert application.verification_due is not None
    assert any("准予许可" in m for m in messages_of(response))


@pytest.mark.parametrize("path", ["commitment", "inspection"])
def test_return_lists_every_missing_item_at_once(client_for, citizen, inspector, path):
    application = submitted(citizen, path)
    response = act(
        client_for(inspector),
        application,
        "return",
        missing_items="营业执照复印件不清晰\n\n  消防设施平面图  \n疏散预案未盖章",
        note="请一次补齐",
    )
    application = fresh(application)
    assert application.status == S.RETURNED
    assert application.missing_items == ["营业执照复印件不清晰", "消防设施平面图", "疏散预案未盖章"]
    assert application.next_due is None  # the clock stops while the applicant holds the file
    assert any("一次性告知" in m for m in messages_of(response))


@pytest.mark.parametrize("path", ["commitment", "inspection"])
def test_refuse_to_accept_with_reason(client_for, citizen, inspector, path):
    application = submitted(citizen, path)
    act(client_for(inspector), application, "refuse", reason="该场所不属于公众聚集场所")
    application = fresh(application)
    assert application.status == S.NOT_ACCEPTED
    assert application.decision_reason == "该场所不属于公众聚集场所"
    assert application.documents.filter(kind=DocumentKind.NOT_ACCEPTED).exists()


def test_verification_that_matches_closes_the_case(client_for, citizen, inspector):
    application = approved_commitment(citizen, inspector)
    act(client_for(inspector), application, "verify", matches="yes", findings="与承诺一致")
    application = fresh(application)
    assert application.status == S.VERIFIED
    assert application.visits.get().kind == "verification"


def test_verification_mismatch_orders_rectification(client_for, citizen, inspector):
    application = approved_commitment(citizen, inspector)
    due = timezone.localdate() + dt.timedelta(days=15)
    act(
        client_for(inspector),
        application,
        "verify",
        matches="no",
        findings="安全出口被锁闭",
        rectification_due=due.isoformat(),
        order="stop_use",
    )
    application = fresh(application)
    assert application.status == S.RECTIFICATION
    assert application.rectification_due == due
    assert application.documents.filter(kind=DocumentKind.RECTIFICATION).exists()


def test_verification_mismatch_needs_findings_and_a_due_date(client_for, citizen, inspector):
    application = approved_commitment(citizen, inspector)
    response = act(client_for(inspector), application, "verify", matches="no", findings="")
    assert response.status_code == 400
    assert "核查不符时请写明" in response.content.decode()
    assert fresh(application).status == S.APPROVED


def test_recheck_after_rectification_closes_the_case(client_for, citizen, inspector):
    application = in_rectification(citizen, inspector)
    act(client_for(inspector), application, "verify", matches="yes", findings="已整改")
    application = fresh(application)
    assert application.status == S.VERIFIED
    assert list(application.visits.values_list("kind", flat=True)) == ["verification", "recheck"]


def test_supervisor_revokes_a_false_commitment(client_for, citizen, inspector, supervisor):
    application = revocable(citizen, inspector)
    act(client_for(supervisor), application, "revoke", reason="承诺内容与实际不符，逾期未整改")
    application = fresh(application)
    assert application.status == S.REVOKED
    assert application.revocation_reason == "承诺内容与实际不符，逾期未整改"
    assert application.documents.filter(kind=DocumentKind.REVOCATION).exists()


# --- Inspection path ------------------------------------------------------------------------------
def test_inspection_path_accept_inspect_approve(client_for, citizen, inspector, supervisor):
    client = client_for(inspector)
    application = submitted(citizen, "inspection")
    act(client, application, "accept", note="材料齐全")
    application = fresh(application)
    assert application.status == S.ACCEPTED
    assert application.inspection_due is not None
    assert application.documents.filter(kind=DocumentKind.ACCEPTANCE_NOTICE).exists()

    act(client, application, "inspect", passed="yes", findings="符合要求")
    application = fresh(application)
    assert application.status == S.INSPECTED
    assert application.first_inspection_passed is True
    assert application.decision_due is not None

    act(client, application, "propose", outcome="approve")
    act(client_for(supervisor), application, "approve")
    application = fresh(application)
    assert application.status == S.APPROVED
    assert application.documents.filter(kind=DocumentKind.DECISION).exists()


def test_failed_inspection_then_rejection(client_for, citizen, inspector, supervisor):
    client = client_for(inspector)
    application = accepted(citizen, inspector)
    act(client, application, "inspect", passed="no", findings="自动喷水灭火系统未调试")
    application = fresh(application)
    assert application.status == S.INSPECTED
    assert application.first_inspection_passed is False
    act(client, application, "propose", outcome="reject", reason="消防设施不符合要求")
    act(client_for(supervisor), application, "reject")
    application = fresh(application)
    assert application.status == S.REJECTED
    assert application.documents.filter(kind=DocumentKind.REJECTION).exists()


def test_a_failed_inspection_must_say_what_failed(client_for, citizen, inspector):
    application = accepted(citizen, inspector)
    response = act(client_for(inspector), application, "inspect", passed="no", findings="  ")
    assert response.status_code == 400
    assert fresh(application).status == S.ACCEPTED
    assert not SiteVisit.objects.exists()


# --- Applicant-side moves of both tables (services) -------------------------------------------
@pytest.mark.parametrize("path", ["commitment", "inspection"])
def test_applicant_moves_submit_resubmit_withdraw(citizen, inspector, path):
    application = submitted(citizen, path)
    services.return_application(application=application, actor=inspector, missing_items=["图纸"])
    application = services.submit_application(application=fresh(application), actor=citizen)
    assert application.status == S.SUBMITTED
    application = services.withdraw_application(application=application, actor=citizen)
    assert application.status == S.WITHDRAWN
    draft = make_application(citizen, path=path)
    assert services.withdraw_application(application=draft, actor=citizen).status == S.WITHDRAWN
    returned = submitted(citizen, path)
    services.return_application(application=returned, actor=inspector, missing_items=["图纸"])
    assert services.withdraw_application(application=fresh(returned), actor=citizen).status == (
        S.WITHDRAWN
    )


# --- Illegal moves: refused with a message, nothing changes --------------------------------------
def assert_refused(response, application, before, text):
    assert response.status_code == 200
    after = fresh(application)
    assert after.status == before.status
    assert after.updated_at == before.updated_at
    assert any(text in m for m in messages_of(response)), messages_of(response)


def test_accept_on_the_commitment_path_is_refused(client_for, citizen, inspector):
    application = submitted(citizen)
    response = act(client_for(inspector), application, "accept")
    assert_refused(response, application, application, "无需单独受理")


@pytest.mark.parametrize("state", ["submitted", "accepted"])
def test_approve_on_the_inspection_path_before_inspection_is_refused(
    client_for, citizen, inspector, state
):
    application = (
        submitted(citizen, "inspection") if state == "submitted" else accepted(citizen, inspector)
    )
    response = act(client_for(inspector), application, "propose", outcome="approve")
    assert_refused(response, application, fresh(application), "不能变更为")
    assert not application.documents.filter(kind=DocumentKind.DECISION).exists()


def test_approve_after_a_failed_inspection_is_refused(client_for, citizen, inspector):
    application = inspected(citizen, inspector, passed=False)
    response = act(client_for(inspector), application, "propose", outcome="approve")
    assert_refused(response, application, application, "现场检查不合格")


def test_reject_on_the_commitment_path_is_refused(client_for, citizen, inspector):
    application = submitted(citizen)
    response = act(client_for(inspector), application, "propose", outcome="reject", reason="不符")
    assert_refused(response, application, application, "告知承诺")


def test_revoke_by_an_inspector_is_refused(client_for, citizen, inspector):
    application = revocable(citizen, inspector)
    response = act(client_for(inspector), application, "revoke", reason="承诺不实")
    assert_refused(response, application, application, "领导决定")


def test_verifying_an_inspection_path_approval_is_refused(client_for, citizen, inspector):
    application = inspected(citizen, inspector)
    application = decide(application, inspector)
    application = fresh(application)
    response = act(client_for(inspector), application, "verify", matches="yes", findings="")
    assert_refused(response, application, application, "不能变更为")


def test_inspecting_a_commitment_application_is_refused(client_for, citizen, inspector):
    application = approved_commitment(citizen, inspector)
    application = fresh(application)
    response = act(client_for(inspector), application, "inspect", passed="yes")
    assert_refused(response, application, application, "不能变更为")


def test_a_second_inspection_is_refused(client_for, citizen, inspector):
    application = inspected(citizen, inspector, passed=False)
    response = act(client_for(inspector), application, "inspect", passed="yes")
    assert_refused(response, application, application, "不能变更为")
    assert application.visits.count() == 1


def test_a_failed_recheck_is_recorded_and_the_order_stands(client_for, citizen, inspector):
    application = in_rectification(citizen, inspector)
    response = act(client_for(inspector), application, "verify", matches="no", findings="仍未整改")
    assert response.status_code == 200
    application = fresh(application)
    assert application.status == S.RECTIFICATION
    recheck = application.visits.get(kind="recheck")
    assert not recheck.passed
    assert recheck.findings == "仍未整改"
    assert application.rechecked_at is not None


def _final(citizen, inspector, supervisor, status):
    if status == S.WITHDRAWN:
        application = submitted(citizen, "inspection")
        return services.withdraw_application(application=application, actor=citizen)
    if status == S.NOT_ACCEPTED:
        application = submitted(citizen, "inspection")
        return services.refuse_to_accept(application=application, actor=inspector, reason="不属于")
    if status == S.REJECTED:
        application = inspected(citizen, inspector, passed=False)
        return decide(application, inspector, outcome="reject", reason="不合格")
    if status == S.VERIFIED:
        application = approved_commitment(citizen, inspector)
        services.record_verification(
            application=application, actor=inspector, matches=True, findings=""
        )
        return application
    application = revocable(citizen, inspector)
    return services.revoke_permit(application=application, actor=supervisor, reason="承诺不实")


ALL_ACTIONS = {
    "accept": {},
    "return": {"missing_items": "图纸"},
    "refuse": {"reason": "不属于"},
    "inspect": {"passed": "yes"},
    "propose": {"outcome": "approve"},
    "approve": {},
    "reject": {"reason": "不合格"},
    "send_back": {"note": "重拟"},
    "verify": {"matches": "yes"},
    "revoke": {"reason": "承诺不实"},
    "green_channel": {"enabled": "yes", "reason": "省重点建设项目"},
    "mail_posted": {"carrier": "EMS", "waybill": "1234567890"},
    "mail_delivered": {},
}


@pytest.mark.parametrize("action", sorted(ALL_ACTIONS))
@pytest.mark.parametrize("status", [S.WITHDRAWN, S.NOT_ACCEPTED, S.REJECTED, S.VERIFIED, S.REVOKED])
def test_no_decision_on_a_final_application(
    client_for, citizen, inspector, supervisor, status, action
):
    application = fresh(_final(citizen, inspector, supervisor, status))
    assert application.status == status
    documents = application.documents.count()
    response = act(client_for(supervisor), application, action, **ALL_ACTIONS[action])
    assert response.status_code == 200
    after = fresh(application)
    assert after.status == status
    assert after.updated_at == application.updated_at
    assert after.documents.count() == documents
    assert [m for m in messages_of(response) if m], "a refusal message is shown"


# --- Stale pages -------------------------------------------------------------------------------
def test_a_decision_on_a_page_someone_else_acted_on_first_is_refused(
    client_for, citizen, inspector, supervisor
):
    application = submitted(citizen, "inspection")
    page = client_for(inspector).get(reverse("permits:staff_application", args=[application.pk]))
    assert 'value="submitted"' in page.content.decode()
    # The supervisor accepts it meanwhile …
    services.accept_application(application=fresh(application), actor=supervisor)
    # … and the inspector's return form, rendered for a submitted application, is stale.
    response = act(
        client_for(inspector), application, "return", status="submitted", missing_items="图纸"
    )
    assert_refused(response, application, fresh(application), STALE)
    assert fresh(application).status == S.ACCEPTED
    assert fresh(application).missing_items == []


def test_the_service_compare_and_set_catches_a_move_in_between(citizen, inspector):
    from lishui_fire.core.errors import StaleState

    application = submitted(citizen, "inspection")
    stale_copy = fresh(application)
    services.accept_application(application=application, actor=inspector)
    with pytest.raises(StaleState):
        services.return_application(application=stale_copy, actor=inspector, missing_items=["图纸"])


def test_an_unknown_action_is_404_and_get_is_405(client_for, citizen, inspector):
    application = submitted(citizen)
    client = client_for(inspector)
    assert (
        client.post(reverse("permits:staff_action", args=[application.pk, "explode"])).status_code
        == 404
    )
    assert (
        client.get(reverse("permits:staff_action", args=[application.pk, "approve"])).status_code
        == 405
    )


# --- Green channel and mail ---------------------------------------------------------------------
def test_supervisor_sets_and_clears_the_green_channel(client_for, citizen, supervisor):
    application = submitted(citizen, "inspection")
    client = client_for(supervisor)
    act(client, application, "green_channel", enabled="yes", reason="省重点建设项目：丽水机场")
    application = fresh(application)
    assert application.green_channel
    assert application.green_channel_reason == "省重点建设项目：丽水机场"
    act(client, application, "green_channel", enabled="no")
    assert not fresh(application).green_channel


def test_green_channel_needs_a_reason_and_a_supervisor(client_for, citizen, inspector, supervisor):
    application = submitted(citizen, "inspection")
    response = act(client_for(supervisor), application, "green_channel", enabled="yes", reason="")
    assert response.status_code == 400
    response = act(
        client_for(inspector), application, "green_channel", enabled="yes", reason="重点"
    )
    assert_refused(response, application, application, "领导设置")
    assert not fresh(application).green_channel


def test_free_mail_is_posted_then_delivered(client_for, citizen, inspector):
    application = approved_commitment(citizen, inspector)
    services.choose_delivery(
        application=application,
        actor=citizen,
        method="mail",
        recipient="张三",
        address="丽水市莲都区解放街 88 号",
        phone="13857812345",
    )
    client = client_for(inspector)
    page = client.get(reverse("permits:staff_application", args=[application.pk]))
    assert "登记文书寄出" in page.content.decode()
    act(client, fresh(application), "mail_posted", carrier="EMS", waybill="1180000000001")
    delivery = Delivery.objects.get(application=application)
    assert (delivery.status, delivery.carrier, delivery.waybill) == (
        "posted",
        "EMS",
        "1180000000001",
    )
    act(client, fresh(application), "mail_delivered")
    assert Delivery.objects.get(application=application).status == "delivered"
    response = act(client, fresh(application), "mail_delivered")
    assert any("不能变更为" in m for m in messages_of(response))


def test_mail_posting_is_refused_for_a_download_delivery(client_for, citizen, inspector):
    application = approved_commitment(citizen, inspector)
    services.choose_delivery(application=application, actor=citizen, method="download")
    response = act(
        client_for(inspector), fresh(application), "mail_posted", carrier="EMS", waybill="1"
    )
    assert any("无需邮寄" in m for m in messages_of(response))
    assert Delivery.objects.get(application=application).status == "pending"
