"""``seed_demo`` builds a lived-in permits world through the services, and only once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from lishui_fire.core.models import StatusChange
from permits.models import (
    Channel,
    DecisionProposal,
    Delivery,
    DocumentKind,
    HomeServiceRequest,
    PermitApplication,
    PrecheckBooking,
    PrecheckSlot,
)
from permits.workflow import (
    BookingStatus,
    DeliveryStatus,
    HomeServiceStatus,
    PermitStatus,
    ProposalStatus,
)

from .pdftext import pdf_text

# ``manage.py seed_demo`` once for the module (conftest's ``demo_world``); each test's changes are
# rolled back. That a second run creates nothing new is tests/test_seed_demo.py's one test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_world")]


DEMO_STATUSES = {
    PermitStatus.DRAFT,
    PermitStatus.SUBMITTED,
    PermitStatus.RETURNED,
    PermitStatus.ACCEPTED,
    PermitStatus.INSPECTED,
    PermitStatus.APPROVED,
    PermitStatus.REJECTED,
}


def test_the_demo_has_applications_in_every_state_for_both_citizens():
    assert set(PermitApplication.objects.values_list("status", flat=True)) >= DEMO_STATUSES
    online = PermitApplication.objects.filter(channel=Channel.ONLINE)
    owners = set(online.values_list("applicant__username", flat=True))
    assert owners == {"citizen1", "citizen2"}


def test_the_demo_world_has_every_case_staff_and_applicants_look_at():
    returned = PermitApplication.objects.get(status=PermitStatus.RETURNED)
    assert len(returned.missing_items) >= 2

    submitted = PermitApplication.objects.get(
        status=PermitStatus.SUBMITTED, path="commitment", green_channel=False
    )
    assert submitted.decision_due is not None
    assert submitted.decision_due >= timezone.localdate()

    green = PermitApplication.objects.get(green_channel=True)
    assert green.green_channel_reason
    assert green.green_channel_set_by.username == "supervisor1"

    # At least one case is overdue, so the staff overdue lists have something to show.
    assert PermitApplication.objects.open().filter(next_due__lt=timezone.localdate()).exists()

    delivery = Delivery.objects.get(status=DeliveryStatus.POSTED)
    assert delivery.method == "mail"
    assert delivery.carrier
    assert delivery.waybill
    assert delivery.application.status == PermitStatus.APPROVED

    issued = PrecheckBooking.objects.get(
        status=BookingStatus.NOTICE_ISSUED, applicant__username="citizen1"
    )
    assert issued.notice_file
    assert issued.notice_number
    assert issued.findings.count() >= 3
    assert issued.arrived_at is not None
    assert issued.arrived_at <= issued.slot.starts_at
    assert issued.applications.filter(applicant__username="citizen1").exists()
    assert PrecheckBooking.objects.filter(
        status=BookingStatus.BOOKED, slot__starts_at__gt=timezone.now()
    ).exists()

    now = timezone.now()
    for inspector in ("inspector1", "inspector2", "inspector3"):
        open_slots = PrecheckSlot.objects.filter(
            inspector__username=inspector, starts_at__gt=now, booked=0
        )
        assert open_slots.count() >= 5, inspector
        assert {timezone.localtime(s.starts_at).weekday() for s in open_slots} <= set(range(5))

    phoned = HomeServiceRequest.objects.get(source=HomeServiceRequest.Source.PHONE)
    assert phoned.status == HomeServiceStatus.REQUESTED
    assert phoned.logged_by.username == "inspector1"
    scheduled = HomeServiceRequest.objects.get(status=HomeServiceStatus.SCHEDULED)
    assert scheduled.assigned_to.username == "inspector2"
    assert scheduled.appointment_at > now


def test_the_approved_commitment_case_has_its_decision_letter_and_a_verification_due():
    application = PermitApplication.objects.get(
        status=PermitStatus.APPROVED, path="commitment", applicant__username="citizen1"
    )
    assert application.verification_due is not None
    assert application.verification_due > timezone.localdate()
    assert application.next_due == application.verification_due
    # The history is real and in the past: submitted, then approved.
    moves = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(PermitApplication),
            object_id=str(application.pk),
            to_status__in=["submitted", "approved"],
        )
        .order_by("at")
        .values_list("to_status", "at")
    )
    assert [status for status, _at in moves] == ["submitted", "approved"]
    assert all(at < timezone.now() for _status, at in moves)

    letter = application.documents.get(kind=DocumentKind.DECISION)
    assert letter.file
    assert letter.sha256
    with letter.file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert application.venue_name in text
    assert letter.number in text
    assert "同意投入使用、营业" in text
    assert application.contact_phone not in text


def test_window_applications_were_decided_on_the_spot_and_handed_over_at_the_counter():
    """即办 at the window (ADR 0025): entered by the counter officer, proposed at once, approved by
    supervisor1 within minutes, the 意见书 served in person; walk-ins own an account opened by
    their number, citizen2 was found by hers."""
    window = list(
        PermitApplication.objects.filter(channel=Channel.WINDOW).select_related(
            "applicant", "handled_by"
        )
    )
    assert len(window) == 3
    assert "citizen2" in {a.applicant.username for a in window}
    for application in window:
        assert application.status == PermitStatus.APPROVED
        assert application.path == "commitment"
        assert application.handled_by.username == "inspector2"
        assert application.commitment_signatory == application.legal_representative
        (proposal,) = application.proposals.all()
        assert proposal.status == ProposalStatus.APPROVED
        assert proposal.proposed_by.username == "inspector2"
        assert proposal.decided_by.username == "supervisor1"
        assert application.submitted_at < proposal.proposed_at < proposal.decided_at
        assert proposal.decided_at - application.submitted_at < dt.timedelta(hours=1)
        assert application.decided_at == proposal.decided_at < timezone.now()
        assert application.served_how == "in_person"
        assert application.served_at >= application.decided_at
        # Served at the counter: what staff owe next is the on-site verification.
        assert application.next_due == application.verification_due > timezone.localdate()
        assert application.documents.get(kind=DocumentKind.DECISION).file
        assert application.materials.count() >= 1


def test_one_proposal_waits_for_supervisor1():
    (pending,) = DecisionProposal.objects.filter(status=ProposalStatus.PENDING)
    assert pending.proposed_by.username == "inspector1"
    assert pending.application.status == PermitStatus.INSPECTED
    assert pending.application.brigade.code == "LD"
    assert pending.proposed_at < timezone.now()
    assert pending.application.decision_due >= timezone.localdate()
