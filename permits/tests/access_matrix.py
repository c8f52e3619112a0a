"""Access matrix rows of the permits app (tests/harness/matrix.py explains the table; the rules
are in ``permits/policies.py``).

Columns, in ``tests.personas.PERSONAS`` order:
owner, other_applicant, inspector (LD), other_brigade_inspector (LQ), supervisor (LD), chief
(detachment), administrator, legal_officer, discipline_officer, anonymous.

Every object of ``world`` belongs to the owner and to the LD brigade: another applicant and the
LQ inspector get 404 on each (as if it did not exist), downloads and PDFs included. Applicant
pages answer 403 to staff who may see the record; staff pages 403 to applicants; the legal
officer reads applications, letters and materials and acts on nothing; the discipline officer
sees no applicant record (403 on staff pages, 404 on records).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.harness.matrix import Row

EVERYONE_SIGNED_IN = "ok ok ok ok ok ok ok ok ok login"
APPLICANTS = "ok ok 403 403 403 403 403 403 403 login"
# An owner's page that staff of the brigade may also see the record of.
OWNER_PAGE = "ok 404 403 404 403 403 403 403 404 login"
# The same for an application of the Longquan brigade.
LONGQUAN_PAGE = "403 403 404 ok 404 ok ok 404 403 login"
LONGQUAN_FILE = "ok 404 404 ok 404 ok ok 404 404 login"
# A draft is the applicant's alone: 404 for staff too.
DRAFT = "ok 404 404 404 404 404 404 404 404 login"
# Materials and letters: the owner and every reader of the brigade's applications.
APPLICATION_FILE = "ok 404 ok 404 ok ok ok ok 404 login"
# Pre-check records: the owner and the handling staff of the brigade (no legal check to do).
BOOKING = "ok 404 ok 404 ok ok ok 404 404 login"
BOOKING_OWNER = "ok 404 403 404 403 403 403 404 404 login"
STAFF_LISTS = "403 403 ok ok ok ok ok ok 403 login"
HANDLERS = "403 403 ok ok ok ok ok 403 403 login"
# An application's staff page: its brigade's readers, the legal officer included.
STAFF_PAGE = "403 403 ok 404 ok ok ok ok 403 login"
SUPERVISORS = "403 403 403 403 ok ok ok 403 403 login"
# Acting on one record of the brigade: its handling staff.
HANDLE = "403 403 ok 404 ok ok ok 403 403 login"
SUPERVISE = "403 403 403 404 ok ok ok 403 403 login"
# The decision on an inspector's proposal (issue 9): a supervisor of the brigade or the
# detachment; not the inspector (who proposed it), the administrator or the legal officer.
DECIDE = "403 403 403 404 ok ok 403 403 403 login"

API_SIGNED_IN = "ok ok ok ok ok ok ok ok ok 401"
API_APPLICANTS = "ok ok 403 403 403 403 403 403 403 401"
API_OWNER = "ok 404 403 403 403 403 403 403 403 401"
API_APPLICATION = "ok 404 ok 404 ok ok ok ok 404 401"
API_BOOKING = "ok 404 ok 404 ok ok ok 404 404 401"
API_HANDLE = "403 403 ok 404 ok ok ok 403 403 401"
API_DECIDE = "403 403 403 404 ok ok 403 403 403 401"
API_DRAFT = "ok 404 404 404 404 404 404 404 404 401"


def world(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lishui_fire.accounts.models import OrgUnit
    from permits.models import DocumentKind, PermitDocument
    from permits.services import applications, channels, prechecks
    from permits.tests.factories import (
        decide,
        make_application,
        make_booking,
        make_slot,
        pdf_upload,
        png_bytes,
    )

    owner, inspector, supervisor = personas["owner"], personas["inspector"], personas["supervisor"]
    now = timezone.now()

    def at_the_venue(minutes: int):
        slot = make_slot(inspector, starts_in=dt.timedelta(minutes=-minutes))
        booking = make_booking(owner, slot, venue_name=f"矩阵体检场所（到场 {minutes} 分钟）")
        return prechecks.record_arrival(booking=booking, actor=inspector)

    def finding(booking, **extra):
        return prechecks.add_finding(
            booking=booking,
            actor=inspector,
            item="疏散指示标志损坏",
            location="二层走道",
            regulation="GB 51309-2018 第 3.2.1 条",
            remedy="更换损坏的标志灯",
            **extra,
        )

    draft = make_application(owner)
    # A second file, for the removal row (the commitment path uploads one required material).
    applications.add_material(
        application=draft, actor=owner, kind="fire_rules", uploaded=pdf_upload("消防安全制度.pdf")
    )
    returned = make_application(owner, status="returned", path="inspection")
    withdrawn = make_application(owner, status="withdrawn")
    in_longquan = make_application(owner, brigade="LQ", status="submitted")
    unsigned = make_application(owner, signed=False)
    submitted = make_application(owner, status="submitted")
    submitted_inspection = make_application(owner, status="submitted", path="inspection")
    accepted = make_application(owner, status="accepted", path="inspection")
    inspected = make_application(owner, status="inspected", path="inspection", inspected_at=now)
    approved = make_application(owner, status="submitted")
    decide(approved, supervisor)
    proposed = make_application(owner, status="submitted")
    applications.propose_decision(application=proposed, actor=inspector, outcome="approve")
    proposed_reject = make_application(
        owner, status="inspected", path="inspection", inspected_at=now
    )
    proposed_reject.visits.create(
        kind="inspection", inspector=inspector, visited_at=now, passed=False, findings="堵塞"
    )
    applications.propose_decision(
        application=proposed_reject, actor=inspector, outcome="reject", reason="疏散通道堵塞"
    )
    applications.choose_delivery(
        application=approved,
        actor=owner,
        method="mail",
        recipient="张三",
        address="丽水市莲都区解放街 88 号",
        phone="13857812345",
    )
    letter = PermitDocument.objects.get(application=approved, kind=DocumentKind.DECISION)

    slot = make_slot(inspector, starts_in=dt.timedelta(days=3), capacity=3)
    booked = make_booking(owner, slot, venue_name="矩阵体检场所（已预约）")
    free_slot = make_slot(inspector, starts_in=dt.timedelta(days=4))
    other_slot = make_slot(inspector, starts_in=dt.timedelta(days=5), capacity=2)
    due = make_booking(
        owner,
        make_slot(inspector, starts_in=dt.timedelta(minutes=-5)),
        venue_name="矩阵体检场所（今日待检）",
    )
    visiting = at_the_venue(15)
    draft_finding = finding(visiting)
    draft_photo = finding(
        visiting, photo=SimpleUploadedFile("draft.png", png_bytes(), content_type="image/png")
    )
    issued = at_the_venue(30)
    photo = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    noticed_finding = finding(issued, photo=photo)
    prechecks.issue_notice(booking=issued, actor=inspector)
    amended = at_the_venue(45)
    finding(amended)
    prechecks.issue_notice(booking=amended, actor=inspector)
    amendment = prechecks.request_amendment(booking=amended, actor=inspector, reason="遗漏一项")
    finding(amended, amendment=amendment)

    # After the permit: under a rectification order; and one revocable (deadline passed, a
    # failed re-check with its photo on record).
    from permits.tests.factories import deadline_passed, failed_recheck, in_rectification

    rectifying = in_rectification(owner, inspector)
    revocable_permit = failed_recheck(
        deadline_passed(in_rectification(owner, inspector)),
        inspector,
        photos=(SimpleUploadedFile("recheck.png", png_bytes(), content_type="image/png"),),
    )
    visit_photo = revocable_permit.photos.get()

    home_request = channels.request_home_service(
        actor=owner,
        brigade=OrgUnit.objects.get(code="LD"),
        contact_name="王五",
        contact_phone="13857800002",
        address="丽水市莲都区人民街 5 号",
        reason="disability",
    )
    return {
        "draft": draft,
        "returned": returned,
        "withdrawn": withdrawn,
        "in_longquan": in_longquan,
        "longquan_material": in_longquan.materials.first(),
        "unsigned_draft": unsigned,
        "submitted": submitted,
        "submitted_inspection": submitted_inspection,
        "accepted": accepted,
        "inspected": inspected,
        "approved": approved,
        "proposed": proposed,
        "proposed_reject": proposed_reject,
        "material": submitted.materials.first(),
        "draft_material": draft.materials.order_by("pk").first(),
        # Removing a material deletes its file, which no rollback brings back: its own object.
        "removable_material": draft.materials.order_by("pk").last(),
        "decision_letter": letter,
        "slot": slot,
        "free_slot": free_slot,
        "other_slot": other_slot,
        "booked": booked,
        "due": due,
        "visiting": visiting,
        "draft_finding": draft_finding,
        "draft_photo": draft_photo,
        "issued": issued,
        "noticed_finding": noticed_finding,
        "amendment": amendment,
        "home_request": home_request,
        "rectifying": rectifying,
        "revocable_permit": revocable_permit,
        "visit_photo": visit_photo,
    }


def _decision(action: str, status: str, **fields: str):
    return {f"{action}-status": status, **{f"{action}-{k}": v for k, v in fields.items()}}


def _soon(days: int = 7) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _png(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from permits.tests.factories import png_bytes

    return SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")


def _pdf(world):
    from permits.tests.factories import pdf_upload

    return pdf_upload()


FINDING = {"item": "灭火器过期", "location": "一层大厅", "regulation": "GB 50140", "remedy": "更换"}


def _slot_payload(world):
    start = (timezone.now() + dt.timedelta(days=6)).replace(minute=0, second=0, microsecond=0)
    inspector = world["personas"]["inspector"]
    return {
        "brigade": "LD",
        "inspector": inspector.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "capacity": 2,
    }


def _new_application(world):
    from permits.tests.factories import application_fields

    data = {**application_fields(), "county": "LD"}
    data["floor_area_m2"] = str(data["floor_area_m2"])
    data["opening_date"] = data["opening_date"].isoformat()
    return data


VENUE = {
    "venue_name": "丽水市莲都区好运来大酒店",
    "venue_address": "丽水市莲都区解放街 88 号",
    "venue_type": "hotel",
    "floor_area_m2": "1200.50",
    "capacity": "300",
    "floors": "1-3 层",
}


def _ld() -> int:
    from lishui_fire.accounts.models import OrgUnit

    return OrgUnit.objects.get(code="LD").pk


def _venue(world):
    return {**VENUE, "county": _ld(), "opening_date": _soon(30)}


ROWS = [
    Row("permits:index", "GET", "ok ok ok ok ok ok ok ok ok ok"),
    # --- Applicant pages ------------------------------------------------------------------------
    Row("permits:mine", "GET", APPLICANTS, shows={"@submitted.reference": OWNER_PAGE}),
    Row("permits:apply", "GET", APPLICANTS),
    Row("permits:apply", "POST", APPLICANTS, data=_venue),
    Row("permits:my_application", "GET", OWNER_PAGE, pk="@submitted"),
    Row("permits:my_application", "GET", OWNER_PAGE, pk="@returned"),
    # A returned application is the owner's to complete; staff see it but edit nothing.
    Row("permits:apply_step", "GET", OWNER_PAGE, pk="@returned", step="materials"),
    *[
        Row("permits:apply_step", "GET", DRAFT, pk="@draft", step=step)
        for step in ("venue", "unit", "path", "sign", "materials", "delivery", "review")
    ],
    Row(
        "permits:apply_step",
        "POST",
        DRAFT,
        pk="@draft",
        step="delivery",
        data={"method": "download", "booking": ""},
    ),
    Row("permits:apply_step", "POST", DRAFT, pk="@draft", step="venue", data=_venue),
    Row("permits:apply_step", "POST", DRAFT, pk="@draft", step="path", data={"path": "commitment"}),
    Row(
        "permits:apply_step",
        "POST",
        DRAFT,
        pk="@draft",
        step="materials",
        data=lambda w: {"kind": "other", "file": _pdf(w)},
    ),
    Row(
        "permits:material_remove",
        "POST",
        DRAFT,
        pk="@draft",
        material_pk="@removable_material",
    ),
    Row("permits:submit_application", "POST", DRAFT, pk="@draft"),
    Row("permits:withdraw_application", "GET", OWNER_PAGE, pk="@submitted"),
    Row("permits:withdraw_application", "POST", OWNER_PAGE, pk="@submitted"),
    Row("permits:choose_delivery", "POST", DRAFT, pk="@draft", data={"method": "download"}),
    Row("permits:link_precheck", "POST", DRAFT, pk="@draft", data={"booking": ""}),
    # The unit under a rectification order asks for the re-check (its own page; staff 403).
    Row("permits:request_recheck", "GET", OWNER_PAGE, pk="@rectifying"),
    Row("permits:request_recheck", "POST", OWNER_PAGE, pk="@rectifying", data={"note": "已整改"}),
    # Downloads: the owner and the readers of the brigade's applications; 404 for the rest.
    Row("permits:material_download", "GET", APPLICATION_FILE, pk="@material"),
    Row("permits:material_download", "GET", DRAFT, pk="@draft_material"),  # ADR 0008
    Row("permits:material_download", "GET", LONGQUAN_FILE, pk="@longquan_material"),
    Row("permits:document_download", "GET", APPLICATION_FILE, pk="@decision_letter"),
    Row("permits:photo_download", "GET", APPLICATION_FILE, pk="@visit_photo"),
    Row("permits:home_service", "GET", APPLICANTS),
    Row(
        "permits:home_service",
        "POST",
        APPLICANTS,
        data=lambda w: {
            "county": _ld(),
            "contact_name": "赵六",
            "contact_phone": "13857800003",
            "address": "丽水市莲都区人民街 6 号",
            "reason": "disability",
        },
    ),
    Row(
        "permits:cancel_home_service",
        "POST",
        "ok 404 403 403 403 403 403 403 403 login",
        pk="@home_request",
    ),
    # --- Staff pages ------------------------------------------------------------------------------
    Row("permits:today", "GET", HANDLERS, shows={"@due.venue_name": HANDLE}),
    Row("permits:queue", "GET", STAFF_LISTS, shows={"@submitted.reference": STAFF_PAGE}),
    Row("permits:overdue", "GET", STAFF_LISTS),
    # Proposals waiting for approval (ADR 0034): the readers' list, scoped like the queue; an
    # inspector finds their own (the LQ inspector has none of LD's).
    Row("permits:staff_proposals", "GET", STAFF_LISTS, shows={"@proposed.reference": STAFF_PAGE}),
    Row("permits:dashboard", "GET", SUPERVISORS),
    Row("permits:staff_application", "GET", STAFF_PAGE, pk="@submitted"),
    # Returned (staff wait for it, ADR 0008) and withdrawn applications stay on the file.
    Row("permits:staff_application", "GET", STAFF_PAGE, pk="@returned"),
    Row("permits:staff_application", "GET", STAFF_PAGE, pk="@withdrawn"),
    # The brigade rule the other way round: the owner's application in Longquan.
    Row("permits:staff_application", "GET", LONGQUAN_PAGE, pk="@in_longquan"),
    Row(
        "permits:staff_application", "GET", "403 403 404 404 404 404 404 404 403 login", pk="@draft"
    ),
    Row("permits:staff_reveal_phone", "POST", HANDLE, pk="@submitted"),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@submitted_inspection",
        action="accept",
        data=_decision("accept", "submitted", note=""),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@submitted",
        action="return",
        data=_decision("return", "submitted", missing_items="营业执照复印件不清晰", note=""),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@submitted",
        action="refuse",
        data=_decision("refuse", "submitted", reason="不属于本机关受理范围"),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@accepted",
        action="inspect",
        data=_decision("inspect", "accepted", passed="yes", findings="", visited_at=""),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@submitted",
        action="propose",
        data=_decision("propose", "submitted", outcome="approve", reason=""),
    ),
    Row(
        "permits:staff_action",
        "POST",
        DECIDE,
        pk="@proposed",
        action="approve",
        data=_decision("approve", "submitted", reason=""),
    ),
    Row(
        "permits:staff_action",
        "POST",
        DECIDE,
        pk="@proposed_reject",
        action="reject",
        data=_decision("reject", "inspected", reason=""),
    ),
    Row(
        "permits:staff_action",
        "POST",
        DECIDE,
        pk="@proposed",
        action="send_back",
        data=_decision("send_back", "submitted", note="请补充核对"),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@approved",
        action="verify",
        data=_decision("verify", "approved", matches="yes", findings="", rectification_due=""),
    ),
    # Revocation and the green channel are a supervisor's decision; the inspector who handles
    # the case is told so on the page (a DomainError about the case, ADR 0013: 302 + message).
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@revocable_permit",
        action="revoke",
        data=_decision("revoke", "rectification", reason="承诺内容与实际不符且拒不整改"),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@submitted",
        action="green_channel",
        data=_decision("green_channel", "submitted", enabled="yes", reason="省重点项目"),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@approved",
        action="mail_posted",
        data=_decision("mail_posted", "approved", carrier="EMS", waybill="1180000000001"),
    ),
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@approved",
        action="mail_delivered",
        data=_decision("mail_delivered", "approved"),
    ),
    # The permit document served in person or otherwise (issue 9, 行政许可法 art. 44).
    Row(
        "permits:staff_action",
        "POST",
        HANDLE,
        pk="@approved",
        action="record_service",
        data=_decision("record_service", "approved", method="in_person", served_at="", note=""),
    ),
    # 窗口受理: handling staff; an empty form is refused (400) once past the gate.
    Row("permits:staff_window", "GET", HANDLERS),
    Row("permits:staff_window", "POST", "403 403 400 400 400 400 400 403 403 login", data={}),
    Row(
        "permits:staff_home_services",
        "GET",
        HANDLERS,
        shows={"@home_request.contact_name": HANDLE},
    ),
    # A phone request is logged for the caller's own brigade: the detachment and administrators
    # have none to log it for.
    Row(
        "permits:staff_home_services",
        "POST",
        "403 403 ok ok ok 403 403 403 403 login",
        data={
            "brigade": "LD",
            "contact_name": "孙七",
            "contact_phone": "13857800004",
            "address": "丽水市莲都区人民街 7 号",
            "reason": "elderly",
        },
    ),
    Row("permits:staff_home_service", "GET", HANDLE, pk="@home_request"),
    Row("permits:staff_home_service_reveal_phone", "POST", HANDLE, pk="@home_request"),
    Row(
        "permits:staff_home_service_action",
        "POST",
        HANDLE,
        pk="@home_request",
        action="schedule",
        data=lambda w: {
            "schedule-appointment_at": _soon(2) + "T10:00",
            "schedule-assigned_to": w["personas"]["inspector"].pk,
        },
    ),
    Row(
        "permits:staff_home_service_action",
        "POST",
        HANDLE,
        pk="@home_request",
        action="complete",
        data={"complete-outcome": "已上门受理", "complete-reference": ""},
    ),
    Row(
        "permits:staff_home_service_action",
        "POST",
        HANDLE,
        pk="@home_request",
        action="cancel",
        data={"cancel-note": "申请人来电取消"},
    ),
    # --- Pre-check, applicant side ----------------------------------------------------------------
    Row("permits:precheck_slots", "GET", EVERYONE_SIGNED_IN),
    # Free slots before signing in (issue 9): no personal data, so everyone, anonymous included.
    Row("permits:public_slots", "GET", "ok ok ok ok ok ok ok ok ok ok"),
    Row("permits:precheck_book", "GET", APPLICANTS, slot_id="@slot"),
    Row(
        "permits:precheck_book",
        "POST",
        APPLICANTS,
        slot_id="@slot",
        data=lambda w: {
            "venue_name": "丽水市莲都区星光KTV",
            "venue_address": "丽水市莲都区丽阳街 12 号",
            "venue_type": "hotel",
            "contact_phone": "13957800001",
            "county": w["slot"].brigade_id,
        },
    ),
    Row("permits:my_bookings", "GET", APPLICANTS, shows={"@booked.venue_name": BOOKING}),
    Row("permits:booking_detail", "GET", BOOKING, pk="@booked"),
    Row("permits:booking_confirmed", "GET", BOOKING_OWNER, pk="@booked"),
    Row("permits:booking_cancel", "GET", BOOKING_OWNER, pk="@booked"),
    Row("permits:booking_cancel", "POST", BOOKING_OWNER, pk="@booked"),
    Row("permits:booking_reschedule", "GET", BOOKING_OWNER, pk="@booked"),
    Row(
        "permits:booking_reschedule",
        "POST",
        BOOKING_OWNER,
        pk="@booked",
        data=lambda w: {"slot": w["other_slot"].pk},
    ),
    # The one-time notice and its photos: the owner (once issued) and the brigade's handlers.
    Row("permits:notice_pdf", "GET", BOOKING, pk="@issued"),
    Row("permits:finding_photo", "GET", BOOKING, pk="@noticed_finding"),
    # Until the notice is issued the findings are the inspector's working copy.
    Row("permits:finding_photo", "GET", "404 404 ok 404 ok ok ok 404 404 login", pk="@draft_photo"),
    # --- Pre-check, staff side --------------------------------------------------------------------
    Row("permits:booking_arrival", "POST", HANDLE, pk="@due"),
    Row("permits:booking_no_show", "POST", HANDLE, pk="@due", data={"note": ""}),
    Row("permits:finding_add", "POST", HANDLE, pk="@visiting", data=FINDING),
    Row("permits:finding_remove", "POST", HANDLE, pk="@draft_finding"),
    Row("permits:notice_issue", "GET", HANDLE, pk="@visiting"),
    Row("permits:notice_issue", "POST", HANDLE, pk="@visiting"),
    Row("permits:amendment_request", "GET", HANDLE, pk="@issued"),
    Row("permits:amendment_request", "POST", HANDLE, pk="@issued", data={"reason": "遗漏一项"}),
    Row("permits:amendment_detail", "GET", HANDLE, pk="@amendment"),
    Row("permits:amendment_finding_add", "POST", HANDLE, pk="@amendment", data=FINDING),
    # Decided by a supervisor other than the inspector who asked.
    Row(
        "permits:amendment_decide",
        "POST",
        SUPERVISE,
        pk="@amendment",
        data={"decision": "approve", "note": ""},
    ),
    Row("permits:precheck_staff_slots", "GET", HANDLERS, shows={"@booked.venue_name": HANDLE}),
    Row("permits:precheck_publish", "GET", HANDLERS),
    # The LQ inspector is offered only LQ's inspectors: LD's is an invalid choice (400).
    Row(
        "permits:precheck_publish",
        "POST",
        "403 403 ok 400 ok ok ok 403 403 login",
        data=lambda w: {
            "brigade": w["personas"]["inspector"].org_unit_id,
            "inspector": w["personas"]["inspector"].pk,
            "day": _soon(8),
            "start_time": "09:00",
            "end_time": "11:00",
            "capacity": "2",
        },
    ),
    Row("permits:precheck_generate", "GET", HANDLERS),
    Row(
        "permits:precheck_generate",
        "POST",
        "403 403 ok 400 ok ok ok 403 403 login",
        data=lambda w: {
            "brigade": w["personas"]["inspector"].org_unit_id,
            "inspector": w["personas"]["inspector"].pk,
            "weekdays": ["0"],
            "first_day": _soon(7),
            "weeks": "1",
            "start_time": "09:00",
            "end_time": "11:00",
            "capacity": "2",
        },
    ),
    Row("permits:precheck_withdraw", "POST", HANDLE, pk="@free_slot"),
    Row(
        "permits:amendments_pending",
        "GET",
        SUPERVISORS,
        shows={"@amendment.booking.venue_name": SUPERVISE},
    ),
    # --- API (API.md: 401 anonymous, 403 a role that may not act, 404 outside the scope) ---------
    Row(
        "permit-list",
        "GET",
        API_SIGNED_IN,
        query="page_size=100",
        shows={"@submitted": API_APPLICATION, "@draft": API_DRAFT},
    ),
    Row("permit-list", "POST", API_APPLICANTS, data=_new_application),
    Row("permit-detail", "GET", API_APPLICATION, pk="@submitted"),
    Row("permit-detail", "GET", API_DRAFT, pk="@draft"),
    Row("permit-detail", "GET", "ok 404 404 ok 404 ok ok 404 404 401", pk="@in_longquan"),
    Row("permit-detail", "PATCH", API_OWNER, pk="@draft", data={"capacity": 120}),
    Row("permit-submit", "POST", API_OWNER, pk="@draft"),
    Row(
        "permit-sign-commitment",
        "POST",
        API_OWNER,
        pk="@unsigned_draft",
        data={"signatory": "张三"},
    ),
    Row(
        "permit-materials",
        "POST",
        API_OWNER,
        pk="@draft",
        format="multipart",
        data=lambda w: {"kind": "other", "file": _pdf(w)},
    ),
    Row("permit-accept", "POST", API_HANDLE, pk="@submitted_inspection"),
    Row("permit-propose", "POST", API_HANDLE, pk="@submitted", data={"outcome": "approve"}),
    Row("permit-approve", "POST", API_DECIDE, pk="@proposed"),
    Row("permit-send-back", "POST", API_DECIDE, pk="@proposed", data={"note": "请补充核对"}),
    Row(
        "permit-return-for-completion",
        "POST",
        API_HANDLE,
        pk="@submitted",
        data={"missing_items": ["营业执照复印件"]},
    ),
    Row("permit-inspect", "POST", API_HANDLE, pk="@accepted", data={"passed": True}),
    Row("permit-reject", "POST", API_DECIDE, pk="@proposed_reject", data={}),
    Row("permit-decision-pdf", "GET", API_APPLICATION, pk="@approved"),
    Row("permit-verify", "POST", API_HANDLE, pk="@approved", data={"matches": True}),
    # A revocation is a supervisor's: the handling inspector is refused (409, the service's
    # message, as the page's message says).
    Row(
        "permit-revoke",
        "POST",
        "403 403 409 404 ok ok ok 403 403 401",
        pk="@revocable_permit",
        data={"reason": "逾期未整改，复查仍不合格"},
    ),
    Row("permit-request-recheck", "POST", API_OWNER, pk="@rectifying", data={"note": "已整改"}),
    Row(
        "precheck-slot-list",
        "GET",
        API_SIGNED_IN,
        query="page_size=100",
        shows={"@slot": API_SIGNED_IN},
    ),
    Row("precheck-slot-list", "POST", "403 403 ok 403 ok ok ok 403 403 401", data=_slot_payload),
    Row("precheck-slot-detail", "GET", API_SIGNED_IN, pk="@slot"),
    Row(
        "precheck-booking-list",
        "GET",
        API_SIGNED_IN,
        query="page_size=100",
        shows={"@booked": API_BOOKING},
    ),
    Row(
        "precheck-booking-list",
        "POST",
        API_APPLICANTS,
        data=lambda w: {
            "slot": w["other_slot"].pk,
            "venue_name": "丽水市莲都区星光KTV",
            "venue_address": "丽水市莲都区丽阳街 12 号",
            "contact_phone": "13957800001",
        },
    ),
    Row("precheck-booking-detail", "GET", API_BOOKING, pk="@booked"),
    Row("precheck-booking-cancel", "POST", API_OWNER, pk="@booked"),
    Row("precheck-booking-notice-pdf", "GET", API_BOOKING, pk="@issued"),
]
