"""``manage.py seed_demo``: a lived-in Lishui for trying the portal locally.

Creates (or brings up to date) the demo accounts listed in API.md, all with the password
``lishui-demo-2026``; every app then adds its part of the world (the registry app its 200
enterprises, permits its applications in every state …).

* Refused unless ``settings.SEED_DEMO_ALLOWED`` (False in production): demo accounts with a
  published password must never exist on a real portal.
* Idempotent: a second run updates the same rows and creates nothing new. Accounts are keyed by
  username.

Other apps add their own demo data (applications in every state, pre-check slots, plans …) with
a function ``seed(stdout)``, conventionally in ``<app>/demo.py``, named by their AppConfig's
``demo`` attribute (the plug-in convention of ``lishui_fire/core/plugins.py``). After the accounts
this command calls every app's ``seed(self.stdout)``, in INSTALLED_APPS order, all inside one
transaction. A ``seed`` must be idempotent too; it can find the demo accounts by username
(``DEMO_USERS`` below) and use ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lishui_fire.accounts.models import OrgUnit, Role, User
from lishui_fire.core import plugins

DEMO_PASSWORD = "lishui-demo-2026"  # noqa: S105 - published on purpose; refused in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    real_name: str
    role: str
    unit: str | None
    phone: str
    email: str = ""
    enterprise_name: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "citizen1",
        "叶晓燕",
        Role.APPLICANT,
        None,
        "13857801236",
        "citizen1@example.com",
        "丽水市莲都区瓯江味道餐饮有限公司",
    ),
    DemoUser("citizen2", "吴建国", Role.APPLICANT, None, "15968812047", "citizen2@example.com"),
    DemoUser("inspector1", "周立峰", Role.INSPECTOR, "LD", "13905781101"),
    DemoUser("inspector2", "陈思远", Role.INSPECTOR, "LD", "13905781102"),
    DemoUser("inspector3", "季红梅", Role.INSPECTOR, "LQ", "13905781203"),
    DemoUser("supervisor1", "潘国强", Role.BRIGADE_SUPERVISOR, "LD", "13905781199"),
    DemoUser("chief1", "刘卫东", Role.DETACHMENT_SUPERVISOR, "LS", "13905780001"),
    DemoUser("legal1", "沈若兰", Role.LEGAL_OFFICER, "LD", "13905781150"),
    DemoUser("discipline1", "何正清", Role.DISCIPLINE_OFFICER, "LS", "13905780050"),
    DemoUser("admin", "系统管理员", Role.ADMINISTRATOR, None, "", "admin@example.com"),
)


class QuietLogs(logging.Handler):
    """While active, routine (below WARNING) log records are counted instead of printed."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.count = 0
        self._saved: list[tuple[logging.Handler, int]] = []

    def emit(self, record: logging.LogRecord) -> None:  # only reached by routine records
        self.count += 1

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.WARNING

    def __enter__(self) -> QuietLogs:
        root = logging.getLogger()
        for handler in [*root.handlers, *logging.getLogger("django").handlers]:
            handler.addFilter(_not_routine)
        root.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        root = logging.getLogger()
        root.removeHandler(self)
        for handler in [*root.handlers, *logging.getLogger("django").handlers]:
            handler.removeFilter(_not_routine)


def _not_routine(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


class Command(BaseCommand):
    help = "Create or update the demo accounts and every app's demo data (refused in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.SEED_DEMO_ALLOWED:
            raise CommandError(
                "seed_demo is refused: SEED_DEMO_ALLOWED is False (DJANGO_ENV=production). "
                "Demo accounts with a published password must never exist on a real portal."
            )
        # Seeding sends demo SMS and runs background tasks in-process, each of which logs a
        # line: counted here, not printed (warnings and errors still are), so that `make run`
        # shows one summary line per app.
        # QuietLogs outside the transaction: the SMS go out when it commits (on_commit).
        with QuietLogs() as quiet, transaction.atomic():
            users = self._seed_users()
            for _label, seed in plugins.demo_seeders():
                seed(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo ready: {users} demo accounts (password {DEMO_PASSWORD}); "
                f"{quiet.count} routine log lines not shown (demo SMS, background tasks)"
            )
        )

    def _seed_users(self) -> int:
        units = {u.code: u for u in OrgUnit.objects.all()}
        for spec in DEMO_USERS:
            is_admin = spec.role == Role.ADMINISTRATOR
            user, _ = User.objects.update_or_create(
                username=spec.username,
                defaults={
                    "real_name": spec.real_name,
                    "role": spec.role,
                    "org_unit": units[spec.unit] if spec.unit else None,
                    "phone": spec.phone,
                    "email": spec.email,
                    "enterprise_name": spec.enterprise_name,
                    "is_staff": is_admin,
                    "is_superuser": is_admin,
                    "is_active": True,
                },
            )
            # Reset every run: a demo whose password someone changed is no demo.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return len(DEMO_USERS)
