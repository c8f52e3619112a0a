"""Fixtures of the fault tests (tests/faults/, README "Fault tests").

Two kinds of test live here:

* quick, deterministic ones (disk full, database down in-process, a worker killed mid-task, two
  beats' effects, shared state): part of ``make test`` and CI;
* ``@pytest.mark.faults`` ones (a 60 s Redis outage under traffic, PostgreSQL restarted under
  traffic, two of every process): minutes each, skipped unless ``FAULTS=1`` — ``make faults``.

``deployment`` gives a test its own Redis (never the shared one), the test database, a media
folder and an SMS file, the environment every portal process of that "deployment" gets, and
points the test process's own Celery producer at that Redis.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults import harness

SLOW = os.environ.get("FAULTS") == "1"
# What the slow scenarios measured, printed at the end of the run (README "Fault tests").
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("fault scenarios: figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def figures():
    return FIGURES


def pytest_collection_modifyitems(config, items):
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow fault scenario: run with `make faults` (FAULTS=1)")
    for item in items:
        if item.get_closest_marker("faults"):
            item.add_marker(skip)


@dataclass
class Deployment:
    redis: harness.RedisServer
    database_url: str
    media_root: Path
    sms_file: Path
    trace_file: Path
    log_dir: Path
    processes: list[harness.Process] = field(default_factory=list)

    @property
    def broker_url(self) -> str:
        return self.redis.url(0)

    def env(self, **extra: str) -> dict[str, str]:
        from django.conf import settings

        extra.setdefault("SECRET_KEY", settings.SECRET_KEY)  # sessions made here are valid there
        return harness.portal_env(
            database_url=self.database_url,
            redis_url=self.broker_url,
            media_root=self.media_root,
            sms_file=self.sms_file,
            FAULTS_TRACE_FILE=str(self.trace_file),
            **extra,
        )

    def worker(self, name: str, *, app: str = "tests.faults.holds", **extra: str):
        process = harness.celery_worker(name, self.env(**extra), self.log_dir, app=app)
        self.processes.append(process)
        return process

    def web(self, port: int | None = None, **extra: str):
        port = port or harness.free_port(harness.WEB_PORTS)
        process = harness.gunicorn(port, self.env(**extra), self.log_dir)
        process.port = port  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def beat(self, name: str, **extra: str):
        process = harness.celery_beat(name, self.env(**extra), self.log_dir)
        self.processes.append(process)
        return process

    def session_for(self, user) -> dict[str, str]:
        """Cookies of a signed-in session of ``user``, valid on every web process."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend")
        return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

    def sms_lines(self) -> list[dict]:
        from lishui_fire.core.sms import read_sms_file

        return read_sms_file(self.sms_file)

    def trace(self) -> list[str]:
        if not self.trace_file.exists():
            return []
        return self.trace_file.read_text("utf-8").splitlines()

    def logs(self) -> str:
        return "\n".join(f"=== {p.name}\n{p.log()[-3000:]}" for p in self.processes)


@pytest.fixture
def deployment(transactional_db, tmp_path, settings) -> Iterator[Deployment]:
    from lishui_fire.celery import app
    from tests.celery_fixtures import _reset_producer_pool, database_url_of_test_db

    redis = harness.RedisServer(tmp_path / "redis").start()
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    result = Deployment(
        redis=redis,
        database_url=database_url_of_test_db(),
        media_root=media,
        sms_file=tmp_path / "sms.jsonl",
        trace_file=tmp_path / "trace.log",
        log_dir=tmp_path / "logs",
    )
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = result.broker_url
    app.conf.task_always_eager = False
    _reset_producer_pool(app)
    try:
        yield result
    finally:
        for process in reversed(result.processes):
            process.stop()
        redis.stop()
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_producer_pool(app)
