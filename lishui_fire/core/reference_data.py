"""Reference data seeded by data migrations (organisation units, holiday calendar, time limits).

Transactional tests flush every table when they finish, which removes rows that migrations put
there; ``ensure_reference_data`` puts them back by running the same seed functions again. They
are idempotent (update_or_create), so calling this on a complete database changes nothing.
"""

from __future__ import annotations

import importlib

from django.apps import apps

# (migration module, seed function) in dependency order.
SEEDS = [
    ("lishui_fire.accounts.migrations.0002_seed_org_units", "seed"),
    ("lishui_fire.core.migrations.0002_seed_calendar", "seed"),
    ("permits.migrations.0002_seed_deadline_rules", "seed"),
    ("lishui_fire.enterprises.migrations.0002_credit_grades_as_data", "seed"),
]


def reference_data_present() -> bool:
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    return OrgUnit.objects.exists() and DeadlineRule.objects.exists()


def ensure_reference_data() -> None:
    if reference_data_present():
        return
    for module_name, function_name in SEEDS:
        module = importlib.import_module(module_name)
        seed = getattr(module, function_name, None)
        if seed is not None:
            seed(apps, None)
