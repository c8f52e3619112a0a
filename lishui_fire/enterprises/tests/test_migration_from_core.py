"""The registry moved out of core without touching a row: its first migration is state only."""

from __future__ import annotations

import importlib

from django.db import migrations

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import CreditRatingChange, Enterprise, EnterpriseImport


def _operations(module: str) -> list:
    return importlib.import_module(module).Migration.operations


def test_the_models_keep_the_tables_core_created():
    assert Enterprise._meta.db_table == "core_enterprise"
    assert CreditRatingChange._meta.db_table == "core_creditratingchange"
    assert EnterpriseImport._meta.db_table == "core_enterpriseimport"


def test_both_sides_of_the_move_change_state_only():
    taken = _operations("lishui_fire.enterprises.migrations.0001_move_registry_from_core")
    dropped = _operations("lishui_fire.core.migrations.0005_registry_moved_to_enterprises")

    for operations in (taken, dropped):
        moves = [op for op in operations if isinstance(op, migrations.SeparateDatabaseAndState)]
        assert len(moves) == 1
        assert moves[0].database_operations == []
        assert all(
            isinstance(op, migrations.SeparateDatabaseAndState | migrations.RunPython)
            for op in operations
        )
    created = {
        op.name: op.options.get("db_table")
        for op in taken[0].state_operations
        if isinstance(op, migrations.CreateModel)
    }
    assert created == {
        "Enterprise": "core_enterprise",
        "CreditRatingChange": "core_creditratingchange",
        "EnterpriseImport": "core_enterpriseimport",
    }


def test_core_drops_its_state_only_after_the_registry_took_it():
    dependencies = importlib.import_module(
        "lishui_fire.core.migrations.0005_registry_moved_to_enterprises"
    ).Migration.dependencies

    assert ("enterprises", "0001_move_registry_from_core") in dependencies


def test_audit_history_follows_the_relabelled_content_types(db, org_units):
    from auditlog.models import LogEntry
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    move = importlib.import_module(
        "lishui_fire.enterprises.migrations.0001_move_registry_from_core"
    )
    unit = Enterprise.objects.create(
        uscc="91331102MA2A00001" + uscc_check_char("91331102MA2A00001"),
        name="搬迁前的单位",
        address="某地",
        brigade=org_units["LD"],
        venue_type="hotel",
    )
    before = LogEntry.objects.get_for_object(unit).count()
    # A database as the old code left it: the content types still say "core".
    ContentType.objects.filter(app_label="enterprises", model__in=move.MOVED_MODELS).update(
        app_label="core"
    )
    ContentType.objects.clear_cache()

    move.move_content_types(apps, None)
    ContentType.objects.clear_cache()

    assert not ContentType.objects.filter(app_label="core", model="enterprise").exists()
    assert LogEntry.objects.get_for_object(unit).count() == before >= 1
