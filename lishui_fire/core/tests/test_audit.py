"""The audit door: a full value seen is an ACCESS entry, an update() change is an UPDATE entry,
and bulk writers record theirs in one INSERT — never hand-written LogEntry rows in services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from auditlog.models import LogEntry

from lishui_fire.core import audit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_revealing_a_full_value_records_who_saw_which_field(citizen, inspector):
    citizen.phone = "13957800001"
    citizen.save(update_fields=["phone"])
    value = audit.reveal(citizen, "phone", actor=inspector, remote_addr="10.0.0.7")
    assert value == "13957800001"
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert (entry.actor, entry.remote_addr, entry.object_pk) == (
        inspector,
        "10.0.0.7",
        str(citizen.pk),
    )
    assert entry.additional_data == {"field": "phone", "purpose": "reveal"}


def test_an_anonymous_viewer_is_recorded_without_an_actor(citizen):
    from django.contrib.auth.models import AnonymousUser

    audit.record_view(citizen, actor=AnonymousUser(), field="phone", purpose="public page")
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor is None
    assert entry.additional_data["purpose"] == "public page"


def test_a_change_made_with_update_is_recorded_with_its_reason(citizen, administrator):
    audit.record_change(
        citizen, actor=administrator, changes={"is_active": (True, False)}, reason="离职"
    )
    entry = LogEntry.objects.get(action=LogEntry.Action.UPDATE, object_pk=str(citizen.pk))
    assert entry.changes_dict == {"is_active": ["True", "False"]}
    assert entry.additional_data == {"reason": "离职"}
    assert entry.actor == administrator


def test_bulk_entries_are_one_insert_with_one_correlation(
    citizen, other_citizen, administrator, django_assert_num_queries
):
    entries = [
        audit.Entry(citizen, audit.CREATE, {"phone": ["None", "1"]}, {"line": 2}),
        audit.Entry(other_citizen, audit.UPDATE, {"phone": ["1", "2"]}, {"line": 3}),
    ]
    audit.record_bulk(entries, actor=administrator)  # warms the content-type cache
    LogEntry.objects.all().delete()
    with django_assert_num_queries(1):
        assert audit.record_bulk(entries, actor=administrator) == 2
    rows = list(LogEntry.objects.order_by("object_pk"))
    assert [(r.object_pk, r.action, r.additional_data["line"]) for r in rows] == [
        (str(citizen.pk), audit.CREATE, 2),
        (str(other_citizen.pk), audit.UPDATE, 3),
    ]
    assert len({r.cid for r in rows}) == 1


def test_no_service_writes_audit_rows_by_hand():
    """LogEntry is written only here (core/audit.py); services call the door."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        # mutants/ is mutmut's copy of the project (make mutation); hidden folders are local tools'.
        local = rel.parts[0] in {"var", "node_modules", "mutants"} or rel.parts[0].startswith(".")
        if local or "tests" in rel.parts:
            continue
        if rel.as_posix() == "lishui_fire/core/audit.py" or "migrations" in rel.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"log_create", "bulk_create"}:
                base = node.value
                if (
                    isinstance(base, ast.Attribute)
                    and isinstance(base.value, ast.Name)
                    and base.value.id == "LogEntry"
                ):
                    offenders.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "LogEntry":
                offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def test_registered_models_mask_their_personal_numbers_in_the_diffs(make_enterprise):
    """Administrators read the audit log; the diffs carry 138****5678, never the full number."""
    enterprise = make_enterprise(contact_phone="13857812345")
    enterprise.contact_phone = "13957854321"
    enterprise.save(update_fields=["contact_phone"])
    for entry in LogEntry.objects.get_for_object(enterprise):
        shown = str(entry.changes) + str(entry.changes_display_dict)
        assert "13857812345" not in shown
        assert "13957854321" not in shown
    update = LogEntry.objects.get_for_object(enterprise).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["contact_phone"] == ["138****2345", "139****4321"]


def test_every_personal_number_of_an_audited_model_is_masked():
    """A model registered with ``auditlog.register`` instead of ``audit.register`` would keep
    full numbers in its diffs: every phone or ID field of a tracked model is in mask_fields."""
    from auditlog.registry import auditlog

    from lishui_fire.core.masking import personal_number_fields

    unmasked = [
        f"{model._meta.label}.{name}"
        for model, options in auditlog._registry.items()
        for name in personal_number_fields(model)
        if name not in options["mask_fields"]
    ]
    assert unmasked == []


def test_bulk_and_update_entries_mask_personal_numbers_too(citizen, administrator):
    """The CSV import writes its entries in bulk: the same mask as the signals' diffs."""
    audit.record_bulk(
        [audit.Entry(citizen, audit.UPDATE, {"phone": ["13857812345", "13957854321"]})],
        actor=administrator,
    )
    audit.record_change(citizen, actor=administrator, changes={"phone": ("None", "13857812345")})
    shown = [e.changes_dict["phone"] for e in LogEntry.objects.order_by("pk")]
    assert shown == [["138****2345", "139****4321"], ["None", "138****2345"]]
