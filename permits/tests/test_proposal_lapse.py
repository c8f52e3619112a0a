"""ADR 0036: a pending proposal (拟办意见) lapses when its application leaves the statuses in
which it can be decided — withdrawn, returned for completion, not accepted. In the same
transaction, with a history row, and the proposer told; after a resubmission the inspector
proposes afresh, and nobody can approve what was proposed on the earlier materials."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from lishui_fire.core.errors import DomainError
from lishui_fire.core.models import Notification, StatusChange
from permits import rules, selectors
from permits.models import DecisionProposal, PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application, pdf_upload
from permits.workflow import PermitStatus as S
from permits.workflow import ProposalStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fresh(application):
    return PermitApplication.objects.get(pk=application.pk)


def proposed(citizen, inspector):
    """A commitment-path application, submitted, with the inspector's grant pending."""
    application = make_application(citizen, status="draft", path="commitment")
    services.submit_application(application=application, actor=citizen)
    proposal = services.propose_decision(
        application=application, actor=inspector, outcome="approve", reason="材料齐全"
    )
    return fresh(application), proposal


def history(proposal):
    return StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(DecisionProposal),
        object_id=str(proposal.pk),
    )


def withdraw(application, *, citizen, staff):
    services.withdraw_application(application=application, actor=citizen)
    return citizen


def return_for_completion(application, *, citizen, staff):
    services.return_application(application=application, actor=staff, missing_items=["营业执照"])
    return staff


def refuse(application, *, citizen, staff):
    services.refuse_to_accept(application=application, actor=staff, reason="不属于本事项")
    return staff


@pytest.mark.parametrize(
    ("move", "status"),
    [
        (withdraw, S.WITHDRAWN),
        (return_for_completion, S.RETURNED),
        (refuse, S.NOT_ACCEPTED),
    ],
)
def test_leaving_the_decidable_statuses_lapses_the_pending_proposal(
    citizen, inspector, make_user, move, status
):
    application, proposal = proposed(citizen, inspector)
    actor = move(application, citizen=citizen, staff=make_user("inspector", "LD"))
    assert fresh(application).status == status
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.LAPSED
    assert proposal.decided_by is None  # nobody approved or sent it back
    assert str(S(status).label) in proposal.decision_note
    (row,) = history(proposal).filter(to_status=ProposalStatus.LAPSED)
    assert (row.from_status, row.actor) == (ProposalStatus.PENDING, actor)
    # The proposer learns why their proposal is gone from the supervisors' page.
    assert Notification.objects.filter(
        recipient=inspector, channel="in_app", body__contains="拟办意见已失效"
    ).exists()
    assert not DecisionProposal.objects.filter(status=ProposalStatus.PENDING).exists()


def test_the_proposer_moving_it_is_not_told_what_they_did(citizen, inspector):
    application, proposal = proposed(citizen, inspector)
    services.return_application(
        application=application, actor=inspector, missing_items=["营业执照"]
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.LAPSED
    assert not Notification.objects.filter(recipient=inspector, body__contains="已失效").exists()


def test_after_resubmission_the_inspector_proposes_again_and_only_that_is_approved(
    citizen, inspector, supervisor
):
    application, old = proposed(citizen, inspector)
    services.return_application(
        application=application, actor=inspector, missing_items=["营业执照"]
    )
    services.submit_application(application=fresh(application), actor=citizen)
    application = fresh(application)
    assert application.status == S.SUBMITTED
    # The earlier proposal does not come back to life with the resubmission.
    assert list(selectors.pending_proposals(user=supervisor)) == []
    with pytest.raises(DomainError, match="尚无待审批的拟办意见"):
        services.approve_application(application=application, actor=supervisor)
    # A new proposal is possible (the one-pending constraint no longer holds the old row)...
    new = services.propose_decision(
        application=application, actor=inspector, outcome="approve", reason="补正后材料齐全"
    )
    assert list(selectors.pending_proposals(user=supervisor)) == [new]
    # ...and the approval is on it.
    services.approve_application(application=application, actor=supervisor)
    assert fresh(application).status == S.APPROVED
    new.refresh_from_db()
    old.refresh_from_db()
    assert (new.status, new.decided_by) == (ProposalStatus.APPROVED, supervisor)
    assert old.status == ProposalStatus.LAPSED


def test_a_path_change_on_return_leaves_no_commitment_grant_to_approve_after_inspection(
    citizen, inspector, supervisor
):
    """Returned, switched to the inspection path and inspected: the supervisor must not find
    the grant proposed on the commitment materials waiting for them."""
    application, old = proposed(citizen, inspector)
    services.return_application(
        application=application, actor=inspector, missing_items=["消防设计文件"]
    )
    application = services.update_draft(
        application=fresh(application), actor=citizen, path="inspection"
    )
    for kind in rules.missing_materials(
        "inspection", application.materials.values_list("kind", flat=True)
    ):
        services.add_material(
            application=application, actor=citizen, kind=kind, uploaded=pdf_upload()
        )
    services.submit_application(application=fresh(application), actor=citizen)
    services.accept_application(application=fresh(application), actor=inspector)
    services.record_inspection(
        application=fresh(application), actor=inspector, passed=True, findings=""
    )
    with pytest.raises(DomainError, match="尚无待审批的拟办意见"):
        services.approve_application(application=fresh(application), actor=supervisor)
    assert fresh(application).status == S.INSPECTED
    old.refresh_from_db()
    assert old.status == ProposalStatus.LAPSED


def test_the_decisions_close_their_proposal_as_approved_not_lapsed(citizen, inspector, supervisor):
    application, proposal = proposed(citizen, inspector)
    services.approve_application(application=application, actor=supervisor)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert not history(proposal).filter(to_status=ProposalStatus.LAPSED).exists()


def test_the_staff_page_shows_why_the_proposal_lapsed(client_for, citizen, inspector):
    application, _proposal = proposed(citizen, inspector)
    services.withdraw_application(application=application, actor=citizen)
    page = (
        client_for(inspector)
        .get(reverse("permits:staff_application", args=[application.pk]))
        .content.decode()
    )
    assert "申请状态已变，拟办意见失效" in page
    assert "该拟办意见不能再审批，已失效" in page
    assert "审批意见：申请状态变为" not in page
