"""Access matrix rows of the intake part (joined by access_matrix.py).

The world: an LD unit whose registered contact is the owner persona (its credit code on the
account, the account's phone in the registry), a second LD inspector (an inspection needs two),
and a complaint about the unit assigned to the inspector persona and that second officer.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.harness.matrix import Row

# Columns: owner, other_applicant, inspector, other_brigade_inspector, supervisor, chief,
# administrator, legal_officer, discipline_officer, anonymous.
READERS = "403 403 ok ok ok ok ok ok 403 login"
HANDLERS = "403 403 ok ok ok ok ok 403 403 login"
# One inspection of LD: the assigned inspector, LD's supervisor and legal officer, the
# detachment; another brigade's inspector gets 404 (never told it exists).
ONE_INSPECTION = "403 403 ok 404 ok ok ok ok 403 login"
HANDLE_ONE = "403 403 ok 404 ok ok ok 403 403 login"
UNIT_CONTACT = "ok 404 403 403 403 403 403 403 403 login"
APPLICANTS = "ok ok 403 403 403 403 403 403 403 login"
# The API: 401 anonymous; another brigade's inspector names a unit outside its registry (400).
API_READERS = "403 403 ok ok ok ok ok ok 403 401"
API_ONE = "403 403 ok 404 ok ok ok ok 403 401"
API_HANDLE_ONE = "403 403 ok 404 ok ok ok 403 403 401"
API_CREATE = "403 403 ok 400 ok ok ok 403 403 401"
API_APPLICANTS = "ok ok 403 403 403 403 403 403 403 401"
API_UNIT_CONTACT = "ok 404 403 403 403 403 403 403 403 401"


def _complaint_form(world):
    return {
        "uscc": world["unit"].uscc,
        "channel": "hotline_12345",
        "category": "evacuation_blocked",
        "content": "商场二楼疏散通道堆放货物",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "complainant_name": "钱七",
        "complainant_phone": "13612345678",
    }


def _complaint_api(world):
    data = _complaint_form(world)
    data["enterprise"] = data.pop("uscc")
    data["received_at"] = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    return data


def _open_api(world):
    data = _open_form(world)
    data["enterprise"] = data.pop("uscc")
    return data


def _open_form(world):
    return {
        "uscc": world["unit"].uscc,
        "kind": "large_event",
        "reason": "元旦灯光秀活动举办前检查",
        "planned_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
    }


ROWS = [
    # --- Staff of the brigade ------------------------------------------------------------------
    Row(
        "inspections:intake_list",
        "GET",
        READERS,
        shows={"@complaint_inspection.reference": ONE_INSPECTION},
    ),
    Row("inspections:complaint_new", "GET", HANDLERS),
    Row("inspections:complaint_new", "POST", HANDLERS, data=_complaint_form),
    Row("inspections:intake_open", "GET", HANDLERS),
    Row("inspections:intake_open", "POST", HANDLERS, data=_open_form),
    Row("inspections:intake_detail", "GET", ONE_INSPECTION, pk="@complaint_inspection"),
    Row(
        "inspections:complaint_reply",
        "POST",
        HANDLE_ONE,
        pk="@complaint",
        data={"method": "impossible", "text": "举报人电话空号，无法告知"},
    ),
    Row("inspections:complaint_phone", "POST", HANDLE_ONE, pk="@complaint"),
    # --- The unit's registered contact ---------------------------------------------------------
    Row(
        "inspections:my_inspections",
        "GET",
        APPLICANTS,
        shows={"@complaint_inspection.reference": UNIT_CONTACT},
    ),
    Row("inspections:my_inspection", "GET", UNIT_CONTACT, pk="@complaint_inspection"),
    Row("inspections:my_recheck", "POST", UNIT_CONTACT, pk="@complaint_inspection"),
    # --- API ------------------------------------------------------------------------------------
    Row("complaint-list", "GET", API_READERS, shows={"@complaint": API_ONE}),
    Row("complaint-list", "POST", API_CREATE, data=_complaint_api),
    Row("complaint-detail", "GET", API_ONE, pk="@complaint"),
    Row(
        "complaint-reply",
        "POST",
        API_HANDLE_ONE,
        pk="@complaint",
        data={"method": "impossible", "text": "举报人电话空号，无法告知"},
    ),
    Row("complaint-reveal-phone", "POST", API_HANDLE_ONE, pk="@complaint"),
    Row(
        "unplanned-inspection-list",
        "GET",
        API_READERS,
        shows={"@complaint_inspection": API_ONE},
    ),
    Row("unplanned-inspection-list", "POST", API_CREATE, data=_open_api),
    Row("unplanned-inspection-detail", "GET", API_ONE, pk="@complaint_inspection"),
    Row(
        "my-inspection-list",
        "GET",
        API_APPLICANTS,
        shows={"@complaint_inspection": API_UNIT_CONTACT},
    ),
    Row("my-inspection-detail", "GET", API_UNIT_CONTACT, pk="@complaint_inspection"),
    # 409 until the visits part's request_recheck lands (then the owner's cell is ok).
    Row(
        "my-inspection-recheck",
        "POST",
        "409 404 403 403 403 403 403 403 403 401",
        pk="@complaint_inspection",
    ),
]


def world(personas):
    from inspections.services import intake
    from inspections.tests.intake_factories import (
        certify,
        make_registered_contact,
        make_unit,
        second_officer,
    )

    inspector, supervisor = personas["inspector"], personas["supervisor"]
    certify(inspector)
    partner = second_officer("LD", username="matrix-intake-partner")
    unit = make_unit("LD", name="丽水市莲都区矩阵百货有限公司")
    make_registered_contact(personas["owner"], unit)
    complaint = intake.register_complaint(
        actor=supervisor,
        enterprise=unit,
        channel="hotline_12345",
        category="exit_locked",
        content="夜间安全出口锁闭",
        received_at=timezone.now() - dt.timedelta(hours=2),
        complainant_name="赵六",
        complainant_phone="13912345678",
        ticket_number="12345-MATRIX-0001",
        officers=[inspector, partner],
    )
    return {
        "unit": unit,
        "complaint": complaint,
        "complaint_inspection": complaint.inspection,
    }
