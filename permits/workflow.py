"""The permit application's states and the moves each path allows (DOMAIN.md §1.2, §1.6).

Two tables, one per path, because the law gives the two paths different steps:

* commitment path (告知承诺, Fire Law art. 15 para. 2): complete materials in legal form are
  granted at once (即办); a verification (核查) of the venue follows within 20 working days; a
  mismatch leads to a rectification order and, if not cured, revocation (art. 58 para. 2).
* inspection path (art. 15 para. 3): acceptance, an on-site inspection within 10 working days,
  then a decision within 3 working days of the inspection.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lishui_fire.core.workflow import Workflow, register_workflow


class PermitStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待受理")
    RETURNED = "returned", _("退回补正")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("已受理，待检查")
    INSPECTED = "inspected", _("已检查，待决定")
    APPROVED = "approved", _("准予许可")
    REJECTED = "rejected", _("不予许可")
    VERIFIED = "verified", _("核查相符")
    RECTIFICATION = "rectification", _("核查不符，责令整改")
    REVOKED = "revoked", _("已撤销许可")
    WITHDRAWN = "withdrawn", _("已撤回")


S = PermitStatus

COMMITMENT_FLOW = Workflow(
    choices=PermitStatus,
    transitions={
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.APPROVED, S.RETURNED, S.NOT_ACCEPTED, S.WITHDRAWN},
        S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
        S.APPROVED: {S.VERIFIED, S.RECTIFICATION},
        # Revocation follows an order that was not met (Fire Law art. 58 para. 2): the service
        # also asks for a passed deadline and a failed re-check (rules.revocation_refusal).
        S.RECTIFICATION: {S.VERIFIED, S.REVOKED},
    },
    # Granted at once, but the verification is still owed: finished when verified (or revoked).
    open_statuses={S.SUBMITTED, S.APPROVED, S.RECTIFICATION},
    final_statuses={S.NOT_ACCEPTED, S.VERIFIED, S.REVOKED, S.WITHDRAWN},
)

INSPECTION_FLOW = Workflow(
    choices=PermitStatus,
    transitions={
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.ACCEPTED, S.RETURNED, S.NOT_ACCEPTED, S.WITHDRAWN},
        S.RETURNED: {S.SUBMITTED, S.WITHDRAWN},
        S.ACCEPTED: {S.INSPECTED},
        S.INSPECTED: {S.APPROVED, S.REJECTED},
    },
    open_statuses={S.SUBMITTED, S.ACCEPTED, S.INSPECTED},
    final_statuses={S.NOT_ACCEPTED, S.APPROVED, S.REJECTED, S.WITHDRAWN},
)

# Statuses in which staff still owe the applicant something (queues, overdue lists).
OPEN_STATUSES = frozenset({S.SUBMITTED, S.ACCEPTED, S.INSPECTED, S.APPROVED, S.RECTIFICATION})
# Statuses after which the applicant can no longer edit or withdraw.
FINAL_STATUSES = frozenset({S.NOT_ACCEPTED, S.REJECTED, S.VERIFIED, S.REVOKED, S.WITHDRAWN})


def workflow_for(path: str) -> Workflow:
    return COMMITMENT_FLOW if path == "commitment" else INSPECTION_FLOW


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    IN_PROGRESS = "in_progress", _("体检中")
    NOTICE_ISSUED = "notice_issued", _("已出具一次性告知书")
    NO_SHOW = "no_show", _("未到场")


B = BookingStatus

BOOKING_FLOW = Workflow(
    choices=BookingStatus,
    transitions={
        B.BOOKED: {B.CANCELLED, B.IN_PROGRESS, B.NO_SHOW},
        B.IN_PROGRESS: {B.NOTICE_ISSUED},
    },
    open_statuses={B.BOOKED, B.IN_PROGRESS},
    final_statuses={B.CANCELLED, B.NOTICE_ISSUED, B.NO_SHOW},
)

ACTIVE_BOOKING_STATUSES = frozenset({B.BOOKED, B.IN_PROGRESS, B.NOTICE_ISSUED})


class HomeServiceStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    SCHEDULED = "scheduled", _("已预约上门")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已取消")


H = HomeServiceStatus

HOME_SERVICE_FLOW = Workflow(
    choices=HomeServiceStatus,
    transitions={
        H.REQUESTED: {H.SCHEDULED, H.CANCELLED},
        H.SCHEDULED: {H.SCHEDULED, H.DONE, H.CANCELLED},
    },
    open_statuses={H.REQUESTED, H.SCHEDULED},
    final_statuses={H.DONE, H.CANCELLED},
)


class AmendmentStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


AMENDMENT_FLOW = Workflow(
    choices=AmendmentStatus,
    transitions={AmendmentStatus.REQUESTED: {AmendmentStatus.APPROVED, AmendmentStatus.REFUSED}},
    open_statuses={AmendmentStatus.REQUESTED},
    final_statuses={AmendmentStatus.APPROVED, AmendmentStatus.REFUSED},
)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待寄出")
    POSTED = "posted", _("已寄出")
    DELIVERED = "delivered", _("已签收")


DELIVERY_FLOW = Workflow(
    choices=DeliveryStatus,
    transitions={
        DeliveryStatus.PENDING: {DeliveryStatus.POSTED},
        DeliveryStatus.POSTED: {DeliveryStatus.DELIVERED},
    },
    open_statuses={DeliveryStatus.PENDING, DeliveryStatus.POSTED},
    final_statuses={DeliveryStatus.DELIVERED},
)


class ProposalStatus(models.TextChoices):
    """An inspector's proposed decision, waiting for a supervisor's approval (issue 9)."""

    PENDING = "pending", _("待领导审批")
    APPROVED = "approved", _("领导已批准")
    SENT_BACK = "sent_back", _("领导退回重拟")
    # The application left the statuses in which it can be decided (withdrawn, returned for
    # completion, not accepted): nobody may approve the proposal any more, and after a
    # resubmission the inspector proposes again on what was resubmitted.
    LAPSED = "lapsed", _("申请状态已变，拟办意见失效")


# Not registered (core.workflow.finished_since): a proposal is a step of a case, not a case.
PROPOSAL_FLOW = Workflow(
    choices=ProposalStatus,
    transitions={
        ProposalStatus.PENDING: {
            ProposalStatus.APPROVED,
            ProposalStatus.SENT_BACK,
            ProposalStatus.LAPSED,
        }
    },
    open_statuses={ProposalStatus.PENDING},
    final_statuses={ProposalStatus.APPROVED, ProposalStatus.SENT_BACK, ProposalStatus.LAPSED},
)

# The statuses in which an application can be decided, so in which a proposal may wait: the
# commitment path while submitted (即办), the inspection path once inspected. Leaving them for
# anything but the decision itself lapses the pending proposal (services.applications._move).
DECIDABLE_STATUSES = frozenset({S.SUBMITTED, S.INSPECTED})

# The registry (core.workflow.finished_since): which workflow moves which rows.
register_workflow("permits.PermitApplication", COMMITMENT_FLOW, condition=Q(path="commitment"))
register_workflow("permits.PermitApplication", INSPECTION_FLOW, condition=Q(path="inspection"))
register_workflow("permits.PrecheckBooking", BOOKING_FLOW)
register_workflow("permits.HomeServiceRequest", HOME_SERVICE_FLOW)
register_workflow("permits.NoticeAmendment", AMENDMENT_FLOW)
register_workflow("permits.Delivery", DELIVERY_FLOW)
