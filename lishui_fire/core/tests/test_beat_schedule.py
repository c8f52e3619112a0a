"""Periodic jobs: defined in code, in Lishui time, copied into django-celery-beat without duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from celery.schedules import crontab
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from lishui_fire.celery import app
from lishui_fire.core import schedules
from lishui_fire.core.management.commands.sync_beat_schedule import PREFIX


def test_celery_runs_on_lishui_time(settings):
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    assert str(app.timezone) == "Asia/Shanghai"


def test_the_core_jobs_are_in_the_schedule():
    merged = schedules.portal_beat_schedule()
    tasks = {entry["task"] for entry in merged.values()}
    assert {
        "lishui_fire.core.tasks.sweep_reminders",
        "lishui_fire.core.tasks.retry_notifications",
        "lishui_fire.core.tasks.check_calendar_years",
    } <= tasks
    for entry in merged.values():
        assert entry["task"] in app.tasks, entry["task"]


def _due(schedule, *, last_run: datetime, now: datetime) -> bool:
    with time_machine.travel(now, tick=False):
        return schedule.is_due(last_run).is_due


LAST_RUN = datetime(2026, 3, 2, 1, 0, 5, tzinfo=UTC)  # yesterday's run, 09:00 in Lishui
EARLY_CHECK = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)  # beat looked at 08:30 Lishui time today


def test_the_nine_oclock_job_is_due_at_one_utc():
    entry = schedules.BEAT_SCHEDULE["core.check_calendar_years"]["schedule"]
    nine = crontab(minute=entry._orig_minute, hour=entry._orig_hour, app=app)
    assert not _due(nine, last_run=LAST_RUN, now=datetime(2026, 3, 3, 0, 59, tzinfo=UTC))
    assert _due(nine, last_run=LAST_RUN, now=datetime(2026, 3, 3, 1, 0, 30, tzinfo=UTC))
    assert _due(nine, last_run=EARLY_CHECK, now=datetime(2026, 3, 3, 1, 0, 30, tzinfo=UTC))


@pytest.mark.django_db
def test_the_synced_crontab_is_due_at_one_utc():
    call_command("sync_beat_schedule", stdout=SimpleNamespace(write=lambda s: None))
    task = PeriodicTask.objects.get(name=PREFIX + "core.check_calendar_years")
    assert (task.crontab.hour, task.crontab.minute) == ("9", "0")
    assert str(task.crontab.timezone) == "Asia/Shanghai"
    beat = task.crontab.schedule
    assert not _due(beat, last_run=LAST_RUN, now=datetime(2026, 3, 3, 0, 59, tzinfo=UTC))
    assert _due(beat, last_run=LAST_RUN, now=datetime(2026, 3, 3, 1, 0, 30, tzinfo=UTC))
    assert _due(beat, last_run=EARLY_CHECK, now=datetime(2026, 3, 3, 1, 0, 30, tzinfo=UTC))


@pytest.mark.django_db
def test_syncing_twice_creates_no_duplicates():
    call_command("sync_beat_schedule", stdout=SimpleNamespace(write=lambda s: None))
    first = (PeriodicTask.objects.count(), CrontabSchedule.objects.count())
    changed_at = dict(PeriodicTask.objects.values_list("name", "date_changed"))
    call_command("sync_beat_schedule", stdout=SimpleNamespace(write=lambda s: None))
    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == first
    assert dict(PeriodicTask.objects.values_list("name", "date_changed")) == changed_at
    ours = PeriodicTask.objects.filter(name__startswith=PREFIX)
    assert ours.count() == len(schedules.portal_beat_schedule())
    assert all(t.enabled for t in ours)


@pytest.mark.django_db
def test_a_job_removed_from_code_is_disabled_and_a_hand_made_one_left_alone():
    call_command("sync_beat_schedule", stdout=SimpleNamespace(write=lambda s: None))
    crontab_row = CrontabSchedule.objects.first()
    PeriodicTask.objects.create(name=PREFIX + "core.retired_job", task="x.y", crontab=crontab_row)
    PeriodicTask.objects.create(name="made by hand", task="x.z", crontab=crontab_row)
    call_command("sync_beat_schedule", stdout=SimpleNamespace(write=lambda s: None))
    assert PeriodicTask.objects.get(name=PREFIX + "core.retired_job").enabled is False
    assert PeriodicTask.objects.get(name="made by hand").enabled is True


@pytest.mark.django_db
def test_a_schedule_edited_in_the_admin_is_put_back():
    call_command("sync_beat_schedule", stdout=SimpleNamespace(write=lambda s: None))
    task = PeriodicTask.objects.get(name=PREFIX + "core.retry_notifications")
    task.crontab = CrontabSchedule.objects.create(minute="0", hour="3", timezone="UTC")
    task.enabled = False
    task.save()
    call_command("sync_beat_schedule", stdout=SimpleNamespace(write=lambda s: None))
    task.refresh_from_db()
    assert (task.crontab.minute, task.enabled) == ("*/10", True)


def test_an_apps_schedule_is_merged_and_a_name_clash_refused(monkeypatch):
    import sys
    import types

    module = types.ModuleType("lishui_fire.accounts.schedules")
    module.BEAT_SCHEDULE = {
        "accounts.cleanup": {"task": "x.cleanup", "schedule": timedelta(hours=1)},
    }
    monkeypatch.setitem(sys.modules, "lishui_fire.accounts.schedules", module)
    monkeypatch.setattr(
        apps.get_app_config("accounts"),
        "beat_schedule",
        "lishui_fire.accounts.schedules.BEAT_SCHEDULE",
        raising=False,
    )
    assert "accounts.cleanup" in schedules.portal_beat_schedule()

    module.BEAT_SCHEDULE = {"core.sweep_reminders": {"task": "x", "schedule": 60}}
    with pytest.raises(ImproperlyConfigured, match="twice"):
        schedules.portal_beat_schedule()


@pytest.mark.django_db
def test_the_calendar_check_task_skips_when_the_command_is_missing(monkeypatch):
    from lishui_fire.core import tasks

    monkeypatch.setattr("django.core.management.get_commands", dict)
    assert tasks.check_calendar_years.delay().get() is False
