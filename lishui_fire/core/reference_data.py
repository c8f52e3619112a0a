"""Reference data seeded by data migrations (organisation units, holiday calendar, time limits).

Transactional tests flush every table when they finish, which removes rows that migrations put
there; ``ensure_reference_data`` puts them back by running the same seed functions again. Each
app names its seed functions in its AppConfig's ``reference_seeds`` (``core/plugins.py``); they
run in INSTALLED_APPS order, which is dependency order. They are idempotent (update_or_create),
so calling this on a complete database changes nothing.
"""

from __future__ import annotations

from django.apps import apps

from . import plugins


def reference_data_present() -> bool:
    OrgUnit = apps.get_model("accounts", "OrgUnit")
    DeadlineRule = apps.get_model("core", "DeadlineRule")
    return OrgUnit.objects.exists() and DeadlineRule.objects.exists()


def ensure_reference_data() -> None:
    if reference_data_present():
        return
    for seed in plugins.reference_seeds():
        seed(apps, None)
