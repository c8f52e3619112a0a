"""Hostile input against the API and the permits pages (API.md "Errors", DESIGN.md "Bad input").

Whatever arrives — wrong types, NUL bytes, numbers past 64 bits, dates that do not exist, broken
bodies, renamed executables — the answer is a 4xx in the contract's format with a message in the
caller's language, and the database is exactly as before. Never a 500.

Run it on both engines: NUL bytes and integer overflow only bite on PostgreSQL.
    python -m pytest -q -p no:randomly permits/tests/test_api_hostile_input.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lishui_hostile \\
        python -m pytest --create-db -q -p no:randomly permits/tests/test_api_hostile_input.py
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from lishui_fire.accounts.models import ApiToken as Token
from lishui_fire.core.models import StatusChange
from permits.models import (
    Finding,
    HomeServiceRequest,
    Material,
    PermitApplication,
    PermitDocument,
    PrecheckBooking,
    PrecheckSlot,
    SiteVisit,
)
from permits.tests.factories import (
    application_fields,
    make_application,
    make_booking,
    make_slot,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db

NUL = "丽水\x00大酒店"
HUGE = "火" * 100_000
BIG = 2**63  # one past PostgreSQL's bigint
CJK = re.compile(r"[\u4e00-\u9fff]")
TABLES = (
    PermitApplication,
    Material,
    SiteVisit,
    PermitDocument,
    PrecheckSlot,
    PrecheckBooking,
    Finding,
    HomeServiceRequest,
    StatusChange,
    Token,
)


@pytest.fixture(autouse=True)
def _media_and_throttles(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # throttle counters live in the cache: hundreds of requests here, none is a flood


def _row(obj: models.Model) -> dict[str, Any]:
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@contextmanager
def nothing_changes(*objs: models.Model) -> Iterator[None]:
    """No row added or removed in any permits table, and each given row exactly as it was."""
    counts = {t.__name__: t.objects.count() for t in TABLES}
    rows = [_row(o) for o in objs]
    yield
    assert {t.__name__: t.objects.count() for t in TABLES} == counts
    assert [_row(o) for o in objs] == rows


def permit_data(**overrides: Any) -> dict[str, Any]:
    data = {**application_fields(), "county": "LD"}
    data["floor_area_m2"] = str(data["floor_area_m2"])
    data["opening_date"] = data["opening_date"].isoformat()
    data.update(overrides)
    return data


def booking_data(slot: PrecheckSlot, /, **overrides: Any) -> dict[str, Any]:
    return {
        "slot": slot.pk,
        "venue_name": "丽水市莲都区星光KTV",
        "venue_address": "丽水市莲都区丽阳街 12 号",
        "contact_phone": "13957800001",
        **overrides,
    }


def slot_data(inspector: Any, /, **overrides: Any) -> dict[str, Any]:
    starts = (timezone.now() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    return {
        "brigade": "LD",
        "inspector": inspector.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "capacity": 1,
        **overrides,
    }


def iso_in(**delta: float) -> str:
    return (timezone.now() + dt.timedelta(**delta)).isoformat()


# --- Permit fields: POST (create) and PATCH (edit a draft) ----------------------------------------
FIELD_CASES = [
    ("venue_name", NUL),
    ("venue_address", "解放街\x0088 号"),
    ("floors", "\x00"),
    ("unit_name", "好运来\x00"),
    ("contact_name", "\x00"),
    ("venue_name", HUGE),
    ("venue_address", ["解放街", "88 号"]),
    ("venue_name", {"zh": "大酒店"}),
    ("venue_name", None),
    ("capacity", "三百"),
    ("capacity", BIG),
    ("capacity", 2**31),
    ("capacity", -1),
    ("capacity", 0),
    ("capacity", 0.5),
    ("capacity", True),
    ("capacity", [300]),
    ("floor_area_m2", "1e309"),
    ("floor_area_m2", "NaN"),
    ("floor_area_m2", "-1"),
    ("floor_area_m2", BIG),
    ("floor_area_m2", {"m2": 1}),
    ("opening_date", "2026-02-30"),
    ("opening_date", "0000-01-01"),
    ("opening_date", "0001-01-01"),
    ("opening_date", "99999-01-01"),
    ("opening_date", "9999-12-31"),
    ("opening_date", 20260101),
    ("county", "\x00"),
    ("county", "XX"),
    ("county", ["LD"]),
    ("county", None),
    ("venue_type", "\x00"),
    ("venue_type", "casino"),
    ("path", "both"),
    ("unit_uscc", "\x00"),
    ("unit_uscc", HUGE),
    ("contact_phone", "1" * 11),
    ("contact_phone", "138\x0012345"),
]
FIELD_IDS = [f"{f}={str(v)[:16]!r}" for f, v in FIELD_CASES]


@pytest.mark.parametrize(("field", "value"), FIELD_CASES, ids=FIELD_IDS)
def test_create_permit_refuses_hostile_field(api_for, citizen, field, value):
    with nothing_changes():
        response = api_for(citizen).post(
            "/api/v1/permits/", permit_data(**{field: value}), format="json"
        )
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(("field", "value"), FIELD_CASES, ids=FIELD_IDS)
def test_patch_draft_refuses_hostile_field(api_for, citizen, field, value):
    draft = make_application(citizen)
    with nothing_changes(draft):
        response = api_for(citizen).patch(
            f"/api/v1/permits/{draft.pk}/", {field: value}, format="json"
        )
    assert response.status_code == 400, response.content
    assert field in response.json()


# --- Bodies that are not what they claim ------------------------------------------------------------
RAW_BODIES = [
    ("application/json", b'{"venue_name": '),
    ("application/json", b'{"venue_name": "a",}'),
    ("application/json", b"[" * 100_000 + b"]" * 100_000),
    ("application/json", b'{"capacity": NaN}'),
    ("application/json", b'{"capacity": Infinity}'),
    ("application/json", b'{"venue_name": "\xff\xfe"}'),
    ("application/json", b"[1, 2]"),
    ("application/json", b'"just a string"'),
    ("application/json", b'{"capacity": 1e999, "floor_area_m2": 1e999}'),
    ("application/json", b'{"venue_name": "\\ud800"}'),
    ("application/x-www-form-urlencoded", "&".join(f"f{i}=1" for i in range(1001)).encode()),
]


@pytest.mark.parametrize(
    "url", ["/api/v1/permits/", "/api/v1/precheck-bookings/", "/api/v1/auth/token/"]
)
@pytest.mark.parametrize(("content_type", "body"), RAW_BODIES, ids=lambda v: str(v)[:24])
def test_broken_bodies_are_400_in_json(api_for, citizen, url, content_type, body):
    with nothing_changes():
        response = api_for(citizen).post(url, data=body, content_type=content_type)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/xml", b"<permit/>"), ("text/plain", b"venue_name=x")],
)
def test_unsupported_content_type_is_415(api_for, citizen, content_type, body):
    with nothing_changes():
        response = api_for(citizen).post("/api/v1/permits/", data=body, content_type=content_type)
    assert response.status_code == 415
    assert "detail" in response.json()


# --- Ids in the URL ------------------------------------------------------------------------------------
BAD_IDS = ["abc", "0", "-1", "1e3", "%00", str(BIG), "9" * 30]
ID_URLS = [
    ("citizen", "get", "/api/v1/permits/{}/"),
    ("citizen", "patch", "/api/v1/permits/{}/"),
    ("citizen", "post", "/api/v1/permits/{}/submit/"),
    ("citizen", "get", "/api/v1/permits/{}/decision.pdf"),
    ("inspector", "post", "/api/v1/permits/{}/accept/"),
    ("citizen", "get", "/api/v1/precheck-slots/{}/"),
    ("citizen", "get", "/api/v1/precheck-bookings/{}/"),
    ("citizen", "post", "/api/v1/precheck-bookings/{}/cancel/"),
    ("citizen", "get", "/api/v1/precheck-bookings/{}/notice.pdf"),
    ("inspector", "get", "/api/v1/enterprises/{}/"),
]


@pytest.mark.parametrize("pk", BAD_IDS)
@pytest.mark.parametrize(("who", "method", "url"), ID_URLS, ids=lambda v: str(v))
def test_ids_that_cannot_exist_are_404(api_for, citizen, inspector, who, method, url, pk):
    make_application(citizen, status="submitted", path="inspection")
    user = {"citizen": citizen, "inspector": inspector}[who]
    with nothing_changes():
        response = getattr(api_for(user), method)(url.format(pk), {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


# --- Query parameters ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        # Paging typos give the first page (an integration must not break on them) …
        ("citizen", "/api/v1/permits/?page=abc", 200),
        ("citizen", "/api/v1/permits/?page=0", 200),
        ("citizen", "/api/v1/permits/?page=-1", 200),
        ("citizen", "/api/v1/permits/?page=%00", 200),
        ("citizen", "/api/v1/permits/?page_size=-1", 200),
        ("citizen", "/api/v1/permits/?page_size=abc", 200),
        ("citizen", f"/api/v1/permits/?page_size={BIG}", 200),
        # … a page past the end does not exist.
        ("citizen", f"/api/v1/permits/?page={BIG}", 404),
        ("citizen", "/api/v1/permits/?status=approvedd", 400),
        ("citizen", "/api/v1/permits/?status=%00", 400),
        ("citizen", "/api/v1/permits/?path=%00", 400),
        ("citizen", "/api/v1/permits/?county=%00", 400),
        ("citizen", "/api/v1/permits/?county=XX", 200),
        ("citizen", "/api/v1/precheck-slots/?brigade=XX", 200),
        ("citizen", "/api/v1/precheck-slots/?brigade=%00", 400),
        ("citizen", "/api/v1/precheck-slots/?date_from=garbage", 400),
        ("citizen", "/api/v1/precheck-slots/?date_from=2026-02-30", 400),
        ("citizen", "/api/v1/precheck-slots/?date_from=0000-01-01", 400),
        ("citizen", "/api/v1/precheck-slots/?date_to=99999-01-01", 400),
        ("citizen", "/api/v1/precheck-slots/?date_to=%00", 400),
        ("citizen", "/api/v1/precheck-slots/?date_from=0001-01-01&date_to=9999-12-31", 200),
        ("citizen", "/api/v1/precheck-bookings/?page=abc", 200),
        ("citizen", "/api/v1/permits/?green_channel=maybe", 400),
        ("citizen", "/api/v1/permits/?green_channel=true", 200),
        ("citizen", "/api/v1/permits/?green_channel=%00", 400),
        ("citizen", "/api/v1/precheck-slots/?available=maybe", 400),
        ("citizen", "/api/v1/precheck-slots/?available=false", 200),
        ("inspector", "/api/v1/enterprises/?county=%00", 400),
        ("inspector", "/api/v1/enterprises/?search=%00", 400),
        ("inspector", "/api/v1/enterprises/?credit_rating=Z", 400),
        ("inspector", "/api/v1/enterprises/?risk_level=%00", 400),
        ("inspector", "/api/v1/enterprises/?search=" + "x" * 5000, 200),
    ],
    ids=lambda v: str(v)[:60],
)
def test_list_query_parameters(api_for, citizen, inspector, who, query, status):
    make_application(citizen, status="submitted")
    make_slot(inspector)
    user = {"citizen": citizen, "inspector": inspector}[who]
    response = api_for(user).get(query)
    assert response.status_code == status
    if status == 400:
        assert set(response.json()) <= {
            "green_channel",
            "available",
            "status",
            "path",
            "county",
            "brigade",
            "date_from",
            "date_to",
            "search",
            "credit_rating",
            "risk_level",
        }


# --- Pre-check slots (staff POST) ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": -1}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 21}, "capacity"),
        ({"capacity": BIG}, "capacity"),
        ({"capacity": "一"}, "capacity"),
        ({"capacity": "1e309"}, "capacity"),
        ({"inspector": BIG}, "inspector"),
        ({"inspector": "abc"}, "inspector"),
        ({"inspector": [1]}, "inspector"),
        ({"inspector": None}, "inspector"),
        ({"brigade": "\x00"}, "brigade"),
        ({"brigade": "XX"}, "brigade"),
        ({"brigade": ["LD"]}, "brigade"),
        ({"starts_at": "2026-02-30T10:00"}, "starts_at"),
        ({"starts_at": "99999-01-01T10:00"}, "starts_at"),
        ({"starts_at": "\x00"}, "starts_at"),
        ({"starts_at": None}, "starts_at"),
        # Year 1, naive: DRF's own ambiguity check overflowed (500) before the fix.
        ({"starts_at": "0001-01-01T00:00:00", "ends_at": "0001-01-01T02:00:00"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00:00Z", "ends_at": "0001-01-01T02:00:00Z"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59:59-12:00"}, "ends_at"),
        # In range for Python, absurd for a duty roster: as on the page, one year ahead at most.
        (
            {"starts_at": "9999-12-31T20:00:00+08:00", "ends_at": "9999-12-31T22:00:00+08:00"},
            "starts_at",
        ),
        pytest.param(
            {"starts_at": iso_in(days=400), "ends_at": iso_in(days=400, hours=2)},
            "starts_at",
            id="400-days-ahead",
        ),
        pytest.param(
            {"starts_at": iso_in(days=-1), "ends_at": iso_in(hours=-20)}, "starts_at", id="past"
        ),
        pytest.param({"ends_at": iso_in(days=2)}, "ends_at", id="ends-before-start"),
        pytest.param({"ends_at": iso_in(days=3, hours=9)}, "ends_at", id="longer-than-8-hours"),
    ],
    ids=lambda v: str(v)[:50],
)
def test_publish_slot_refuses_hostile_input(api_for, inspector, overrides, field):
    with nothing_changes():
        response = api_for(inspector).post(
            "/api/v1/precheck-slots/", slot_data(inspector, **overrides), format="json"
        )
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_publish_slot_refuses_a_float_inspector_id(api_for, inspector):
    """The ORM truncates 1.9 to 1: a float id must not silently pick another row."""
    with nothing_changes():
        response = api_for(inspector).post(
            "/api/v1/precheck-slots/",
            slot_data(inspector, inspector=inspector.pk + 0.9),
            format="json",
        )
    assert response.status_code == 400
    assert "inspector" in response.json()


def test_publish_slot_for_another_brigade_is_403_and_duplicate_is_409(
    api_for, inspector, other_inspector
):
    api = api_for(inspector)
    with nothing_changes():
        response = api.post(
            "/api/v1/precheck-slots/", slot_data(other_inspector, brigade="LQ"), format="json"
        )
    assert response.status_code == 403
    data = slot_data(inspector)
    assert api.post("/api/v1/precheck-slots/", data, format="json").status_code == 201
    with nothing_changes():
        again = api.post("/api/v1/precheck-slots/", data, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "该监督员在这个时间已有时段。"}


def test_applicant_cannot_publish_slots(api_for, citizen, inspector):
    with nothing_changes():
        response = api_for(citizen).post(
            "/api/v1/precheck-slots/", slot_data(inspector), format="json"
        )
    assert response.status_code == 403


# --- Pre-check bookings ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slot": BIG}, "slot"),
        ({"slot": -1}, "slot"),
        ({"slot": "abc"}, "slot"),
        ({"slot": None}, "slot"),
        ({"slot": True}, "slot"),
        ({"slot": [1]}, "slot"),
        ({"slot": {"id": 1}}, "slot"),
        ({"venue_name": NUL}, "venue_name"),
        ({"venue_name": HUGE}, "venue_name"),
        ({"venue_address": ["a"]}, "venue_address"),
        ({"contact_phone": "\x00"}, "contact_phone"),
        ({"contact_phone": "110"}, "contact_phone"),
        ({"venue_type": "\x00"}, "venue_type"),
        ({"venue_type": "casino"}, "venue_type"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_booking_refuses_hostile_input(api_for, citizen, inspector, overrides, field):
    slot = make_slot(inspector, capacity=2)
    with nothing_changes(slot):
        response = api_for(citizen).post(
            "/api/v1/precheck-bookings/", booking_data(slot, **overrides), format="json"
        )
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_booking_a_float_slot_id_does_not_book_another_slot(api_for, citizen, inspector):
    slot = make_slot(inspector, capacity=2)
    with nothing_changes(slot):
        response = api_for(citizen).post(
            "/api/v1/precheck-bookings/", booking_data(slot, slot=slot.pk + 0.9), format="json"
        )
    assert response.status_code == 400
    assert "slot" in response.json()


def test_booking_a_started_slot_is_400_and_a_full_one_409(api_for, citizen, inspector):
    api = api_for(citizen)
    started = make_slot(inspector, starts_in=-dt.timedelta(minutes=5))
    full = make_slot(inspector, starts_in=dt.timedelta(days=4), capacity=1, booked=1)
    with nothing_changes(started, full):
        response = api.post("/api/v1/precheck-bookings/", booking_data(started), format="json")
        assert response.status_code == 400
        assert "slot" in response.json()
        response = api.post("/api/v1/precheck-bookings/", booking_data(full), format="json")
        assert response.status_code == 409
        assert set(response.json()) == {"detail"}


def test_double_booking_and_double_cancelling_are_409(api_for, citizen, inspector):
    api = api_for(citizen)
    slot = make_slot(inspector, capacity=3)
    created = api.post("/api/v1/precheck-bookings/", booking_data(slot), format="json")
    assert created.status_code == 201
    booking = PrecheckBooking.objects.get(pk=created.json()["id"])
    with nothing_changes(slot, booking):
        again = api.post("/api/v1/precheck-bookings/", booking_data(slot), format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "您已预约了这个时段。"}

    assert api.post(f"/api/v1/precheck-bookings/{booking.pk}/cancel/").status_code == 200
    slot.refresh_from_db()
    assert slot.booked == 0
    with nothing_changes(slot, booking):
        twice = api.post(f"/api/v1/precheck-bookings/{booking.pk}/cancel/")
    assert twice.status_code == 409
    assert set(twice.json()) == {"detail"}


def test_cancelling_another_applicants_booking_is_404(api_for, citizen, other_citizen, inspector):
    booking = make_booking(citizen, make_slot(inspector, capacity=2))
    with nothing_changes(booking, booking.slot):
        response = api_for(other_citizen).post(f"/api/v1/precheck-bookings/{booking.pk}/cancel/")
    assert response.status_code == 404


# --- Actions in the wrong state, and hostile action bodies ------------------------------------------
@pytest.mark.parametrize(
    ("who", "status", "path", "action", "body"),
    [
        ("citizen", "submitted", "commitment", "submit", None),
        ("citizen", "submitted", "commitment", "sign-commitment", {"signatory": "张三"}),
        ("citizen", "draft", "inspection", "sign-commitment", {"signatory": "张三"}),
        ("inspector", "submitted", "commitment", "accept", None),
        ("inspector", "accepted", "inspection", "accept", None),
        ("inspector", "submitted", "inspection", "propose", {"outcome": "approve"}),
        ("inspector", "submitted", "inspection", "propose", {"outcome": "reject", "reason": "否"}),
        ("inspector", "submitted", "inspection", "inspect", {"passed": True}),
        ("inspector", "approved", "commitment", "return", {"missing_items": ["营业执照"]}),
    ],
    ids=lambda v: str(v),
)
def test_actions_in_the_wrong_state_are_409(
    api_for, citizen, inspector, who, status, path, action, body
):
    application = make_application(citizen, status=status, path=path)
    user = {"citizen": citizen, "inspector": inspector}[who]
    with nothing_changes(application):
        response = api_for(user).post(
            f"/api/v1/permits/{application.pk}/{action}/", body, format="json"
        )
    assert response.status_code == 409, response.content
    assert set(response.json()) == {"detail"}


def test_editing_and_uploading_after_submission_are_409(api_for, citizen):
    application = make_application(citizen, status="submitted")
    api = api_for(citizen)
    with nothing_changes(application):
        patch = api.patch(f"/api/v1/permits/{application.pk}/", {"capacity": 5}, format="json")
        upload = api.post(
            f"/api/v1/permits/{application.pk}/materials/",
            {"kind": "other", "file": SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")},
            format="multipart",
        )
    assert (patch.status_code, upload.status_code) == (409, 409)


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("return", {"missing_items": ["营业\x00执照"]}, "missing_items"),
        ("return", {"missing_items": "营业执照"}, "missing_items"),
        ("return", {"missing_items": [HUGE]}, "missing_items"),
        ("return", {"missing_items": [{"a": 1}]}, "missing_items"),
        ("return", {"missing_items": ["  "]}, "missing_items"),
        ("return", {"missing_items": ["a"] * 51}, "missing_items"),
        ("return", {"missing_items": []}, "missing_items"),
        ("inspect", {"passed": "maybe"}, "passed"),
        ("inspect", {"passed": False, "findings": "\x00"}, "findings"),
        ("reject", {"reason": "\x00"}, "reason"),
        ("send-back", {"note": "   "}, "note"),
        ("propose", {"outcome": "grant"}, "outcome"),
        ("propose", {"outcome": "reject", "reason": "\x00"}, "reason"),
        ("propose", {"outcome": "reject", "reason": HUGE}, "reason"),
        ("reject", {"reason": HUGE}, "reason"),
        ("approve", {"reason": ["a"]}, "reason"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_staff_action_bodies_are_validated(api_for, citizen, inspector, action, body, field):
    application = make_application(citizen, status="submitted", path="inspection")
    with nothing_changes(application):
        response = api_for(inspector).post(
            f"/api/v1/permits/{application.pk}/{action}/", body, format="json"
        )
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("signatory", ["\x00", "张\x00三", HUGE, ["张三"], None, "   "])
def test_signatory_is_validated(api_for, citizen, signatory):
    application = make_application(citizen, signed=False)
    with nothing_changes(application):
        response = api_for(citizen).post(
            f"/api/v1/permits/{application.pk}/sign-commitment/",
            {"signatory": signatory},
            format="json",
        )
    assert response.status_code == 400
    assert "signatory" in response.json()


# --- Material uploads ----------------------------------------------------------------------------------
def _upload(name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "other"}, "file"),
        ({"kind": "other", "file": ""}, "file"),
        ({"kind": "other", "file": "不是文件"}, "file"),
        ({"kind": "other", "file": _upload("空.pdf", b"")}, "file"),
        ({"kind": "other", "file": _upload("setup.pdf", b"MZ\x90\x00" + b"\x00" * 512)}, "file"),
        ({"kind": "other", "file": _upload("a.pdf", b"#!/bin/sh\nrm -rf /\n")}, "file"),
        ({"kind": "other", "file": _upload("a.png", png_bytes()[:40], "image/png")}, "file"),
        ({"kind": "other", "file": _upload("big.pdf", pdf_bytes() + b"0" * 8192)}, "file"),
        ({"kind": "\x00", "file": _upload("a.pdf", pdf_bytes())}, "kind"),
        ({"kind": "passport", "file": _upload("a.pdf", pdf_bytes())}, "kind"),
        ({"file": _upload("a.pdf", pdf_bytes())}, "kind"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_material_upload_refuses_bad_files(settings, api_for, citizen, data, field):
    settings.MAX_UPLOAD_BYTES = 4096  # "a huge file" without allocating one
    application = make_application(citizen, with_materials=False)
    for value in data.values():
        if hasattr(value, "seek"):
            value.seek(0)
    with nothing_changes(application):
        response = api_for(citizen).post(
            f"/api/v1/permits/{application.pk}/materials/", data, format="multipart"
        )
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_material_upload_as_json_is_415(api_for, citizen):
    application = make_application(citizen, with_materials=False)
    with nothing_changes(application):
        response = api_for(citizen).post(
            f"/api/v1/permits/{application.pk}/materials/",
            {"kind": "other", "file": "JVBERi0xLjQK"},
            format="json",
        )
    assert response.status_code == 415


# --- The token endpoint ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {"username": "citizen-a\x00", "password": "x"},
        {"username": "citizen-a", "password": "pass\x00word"},
        {"username": ["citizen-a"], "password": "x"},
        {"username": HUGE, "password": HUGE},
        {"username": None, "password": None},
        {},
    ],
    ids=lambda v: str(v)[:30],
)
def test_token_endpoint_refuses_hostile_credentials(api_for, citizen, body):
    with nothing_changes(citizen):
        response = api_for(None).post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"username", "password", "non_field_errors"}


@pytest.mark.parametrize(
    "header",
    ["Token abc\x00def", "Token \x00", "Token " + "x" * 10_000, "Token \xe9t\xe9", "Token a b"],
    ids=["nul", "only-nul", "huge", "latin1", "two-words"],
)
def test_hostile_token_header_is_401(citizen, header):
    """A forged Authorization header is "not logged in" (401), never a database error."""
    from rest_framework.test import APIClient

    Token.objects.create(user=citizen)
    response = APIClient().get("/api/v1/permits/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_every_api_view_shares_the_translated_json_parser(citizen):
    """Views without their own parser list (the registry, the schema-less ones) get it too."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(citizen)
    body = b"[" * 100_000 + b"]" * 100_000
    for url in ("/api/v1/enterprises/", "/api/v1/auth/token/"):
        response = client.post(
            url, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        # The registry refuses an applicant (403) before it reads the body; the token endpoint
        # reads it and answers in the contract's words.
        assert response.status_code in (400, 403), url
        if response.status_code == 400:
            assert CJK.search(str(response.json()))


# --- Language of the messages ----------------------------------------------------------------------------
def test_messages_follow_accept_language(api_for, citizen, inspector):
    api = api_for(citizen)
    slot = make_slot(inspector, capacity=2)

    def post(data, language):
        return api.post(
            "/api/v1/precheck-bookings/", data, format="json", HTTP_ACCEPT_LANGUAGE=language
        )

    bad_phone = booking_data(slot, contact_phone="110")
    zh, en = post(bad_phone, "zh-hans"), post(bad_phone, "en")
    assert (zh.status_code, en.status_code) == (400, 400)
    assert zh.json()["contact_phone"] == ["手机号码无效：应为 11 位，以 1 开头。"]
    assert not CJK.search(en.json()["contact_phone"][0])

    bad_count = permit_data(capacity=-1)
    zh = api.post("/api/v1/permits/", bad_count, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = api.post("/api/v1/permits/", bad_count, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert CJK.search(zh.json()["capacity"][0])
    assert en.json()["capacity"] == ["Ensure this value is greater than or equal to 1."]

    assert post(booking_data(slot), "zh-hans").status_code == 201
    zh, en = post(booking_data(slot), "zh-hans"), post(booking_data(slot), "en")
    assert (zh.status_code, en.status_code) == (409, 409)
    assert zh.json() == {"detail": "您已预约了这个时段。"}
    assert en.json()["detail"] != zh.json()["detail"]
    assert not CJK.search(en.json()["detail"])

    # No header: the portal's default language, Chinese.
    assert api.get("/api/v1/permits/999999/").json() == {"detail": "未找到。"}
    assert api.get("/api/v1/permits/999999/", HTTP_ACCEPT_LANGUAGE="en").json() == {
        "detail": "Not found."
    }


# --- The permits pages ---------------------------------------------------------------------------------
def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def _venue_form(org_units, **overrides):
    return {
        "venue_name": "丽水市莲都区好运来大酒店",
        "venue_address": "丽水市莲都区解放街 88 号",
        "county": org_units["LD"].pk,
        "venue_type": "hotel",
        "floor_area_m2": "1200.50",
        "capacity": "300",
        "floors": "1-3 层",
        "opening_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **overrides,
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"venue_name": NUL},
        {"venue_name": HUGE},
        {"capacity": str(BIG)},
        {"capacity": "-1"},
        {"floor_area_m2": "1e309"},
        {"floor_area_m2": "NaN"},
        {"opening_date": "2026-02-30"},
        {"opening_date": "0001-01-01"},
        {"opening_date": "99999-01-01"},
        {"county": str(BIG)},
        {"county": "\x00"},
        {"venue_type": "\x00"},
    ],
    ids=lambda v: str(v)[:30],
)
def test_apply_wizard_refuses_hostile_venue(client_for, citizen, org_units, overrides):
    draft = make_application(citizen)
    client = client_for(citizen)
    with nothing_changes(draft):
        new = client.post(reverse("permits:apply"), _venue_form(org_units, **overrides))
        edit = client.post(
            reverse("permits:apply_step", args=[draft.pk, "venue"]),
            _venue_form(org_units, **overrides),
        )
    assert (new.status_code, edit.status_code) == (400, 400)


@pytest.mark.parametrize(
    "overrides",
    [{"venue_name": NUL}, {"contact_phone": "\x00"}, {"venue_type": "\x00"}, {"venue_name": HUGE}],
    ids=lambda v: str(v)[:30],
)
def test_booking_page_refuses_hostile_input(client_for, citizen, inspector, overrides):
    slot = make_slot(inspector, capacity=2)
    data = {**booking_data(slot), "venue_type": "", **overrides}
    del data["slot"]
    with nothing_changes(slot):
        response = client_for(citizen).post(reverse("permits:precheck_book", args=[slot.pk]), data)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {"day": "9999-12-31"},
        {"day": "0001-01-01"},
        {"day": "2026-02-30"},
        {"capacity": str(BIG)},
        {"capacity": "1e309"},
        {"inspector": str(BIG)},
        {"inspector": "\x00"},
        {"start_time": "25:00"},
        {"end_time": "08:00"},
    ],
    ids=lambda v: str(v)[:30],
)
def test_publish_slot_page_refuses_hostile_input(client_for, inspector, overrides):
    data = {
        "inspector": inspector.pk,
        "day": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "capacity": "1",
        **overrides,
    }
    with nothing_changes():
        response = client_for(inspector).post(reverse("permits:precheck_publish"), data)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00", "9999-12-31T23:59", "\x00", "2026-02-30T10:00"]
)
def test_arrival_page_refuses_impossible_times(client_for, citizen, inspector, when):
    booking = make_booking(citizen, make_slot(inspector, starts_in=dt.timedelta(hours=1)))
    with nothing_changes(booking):
        response = client_for(inspector).post(
            reverse("permits:booking_arrival", args=[booking.pk]), {"arrived_at": when}
        )
    assert response.status_code == 400


@pytest.mark.parametrize("note", ["未\x00到场", "很长" * 300])
def test_no_show_with_an_invalid_note_records_nothing(client_for, citizen, inspector, note):
    """Before: the note was dropped silently and the no-show recorded without it."""
    booking = make_booking(citizen, make_slot(inspector, starts_in=-dt.timedelta(hours=1)))
    with nothing_changes(booking):
        response = client_for(inspector).post(
            reverse("permits:booking_no_show", args=[booking.pk]), {"note": note}
        )
    assert response.status_code == 400
    assert response.context["no_show_form"].errors


@pytest.mark.parametrize(
    "visited_at",
    [
        "0001-01-01T00:00",  # OverflowError writing it (500 before)
        "2015-06-01T10:00",  # no deadline rule in force then (500 before)
        "before-submission",
    ],
)
def test_inspection_time_cannot_precede_submission(client_for, citizen, inspector, visited_at):
    application = make_application(citizen, status="accepted", path="inspection")
    submitted = timezone.now() - dt.timedelta(days=1)
    PermitApplication.objects.filter(pk=application.pk).update(submitted_at=submitted)
    if visited_at == "before-submission":
        visited_at = _local(submitted - dt.timedelta(hours=3))
    data = {"inspect-status": "accepted", "inspect-passed": "yes", "inspect-visited_at": visited_at}
    with nothing_changes(application):
        response = client_for(inspector).post(
            reverse("permits:staff_action", args=[application.pk, "inspect"]), data
        )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "due",
    [
        "9999-12-30",  # the re-check clock overflowed (500 before)
        pytest.param(
            (timezone.localdate() + dt.timedelta(days=800)).isoformat(), id="800-days-ahead"
        ),
        "0001-01-01",
        "2026-02-30",
    ],
)
def test_rectification_deadline_must_be_plausible(client_for, citizen, inspector, due):
    application = make_application(citizen, status="approved")
    data = {
        "verify-status": "approved",
        "verify-matches": "no",
        "verify-findings": "疏散通道堵塞",
        "verify-rectification_due": due,
    }
    with nothing_changes(application):
        response = client_for(inspector).post(
            reverse("permits:staff_action", args=[application.pk, "verify"]), data
        )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    ["?page=abc", f"?page={BIG}", "?page=%00", "?page=-1", "?status=%00", "?path=%00"],
)
@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("citizen", "permits:mine"),
        ("citizen", "permits:my_bookings"),
        ("citizen", "permits:precheck_slots"),
        ("inspector", "permits:queue"),
        ("inspector", "permits:precheck_staff_slots"),
        ("inspector", "permits:staff_home_services"),
        ("inspector", "permits:today"),
    ],
)
def test_pages_survive_garbage_query_strings(client_for, citizen, inspector, who, name, query):
    make_application(citizen, status="submitted")
    user = {"citizen": citizen, "inspector": inspector}[who]
    assert client_for(user).get(reverse(name) + query).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["?week=0001-01-01", "?week=9999-12-31", "?week=2026-02-30", "?brigade=%00", "?brigade=XX"],
)
def test_slot_calendar_survives_extreme_weeks(client_for, citizen, query):
    assert client_for(citizen).get(reverse("permits:precheck_slots") + query).status_code == 200


@pytest.mark.parametrize(
    ("day", "says"),
    [
        ("0001-01-01", "2000 年至 2100 年"),
        ("9999-12-31", "2000 年至 2100 年"),
        ("2026-02-30", "YYYY-MM-DD"),
        ("%00", "YYYY-MM-DD"),
        ("garbage", "YYYY-MM-DD"),
    ],
)
def test_inspector_day_survives_extreme_dates(client_for, inspector, day, says):
    response = client_for(inspector).get(reverse("permits:today") + f"?date={day}")
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert says in response.content.decode()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/nothing-here/"),
        ("post", "/api/v1/permits/4/no-such-action/"),
        ("get", "/api/v2/"),
    ],
)
def test_unknown_api_addresses_answer_404_in_json(api_for, citizen, method, url):
    response = getattr(api_for(citizen), method)(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert CJK.search(response.json()["detail"])


def test_a_null_body_is_refused_in_the_callers_language(api_for, citizen):
    with nothing_changes():
        response = api_for(citizen).post(
            "/api/v1/permits/",
            b"null",
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["请求正文不能为空。"]}


def test_a_session_call_without_csrf_is_refused_in_the_callers_language(client_for, citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    with nothing_changes():
        response = client.post(
            "/api/v1/permits/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert CJK.search(response.json()["detail"])


def test_a_nul_byte_is_named_as_such_not_as_an_empty_string(api_for, citizen):
    response = api_for(citizen).post(
        "/api/v1/permits/",
        permit_data(venue_name=NUL),
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    # Django's own NUL message, beside the kernel's plain-text rule naming U+0000.
    assert any("空字符（NUL）" in m for m in response.json()["venue_name"])


# --- Long free text on the web forms: the API's limits, not a 171-page letter ------------------------
@pytest.mark.parametrize(
    ("path", "status", "action", "data"),
    [
        ("commitment", "submitted", "approve", {"approve-reason": HUGE}),
        ("inspection", "accepted", "inspect", {"inspect-passed": "no", "inspect-findings": HUGE}),
        (
            "inspection",
            "submitted",
            "return",
            {"return-missing_items": "营业执照", "return-note": HUGE},
        ),
    ],
    ids=["approve-reason", "inspection-findings", "return-note"],
)
def test_staff_pages_refuse_endless_text(
    client_for, citizen, inspector, path, status, action, data
):
    application = make_application(citizen, path=path, status=status)
    with nothing_changes(application):
        response = client_for(inspector).post(
            reverse("permits:staff_action", args=[application.pk, action]),
            {f"{action}-status": status, **data},
        )
    assert response.status_code == 400


def test_home_service_forms_refuse_endless_text(client_for, citizen, inspector, org_units):
    applicant_form = {
        "county": org_units["LD"].pk,
        "contact_name": "孙七",
        "contact_phone": "13857800004",
        "address": "丽水市莲都区中山街 9 号",
        "reason": "disability",
        "needs": HUGE,
    }
    with nothing_changes():
        mine = client_for(citizen).post(reverse("permits:home_service"), applicant_form)
        logged = client_for(inspector).post(
            reverse("permits:staff_home_services"),
            {k: v for k, v in applicant_form.items() if k != "county"},
        )
    assert (mine.status_code, logged.status_code) == (400, 400)
    assert "2000" in mine.content.decode()
