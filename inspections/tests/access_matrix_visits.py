"""Access matrix rows of the visits part (joined by access_matrix.py; the rules are in
``inspections/policies_visits.py``).

Columns: owner, other_applicant, inspector (LD), other_brigade_inspector (LQ), supervisor (LD),
chief (detachment), administrator, legal_officer (LD), discipline_officer, anonymous.

The world's inspections are of an LD unit whose registered contact is the owner, assigned to the
LD inspector persona and a second LD officer: the LQ inspector gets 404 on each; the staff pages
answer 403 to applicants and the discipline officer; logging and confirming are the assigned
officers' (403 for the supervisors, who schedule and return); the legal officer reads and acts
on nothing. The unit is nobody's among the personas: the applicants get 404 on its documents and
its re-check request (its own contact's access is tested in test_visits_pages/test_visits_api).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.harness.matrix import Row

LIST = "403 403 ok ok ok ok ok ok 403 login"
READ = "403 403 ok 404 ok ok ok ok 403 login"
LONGQUAN = "403 403 404 ok 404 ok ok 404 403 login"
LOG = "403 403 ok 404 403 403 403 403 403 login"
SCHEDULE = "403 403 ok 404 ok ok ok 403 403 login"
FILE = "404 404 ok 404 ok ok ok ok 404 login"

API_LIST = "403 403 ok ok ok ok ok ok 403 401"
API_READ = "403 403 ok 404 ok ok ok ok 403 401"
API_LOG = "403 403 ok 404 403 403 403 403 403 401"
API_SCHEDULE = "403 403 ok 404 ok ok ok 403 403 401"
API_LONGQUAN = "403 403 404 ok 404 ok ok 404 403 401"
API_FILE = "404 404 ok 404 ok ok ok ok 403 401"
# The unit asks online; the brigade's handling staff record a request made in person.
API_RECHECK = "404 404 ok 404 ok ok ok 403 403 401"


def world(personas):
    from inspections.services import visits
    from inspections.tests.visits_helpers import (
        add_finding,
        confirm_both,
        make_enterprise,
        make_inspection,
        make_officer,
        png_upload,
        record,
    )

    inspector = personas["inspector"]
    lq_inspector = personas["other_brigade_inspector"]
    # The second officer is a brigade supervisor (certified, allowed on an inspection) rather
    # than an inspector: the intake part's rows draw the two least-loaded LD inspectors and
    # expect the inspector persona among them, which a busy second inspector here would change.
    partner = make_officer(
        "LD", username="matrix-partner-ld", real_name="矩阵检查员", role="brigade_supervisor"
    )
    lq_partner = make_officer("LQ", username="matrix-partner-lq", real_name="龙泉检查员")
    # A unit none of the personas speaks for: the owner is another unit's contact (the intake
    # part's world makes it one), so its cells are those of an outsider; the unit's own contact
    # downloading its documents is tested in test_visits_pages.py and test_visits_api.py.
    enterprise = make_enterprise("LD", name="矩阵检查测试宾馆")
    team = [inspector, partner]

    assigned = make_inspection(team, enterprise=enterprise)
    removable = add_finding(assigned, inspector, corrected=True)
    scheduled = make_inspection(
        team, enterprise=enterprise, planned_date=timezone.localdate() + dt.timedelta(days=2)
    )
    recorded = make_inspection(team, enterprise=enterprise)
    add_finding(recorded, inspector, corrected=True)
    record(recorded, inspector, "corrected_on_spot")

    rectifying = make_inspection(team, enterprise=enterprise)
    add_finding(rectifying, inspector)
    record(
        rectifying,
        inspector,
        "ordered_to_correct",
        rectify_by=timezone.localdate() + dt.timedelta(days=10),
    )
    rectifying = confirm_both(rectifying, inspector, partner)

    served = make_inspection(team, enterprise=enterprise)
    add_finding(served, inspector)
    record(
        served,
        inspector,
        "ordered_to_correct",
        rectify_by=timezone.localdate() + dt.timedelta(days=9),
    )
    served = confirm_both(served, inspector, partner)
    visits.serve_deadline_notice(inspection=served, actor=inspector)

    closed = make_inspection(team, enterprise=enterprise)
    photo_finding = add_finding(closed, inspector, corrected=True, photo=png_upload())
    record(closed, inspector, "corrected_on_spot")
    closed = confirm_both(closed, inspector, partner)

    in_longquan = make_inspection([lq_inspector, lq_partner], enterprise=make_enterprise("LQ"))
    return {
        "visit_assigned": assigned,
        "visit_removable_finding": removable,
        "visit_scheduled": scheduled,
        "visit_recorded": recorded,
        "visit_rectifying": rectifying,
        "visit_closed": closed,
        "visit_served": served,
        "visit_record_doc": closed.documents.get(kind="record"),
        "visit_photo_finding": photo_finding,
        "visit_longquan": in_longquan,
        "visit_checklist": {key: "pass" for key, _text, _item in visits.checklist_for(assigned)},
    }


def _record_data(world):
    return {
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "result": "corrected_on_spot",
        **world["visit_checklist"],
    }


def _finding_data(world):
    from inspections.tests.visits_helpers import png_upload, violation

    return {
        "violation": violation().pk,
        "description": "灭火器压力不足",
        "location": "一层大厅",
        "corrected_on_spot": "on",
        "photo": png_upload(),
    }


def _soon(world):
    return {"planned_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}


def _api_record(world):
    return {
        "result": "corrected_on_spot",
        "visited_at": timezone.now().isoformat(),
        "checklist": world["visit_checklist"],
    }


ROWS = [
    # --- Pages ----------------------------------------------------------------------------------
    Row("inspections:visit_list", "GET", LIST, shows={"@visit_assigned.reference": READ}),
    Row("inspections:visit_detail", "GET", READ, pk="@visit_assigned"),
    Row("inspections:visit_detail", "GET", READ, pk="@visit_closed"),
    Row("inspections:visit_detail", "GET", LONGQUAN, pk="@visit_longquan"),
    Row("inspections:visit_schedule", "POST", SCHEDULE, pk="@visit_assigned", data=_soon),
    Row("inspections:visit_log", "GET", LOG, pk="@visit_assigned"),
    Row("inspections:visit_log", "POST", LOG, pk="@visit_assigned", data=_record_data),
    Row(
        "inspections:visit_finding_add",
        "POST",
        LOG,
        pk="@visit_assigned",
        data=_finding_data,
        format="multipart",
    ),
    Row(
        "inspections:visit_finding_remove",
        "POST",
        LOG,
        pk="@visit_assigned",
        finding_pk="@visit_removable_finding",
    ),
    Row("inspections:visit_confirm", "POST", LOG, pk="@visit_recorded"),
    Row(
        "inspections:visit_return",
        "POST",
        SCHEDULE,
        pk="@visit_recorded",
        data={"reason": "检查时间写错"},
    ),
    Row("inspections:visit_serve_notice", "POST", LOG, pk="@visit_rectifying"),
    Row("inspections:visit_recheck_request", "POST", SCHEDULE, pk="@visit_rectifying"),
    Row("inspections:visit_document", "GET", FILE, pk="@visit_record_doc"),
    Row("inspections:visit_finding_photo", "GET", FILE, pk="@visit_photo_finding"),
    # --- API --------------------------------------------------------------------------------------
    Row(
        "inspection-list",
        "GET",
        API_LIST,
        query="page_size=100",
        shows={"@visit_assigned": API_READ},
    ),
    Row("inspection-detail", "GET", API_READ, pk="@visit_assigned"),
    Row("inspection-detail", "GET", API_LONGQUAN, pk="@visit_longquan"),
    Row("inspection-schedule", "POST", API_SCHEDULE, pk="@visit_assigned", data=_soon),
    Row(
        "inspection-findings",
        "POST",
        API_LOG,
        pk="@visit_assigned",
        data=lambda w: {**_finding_data(w), "violation": "XF60-1-1", "corrected_on_spot": "true"},
        format="multipart",
    ),
    Row("inspection-record", "POST", API_LOG, pk="@visit_assigned", data=_api_record),
    Row("inspection-confirm", "POST", API_LOG, pk="@visit_recorded"),
    Row("inspection-return", "POST", API_SCHEDULE, pk="@visit_recorded", data={"reason": "重填"}),
    Row("inspection-serve-notice", "POST", API_LOG, pk="@visit_rectifying"),
    Row("inspection-request-recheck", "POST", API_RECHECK, pk="@visit_rectifying"),
    Row("inspection-record-pdf", "GET", API_FILE, pk="@visit_closed"),
    Row("inspection-immediate-notice-pdf", "GET", API_FILE, pk="@visit_closed"),
    Row("inspection-deadline-notice-pdf", "GET", API_FILE, pk="@visit_served"),
]
