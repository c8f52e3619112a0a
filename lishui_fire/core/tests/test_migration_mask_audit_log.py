"""Migration core 0008: entries written before the audit log masked personal numbers get them
masked; other fields and entries of models without such numbers are left alone; twice is once."""

from __future__ import annotations

import importlib

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "lishui_fire.core.migrations.0008_mask_personal_numbers_in_audit_log"
)


def _raw_entry(obj, changes):
    # As auditlog wrote them before core.audit.register: the full value in the diff.
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=LogEntry.Action.UPDATE,
        changes=changes,
    )


def test_old_entries_get_their_numbers_masked(make_enterprise, org_units):
    enterprise = make_enterprise(contact_phone="13857812345")
    unit = org_units["LD"]
    phone = _raw_entry(
        enterprise,
        {"contact_phone": ["None", "13857812345"], "name": ["旧名", "新名"]},
    )
    other = _raw_entry(unit, {"name_zh": ["13857812345", "x"]})  # no personal-number field
    migration.mask_audit_log(apps, None)
    migration.mask_audit_log(apps, None)
    phone.refresh_from_db()
    other.refresh_from_db()
    assert phone.changes == {"contact_phone": ["None", "138****2345"], "name": ["旧名", "新名"]}
    assert other.changes == {"name_zh": ["13857812345", "x"]}
