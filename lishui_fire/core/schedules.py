"""Periodic jobs, defined in code and copied into django-celery-beat by ``sync_beat_schedule``.

Each app names its own ``BEAT_SCHEDULE`` dict in Celery's format (name → {"task", "schedule",
optional "args", "kwargs", "options"}) in its AppConfig's ``beat_schedule`` attribute (the
plug-in convention of ``core/plugins.py``); the kernel's own jobs are below. Crontab hours are in
``CELERY_TIMEZONE`` (Asia/Shanghai): "09:00" means nine in the morning in Lishui, 01:00 UTC.
Names must be unique across apps; prefix them with the app label (``core.sweep_reminders``).
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from . import plugins

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "core.sweep_reminders": {
        "task": "lishui_fire.core.tasks.sweep_reminders",
        "schedule": crontab(minute="*"),
        "description": "每分钟发送到期提醒",
    },
    "core.retry_notifications": {
        "task": "lishui_fire.core.tasks.retry_notifications",
        "schedule": crontab(minute="*/10"),
        "description": "每 10 分钟重试发送失败的通知",
    },
    "core.render_missing_documents": {
        "task": "lishui_fire.core.tasks.render_missing_documents",
        "schedule": crontab(minute="*/10"),
        "description": "每 10 分钟补生成尚无 PDF 的已出具文书",
    },
    "core.recompute_provisional_clocks": {
        "task": "lishui_fire.core.tasks.recompute_provisional_clocks",
        "schedule": crontab(hour=2, minute=30),
        "description": "每天 02:30 补算节假日安排公布前计算的暂定期限（公布时的重算未能执行时）",
    },
    "core.check_calendar_years": {
        "task": "lishui_fire.core.tasks.check_calendar_years",
        "schedule": crontab(hour=9, minute=0),
        "description": "每天 09:00 检查下一年度节假日安排是否已录入",
    },
}


def portal_beat_schedule() -> dict[str, dict[str, Any]]:
    """Every installed app's ``BEAT_SCHEDULE``, merged; a name used twice is a configuration error."""
    merged: dict[str, dict[str, Any]] = {}
    for _app, schedule in plugins.beat_schedules():
        for name, entry in schedule.items():
            if name in merged:
                raise ImproperlyConfigured(f"beat schedule entry {name!r} is defined twice")
            if "task" not in entry or "schedule" not in entry:
                raise ImproperlyConfigured(f"beat schedule entry {name!r} needs task and schedule")
            merged[name] = entry
    return merged
