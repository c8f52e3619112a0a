"""Migration 0007: existing letters keep their numbers and files and get a code each; each issued
one-time notice becomes a PrecheckNotice with its number, version, file and the file's SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from lishui_fire.core.documents import VERIFICATION_ALPHABET

BEFORE = [("permits", "0006_text_limits")]
AFTER = [("permits", "0007_issued_documents")]


@pytest.fixture
def migrated_back(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_letters_and_notices_become_issued_documents(migrated_back):
    old = migrated_back
    OrgUnit = old.get_model("accounts", "OrgUnit")
    User = old.get_model("accounts", "User")
    brigade = OrgUnit.objects.get(code="LD")
    applicant = User.objects.create(username="old-applicant", real_name="李四", role="applicant")
    inspector = User.objects.create(
        username="old-inspector", real_name="王五", role="inspector", org_unit=brigade
    )
    application = old.get_model("permits", "PermitApplication").objects.create(
        reference="XKOLD00001",
        applicant=applicant,
        brigade=brigade,
        status="approved",
        venue_name="老店",
        venue_address="丽水市莲都区解放街 1 号",
        venue_type="hotel",
        floor_area_m2=Decimal("100"),
        capacity=50,
        floors="1 层",
        unit_name="丽水市老字号餐饮有限公司",
        unit_uscc="91331102MA2000000X",
        legal_representative="李四",
        contact_name="李四",
        contact_phone="13857812345",
    )
    letter_name = default_storage.save(
        "permits/documents/2026/01/decision-1.pdf", ContentFile(b"%PDF-letter")
    )
    letter = old.get_model("permits", "PermitDocument").objects.create(
        application=application,
        kind="decision",
        number="丽莲消检字〔2026〕第0001号",
        file=letter_name,
        sha256=hashlib.sha256(b"%PDF-letter").hexdigest(),
        issued_by=inspector,
    )
    slot = old.get_model("permits", "PrecheckSlot").objects.create(
        brigade=brigade,
        inspector=inspector,
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=2) + dt.timedelta(hours=1),
        booked=1,
        created_by=inspector,
    )
    notice_name = default_storage.save(
        "permits/notices/2026/01/notice-1-v2.pdf", ContentFile(b"%PDF-notice")
    )
    issued = timezone.now() - dt.timedelta(days=2)
    Booking = old.get_model("permits", "PrecheckBooking")
    booking = Booking.objects.create(
        slot=slot,
        applicant=applicant,
        brigade=brigade,
        venue_name="老店",
        venue_address="丽水市莲都区解放街 1 号",
        contact_phone="13857812345",
        status="notice_issued",
        notice_number="丽莲消告字〔2026〕第0001号",
        notice_issued_at=issued,
        notice_file=notice_name,
        notice_version=2,
    )
    Booking.objects.create(
        slot=slot,
        applicant=inspector,
        brigade=brigade,
        venue_name="未出具",
        venue_address="丽水市莲都区解放街 2 号",
        contact_phone="13857812346",
        status="booked",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps

    letter = new.get_model("permits", "PermitDocument").objects.get(pk=letter.pk)
    assert letter.number == "丽莲消检字〔2026〕第0001号"
    assert letter.file.name == letter_name
    assert letter.brigade_id == brigade.pk
    assert letter.party_name == "丽水市老字号餐饮有限公司"
    assert len(letter.verification_code) == 8
    assert set(letter.verification_code) <= set(VERIFICATION_ALPHABET)
    assert letter.rendered_at is not None

    notices = new.get_model("permits", "PrecheckNotice").objects.all()
    assert notices.count() == 1
    notice = notices.get()
    assert notice.booking_id == booking.pk
    assert (notice.number, notice.version, notice.file.name) == (
        "丽莲消告字〔2026〕第0001号",
        2,
        notice_name,
    )
    assert notice.sha256 == hashlib.sha256(b"%PDF-notice").hexdigest()
    assert notice.issued_at == issued
    assert notice.party_name == "李四"
    assert notice.verification_code != letter.verification_code
