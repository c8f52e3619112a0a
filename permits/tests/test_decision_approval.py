"""Issue 9: the decision is approved by a brigade supervisor (or a detachment supervisor) of the
jurisdiction on the inspector's proposal; an inspector alone can no longer issue it. Every role,
on the services, the staff page and the API."""

import pytest
from django.urls import reverse

from lishui_fire.core.errors import DomainError, Forbidden
from lishui_fire.core.models import StatusChange
from permits.models import DecisionProposal, DocumentKind, PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application
from permits.workflow import PermitStatus as S
from permits.workflow import ProposalStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def submitted(citizen, path="commitment"):
    application = make_application(citizen, status="draft", path=path)
    return services.submit_application(application=application, actor=citizen)


def inspected(citizen, inspector, *, passed=True):
    application = submitted(citizen, "inspection")
    services.accept_application(application=application, actor=inspector)
    services.record_inspection(
        application=application,
        actor=inspector,
        passed=passed,
        findings="" if passed else "疏散指示标志损坏",
    )
    return fresh(application)


def proposed(citizen, inspector, outcome="approve", **kwargs):
    application = (
        submitted(citizen) if outcome == "approve" else inspected(citizen, inspector, passed=False)
    )
    services.propose_decision(
        application=application,
        actor=inspector,
        outcome=outcome,
        reason=kwargs.get("reason", "" if outcome == "approve" else "疏散指示标志损坏"),
    )
    return fresh(application)


# --- Services --------------------------------------------------------------------------------
def test_an_inspector_alone_cannot_approve(citizen, inspector):
    application = submitted(citizen)
    with pytest.raises(Forbidden):
        services.approve_application(application=application, actor=inspector)
    assert fresh(application).status == S.SUBMITTED
    assert not fresh(application).documents.exists()


def test_an_inspector_cannot_approve_even_with_a_pending_proposal(citizen, inspector, make_user):
    other = make_user("inspector", "LD")
    application = proposed(citizen, inspector)
    with pytest.raises(Forbidden):
        services.approve_application(application=application, actor=other)
    assert fresh(application).status == S.SUBMITTED


def test_inspector_proposes_and_the_brigade_supervisor_approves(citizen, inspector, supervisor):
    application = proposed(citizen, inspector, reason="材料齐全，符合法定形式")
    assert fresh(application).status == S.SUBMITTED  # proposing decides nothing yet
    services.approve_application(application=application, actor=supervisor)
    application = fresh(application)
    assert application.status == S.APPROVED
    assert application.decision_reason == "材料齐全，符合法定形式"
    assert application.handled_by == inspector  # the case stays the inspector's
    assert application.documents.filter(kind=DocumentKind.DECISION).exists()
    proposal = application.proposals.get()
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.APPROVED, supervisor)
    move = StatusChange.objects.filter(
        content_type__model="permitapplication", to_status=S.APPROVED, object_id=str(application.pk)
    ).get()
    assert move.actor == supervisor
    assert str(inspector) in move.note
    assert str(supervisor) in move.note


def test_a_detachment_supervisor_approves_any_brigade(citizen, inspector, chief):
    application = proposed(citizen, inspector)
    services.approve_application(application=application, actor=chief)
    assert fresh(application).status == S.APPROVED


def test_the_administrator_signs_no_licence(citizen, inspector, administrator):
    application = proposed(citizen, inspector)
    with pytest.raises(Forbidden):
        services.approve_application(application=application, actor=administrator)
    assert fresh(application).status == S.SUBMITTED


def test_a_supervisor_of_another_brigade_cannot_approve(citizen, inspector, make_user):
    longquan = make_user("brigade_supervisor", "LQ")
    application = proposed(citizen, inspector)
    with pytest.raises(Forbidden):
        services.approve_application(application=application, actor=longquan)
    assert fresh(application).status == S.SUBMITTED


def test_approval_needs_a_proposal(citizen, supervisor):
    application = submitted(citizen)
    with pytest.raises(DomainError, match="尚无待审批的拟办意见"):
        services.approve_application(application=application, actor=supervisor)


def test_a_supervisor_does_not_approve_their_own_proposal(citizen, supervisor):
    application = submitted(citizen)
    services.propose_decision(application=application, actor=supervisor, outcome="approve")
    with pytest.raises(DomainError, match="不能审批本人"):
        services.approve_application(application=fresh(application), actor=supervisor)


def test_the_supervisor_approves_what_was_proposed_or_sends_it_back(citizen, inspector, supervisor):
    application = proposed(citizen, inspector, "reject")
    with pytest.raises(DomainError, match="退回重拟"):
        services.approve_application(application=application, actor=supervisor)
    services.send_back_proposal(application=application, actor=supervisor, note="请核对检查记录")
    assert fresh(application).status == S.INSPECTED
    assert application.proposals.get().status == ProposalStatus.SENT_BACK
    # Sent back: the inspector proposes again, and that one is decided.
    services.propose_decision(
        application=application, actor=inspector, outcome="reject", reason="疏散指示标志损坏"
    )
    services.reject_application(application=fresh(application), actor=supervisor)
    application = fresh(application)
    assert application.status == S.REJECTED
    assert application.decision_reason == "疏散指示标志损坏"
    assert application.documents.filter(kind=DocumentKind.REJECTION).exists()


def test_one_pending_proposal_at_a_time(citizen, inspector, make_user):
    application = proposed(citizen, inspector)
    with pytest.raises(DomainError, match="已有待领导审批"):
        services.propose_decision(
            application=application, actor=make_user("inspector", "LD"), outcome="approve"
        )
    assert DecisionProposal.objects.filter(application=application).count() == 1


@pytest.mark.parametrize(
    ("path", "outcome", "message"),
    [
        ("commitment", "reject", "应退回补正"),  # a commitment case is never "rejected"
        ("inspection", "approve", "不能变更为"),  # not yet inspected
    ],
)
def test_a_proposal_the_law_does_not_allow_is_refused(citizen, inspector, path, outcome, message):
    application = submitted(citizen, path)
    with pytest.raises(DomainError, match=message):
        services.propose_decision(
            application=application, actor=inspector, outcome=outcome, reason="理由"
        )
    assert not DecisionProposal.objects.exists()


def test_a_failed_inspection_cannot_be_proposed_for_approval(citizen, inspector):
    application = inspected(citizen, inspector, passed=False)
    with pytest.raises(DomainError, match="现场检查不合格"):
        services.propose_decision(application=application, actor=inspector, outcome="approve")


def test_the_legal_officer_proposes_nothing(citizen, legal_officer):
    application = submitted(citizen)
    with pytest.raises(Forbidden):
        services.propose_decision(application=application, actor=legal_officer, outcome="approve")


# --- The staff page -------------------------------------------------------------------------------
def post(client, application, action, **fields):
    data = {f"{action}-status": application.status}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(reverse("permits:staff_action", args=[application.pk, action]), data)


def test_page_inspector_approving_alone_is_forbidden(client_for, citizen, inspector):
    application = submitted(citizen)
    response = post(client_for(inspector), application, "approve", reason="")
    assert response.status_code == 403
    assert fresh(application).status == S.SUBMITTED


def test_page_shows_each_role_its_step(client_for, citizen, inspector, supervisor):
    application = submitted(citizen)
    url = reverse("permits:staff_application", args=[application.pk])
    page = client_for(inspector).get(url).content.decode()
    assert "propose-outcome" in page
    assert "approve-status" not in page
    response = post(client_for(inspector), application, "propose", outcome="approve", reason="")
    assert response.status_code == 302
    page = client_for(inspector).get(url).content.decode()
    assert "propose-outcome" not in page
    assert "approve-status" not in page
    assert "待领导审批" in page
    page = client_for(supervisor).get(url).content.decode()
    assert "approve-status" in page
    assert "send_back-note" in page
    response = post(client_for(supervisor), fresh(application), "approve", reason="同意")
    assert response.status_code == 302
    assert fresh(application).status == S.APPROVED


def test_page_send_back_needs_a_reason(client_for, citizen, inspector, supervisor):
    application = proposed(citizen, inspector)
    response = post(client_for(supervisor), application, "send_back", note="")
    assert response.status_code == 400
    assert application.proposals.get().status == ProposalStatus.PENDING


# --- The API ---------------------------------------------------------------------------------------
def test_api_inspector_approving_alone_is_403(api_for, citizen, inspector):
    application = submitted(citizen)
    response = api_for(inspector).post(f"/api/v1/permits/{application.pk}/approve/", {})
    assert response.status_code == 403
    assert fresh(application).status == S.SUBMITTED


def test_api_propose_then_approve(api_for, citizen, inspector, supervisor):
    application = submitted(citizen)
    base = f"/api/v1/permits/{application.pk}/"
    response = api_for(inspector).post(base + "propose/", {"outcome": "approve"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.SUBMITTED
    again = api_for(inspector).post(base + "propose/", {"outcome": "approve"}, format="json")
    assert again.status_code == 409
    response = api_for(supervisor).post(base + "approve/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == S.APPROVED


def test_api_approve_without_proposal_is_409(api_for, citizen, supervisor):
    application = submitted(citizen)
    response = api_for(supervisor).post(f"/api/v1/permits/{application.pk}/approve/", {})
    assert response.status_code == 409
    assert "拟办意见" in response.json()["detail"]


def test_api_send_back(api_for, citizen, inspector, supervisor):
    application = proposed(citizen, inspector)
    base = f"/api/v1/permits/{application.pk}/"
    assert api_for(supervisor).post(base + "send-back/", {}, format="json").status_code == 400
    response = api_for(supervisor).post(base + "send-back/", {"note": "材料待核"}, format="json")
    assert response.status_code == 200, response.content
    assert application.proposals.get().status == ProposalStatus.SENT_BACK
    assert api_for(inspector).post(base + "send-back/", {"note": "x"}).status_code == 403


def test_api_bad_outcome_is_400(api_for, citizen, inspector):
    application = submitted(citizen)
    response = api_for(inspector).post(
        f"/api/v1/permits/{application.pk}/propose/", {"outcome": "grant"}, format="json"
    )
    assert response.status_code == 400
    assert "outcome" in response.json()
