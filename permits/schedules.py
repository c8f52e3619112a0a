"""The permits app's periodic jobs (``PermitsConfig.beat_schedule``; core/schedules.py)."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "permits.sweep_deemed_acceptance": {
        "task": "permits.tasks.sweep_deemed_acceptance",
        # A period ends at midnight: the first sweep after it records the acceptance; the
        # services refuse a late return at once, whether or not the sweep has run.
        "schedule": crontab(minute="*/10"),
        "description": "每 10 分钟将逾期未告知补正的申请依法视为受理（《行政许可法》第三十二条）",
    },
    "permits.sweep_unannounced_bookings": {
        "task": "permits.sweep_unannounced_bookings",
        "schedule": crontab(minute="*/5"),
        "description": "每 5 分钟补发未发出的预约体检确认短信和提醒",
    },
}
