"""A REAL Celery worker against the REAL Redis, for tests marked ``celery_worker``.

Eager mode runs a task in the test's own process: it never serialises arguments, never goes
through the broker and never shows what two processes do to the same row. These fixtures start
``celery -A lishui_fire worker --pool=prefork -c 1`` as a subprocess, pointed at the same test
database (so the test must be ``django_db(transaction=True)``: the worker cannot see rows inside
the test's uncommitted transaction), and at Redis database 5 (``CELERY_TEST_REDIS_URL``).

The worker's SMS go to a JSON-lines file (``FileSmsBackend``), so a test counts the messages a
process it does not share memory with has sent.

On SQLite the test database must be a file, not ``:memory:``, for a second process to open it:
``use_file_sqlite_for_worker_tests`` (called from the root conftest's
``django_db_modify_db_settings``) switches to a temporary file, but only when worker tests were
collected, so ordinary runs keep the fast in-memory database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

REDIS_TEST_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
READY_TIMEOUT = 60  # seconds for the worker to log "ready."
STOP_TIMEOUT = 20  # seconds for a warm shutdown before the worker is killed


def use_file_sqlite_for_worker_tests(request: pytest.FixtureRequest, tmp_path_factory) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("sqlite3"):
        return
    if not any(item.get_closest_marker("celery_worker") for item in request.session.items):
        return
    path = tmp_path_factory.mktemp("worker-db") / "test.sqlite3"
    db.setdefault("TEST", {})["NAME"] = str(path)


def redis_reachable(url: str = REDIS_TEST_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def database_url_of_test_db() -> str:
    """The URL of the database this test is using, for the worker's ``DATABASE_URL``."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(s["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.fail("worker tests need a file SQLite test database (see tests/celery_fixtures)")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(s.get("USER") or "", safe="")
        password = quote(s.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{s['PORT']}" if s.get("PORT") else ""
        return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}{port}/{quote(s['NAME'], safe='')}"
    pytest.fail(f"no worker database URL for {connection.vendor}")
    raise AssertionError  # unreachable; pytest.fail raises


def wait_until(
    predicate: Callable[[], bool], *, timeout: float = 60, interval: float = 0.25
) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds passed; returns the last result."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path
    sms_file: Path
    broker_url: str

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def sms_lines(self) -> list:
        from lishui_fire.core.sms import read_sms_file

        return read_sms_file(self.sms_file)


def _celery_command() -> list[str]:
    celery = Path(sys.executable).with_name("celery")
    return [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]


def _purge(broker_url: str) -> None:
    """Drop messages a previous, interrupted run left in the test broker database."""
    from lishui_fire.celery import app

    with app.connection_for_write(broker_url) as conn:
        app.control.purge(connection=conn)


def _reset_producer_pool(app) -> None:
    # The app and kombu cache broker connections per URL; close and forget them so the next
    # send connects to the broker the app is configured with now.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # Warm shutdown of the whole group (the prefork child included): SIGTERM, then SIGKILL.
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path) -> Iterator[WorkerProcess]:
    """A real worker subprocess on Redis db 5 and the test database; the test process sends to
    the same broker (eager mode off) until the fixture ends."""
    from django.conf import settings

    from lishui_fire.celery import app
    from tests.skips import skip_or_fail

    if not redis_reachable(REDIS_TEST_URL):
        skip_or_fail(f"Redis not reachable at {REDIS_TEST_URL}")

    sms_file = tmp_path / "sms.jsonl"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lishui_fire.settings",
        "DJANGO_ENV": "local",
        "REDIS_URL": REDIS_TEST_URL,
        "DATABASE_URL": database_url_of_test_db(),
        "SMS_BACKEND": "lishui_fire.core.sms.FileSmsBackend",
        "SMS_FILE_PATH": str(sms_file),
        "PYTHONUNBUFFERED": "1",
    }
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = REDIS_TEST_URL
    app.conf.task_always_eager = False
    _reset_producer_pool(app)
    _purge(REDIS_TEST_URL)

    command = [
        *_celery_command(),
        "-A",
        "lishui_fire",
        "worker",
        "--pool=prefork",
        "-c",
        "1",
        "--loglevel=INFO",
        "-n",
        f"lishui-test-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown reaches the child too
        )
    worker = WorkerProcess(process, log_path, sms_file, REDIS_TEST_URL)
    try:
        ready = wait_until(
            lambda: " ready." in worker.log() or process.poll() is not None, timeout=READY_TIMEOUT
        )
        if process.poll() is not None or not ready:
            pytest.fail(f"Celery worker did not start:\n{worker.log()[-4000:]}")
        yield worker
    finally:
        _stop(process)
        for key, value in saved.items():
            app.conf[key] = value
        _reset_producer_pool(app)


# --- A broker outage (core.jobs) --------------------------------------------------------------------
def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker_down() -> Iterator[str]:
    """Point the producer at a closed port, as if Redis had stopped, with eager mode off.

    Never stop the shared Redis for this: six other runs use it.
    """
    from lishui_fire.celery import app

    url = f"redis://127.0.0.1:{closed_port()}/0"
    # Only broker_url: broker_write_url falls back to it while unset, and setting it here would
    # pin the write URL for every later test (the worker fixtures change broker_url only).
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    _reset_producer_pool(app)
    try:
        yield url
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _reset_producer_pool(app)
