"""The admin and personal numbers (PIPL): a change page that shows a full phone number writes
an ACCESS entry to the audit log; the outbox and the reminder ledger show addresses masked."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_an_enterprise_change_page_audits_the_full_contact_phone(
    client_for, administrator, make_enterprise
):
    enterprise = make_enterprise(contact_phone="13857812345")
    response = client_for(administrator).get(
        f"/admin/enterprises/enterprise/{enterprise.pk}/change/"
    )
    assert response.status_code == 200
    assert "13857812345" in response.content.decode()
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(enterprise.pk))
    assert entry.actor == administrator
    assert entry.additional_data == {"field": "contact_phone", "purpose": "admin"}


def test_the_changelist_audits_nothing_and_shows_no_phone(
    client_for, administrator, make_enterprise
):
    make_enterprise(contact_phone="13857812345")
    response = client_for(administrator).get("/admin/enterprises/enterprise/")
    assert response.status_code == 200
    assert "13857812345" not in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_outbox_and_the_reminder_ledger_mask_the_address(client_for, administrator, citizen):
    from lishui_fire.core.models import Notification, Reminder

    notification = Notification.objects.create(
        channel="sms",
        recipient=citizen,
        address="13857812345",
        subject="s",
        body="b",
        dedupe_key="pii-test",
    )
    Reminder.objects.create(
        key="pii-test",
        recipient=citizen,
        channel="sms",
        address="13857812345",
        due_at=timezone.now() + dt.timedelta(days=1),
        body="提醒",
    )
    client = client_for(administrator)
    reminder = Reminder.objects.get(key="pii-test")
    for url in (
        f"/admin/core/notification/{notification.pk}/change/",
        "/admin/core/reminder/",
        f"/admin/core/reminder/{reminder.pk}/change/",
    ):
        body = client.get(url).content.decode()
        assert "13857812345" not in body, url
        assert "138****2345" in body, url
