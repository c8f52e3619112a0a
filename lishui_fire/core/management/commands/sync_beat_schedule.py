"""Copy the periodic jobs defined in code (``portal_beat_schedule``) into django-celery-beat.

Run at every deploy, before beat starts. Idempotent: a second run changes nothing. The code is
the source of truth: a schedule edited in the admin for one of our rows is put back, and a row
with our prefix whose entry left the code is disabled (not deleted, so its run history stays).
Rows without our prefix (added by an administrator by hand) are left alone.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from celery.schedules import crontab, schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lishui_fire.core.schedules import portal_beat_schedule

PREFIX = "portal:"


class Command(BaseCommand):
    help = "Create or update django-celery-beat periodic tasks from the schedules in code."

    def handle(self, *args: Any, **options: Any) -> None:
        from django_celery_beat.models import PeriodicTask

        entries = portal_beat_schedule()
        created = updated = disabled = 0
        with transaction.atomic():
            for name, entry in sorted(entries.items()):
                wanted = _task_fields(name, entry)
                task = PeriodicTask.objects.filter(name=PREFIX + name).first()
                if task is None:
                    PeriodicTask.objects.create(name=PREFIX + name, **wanted)
                    created += 1
                    continue
                changed = [f for f, value in wanted.items() if getattr(task, f) != value]
                if changed:
                    for f in changed:
                        setattr(task, f, wanted[f])
                    task.save()
                    updated += 1
            stale = PeriodicTask.objects.filter(name__startswith=PREFIX, enabled=True).exclude(
                name__in=[PREFIX + name for name in entries]
            )
            for task in stale:
                task.enabled = False
                task.save()  # save(), not update(): beat notices changes through PeriodicTasks
                disabled += 1
        self.stdout.write(
            f"beat schedule: {len(entries)} in code, {created} created, {updated} updated, "
            f"{disabled} disabled"
        )


def _task_fields(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    options = entry.get("options", {})
    fields: dict[str, Any] = {
        "task": entry["task"],
        "args": json.dumps(list(entry.get("args", ()))),
        "kwargs": json.dumps(dict(entry.get("kwargs", {})), sort_keys=True),
        "queue": options.get("queue") or None,
        "expire_seconds": options.get("expires")
        if isinstance(options.get("expires"), int)
        else None,
        "description": entry.get("description", ""),
        "enabled": True,
        "crontab": None,
        "interval": None,
    }
    fields.update(_schedule_fields(name, entry["schedule"]))
    return fields


def _schedule_fields(name: str, value: Any) -> dict[str, Any]:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule

    if isinstance(value, crontab):
        spec = {
            "minute": str(value._orig_minute),
            "hour": str(value._orig_hour),
            "day_of_week": str(value._orig_day_of_week),
            "day_of_month": str(value._orig_day_of_month),
            "month_of_year": str(value._orig_month_of_year),
            # Crontabs in code are written in local (Lishui) time; say so explicitly rather
            # than rely on django-celery-beat's default, which has been UTC in some versions.
            "timezone": ZoneInfo(settings.CELERY_TIMEZONE),
        }
        row = CrontabSchedule.objects.filter(**spec).order_by("pk").first()
        return {"crontab": row or CrontabSchedule.objects.create(**spec)}
    if isinstance(value, schedule):
        value = value.run_every
    if isinstance(value, int | float):
        value = timedelta(seconds=value)
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        if seconds < 1:
            raise CommandError(f"{name}: interval must be at least one second")
        spec = {"every": seconds, "period": IntervalSchedule.SECONDS}
        row = IntervalSchedule.objects.filter(**spec).order_by("pk").first()
        return {"interval": row or IntervalSchedule.objects.create(**spec)}
    raise CommandError(f"{name}: unsupported schedule {value!r}")
