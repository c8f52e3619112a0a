"""Processes for the fault tests: a Redis of their own, web servers, workers and beats.

Every fault test that stops something stops a process it started itself, on a port of its own:
never the shared Redis or PostgreSQL other runs use. Each process gets its own process group
(``start_new_session``), so a kill reaches a prefork worker's children too, and its output goes to
a log file the test prints when something does not come up.

* :class:`RedisServer` — ``redis-server`` on a free port, no persistence (a stopped Redis comes
  back empty, the harsher case: whatever was queued is gone).
* :func:`portal_env` — the environment a portal process gets (database, broker, media folder,
  SMS file), the same for web, worker and beat, as in a deployment.
* :func:`gunicorn`, :func:`celery_worker`, :func:`celery_beat` — started and waited for.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.celery_fixtures import wait_until

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Ports of the "faults" run (COORD.md): Redis 6390-6399, web 8501-8509. When one is taken (a
# parallel run), the next free one is used.
REDIS_PORTS = range(6390, 6400)
WEB_PORTS = range(8501, 8510)


def free_port(candidates: range) -> int:
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # all taken: any free port
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    """One started process (and its group), with its log."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text("utf-8", errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group at once (a prefork worker's children die with it)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        if sig == signal.SIGKILL:
            self.popen.wait(timeout=20)

    def stop(self, timeout: float = 20) -> None:
        if not self.alive():
            return
        self.kill(signal.SIGTERM)
        try:
            assert self.popen is not None
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)

    def fail(self, why: str) -> None:
        import pytest

        pytest.fail(f"{self.name}: {why}\n--- log (tail) ---\n{self.log()[-5000:]}")


@dataclass
class RedisServer:
    workdir: Path
    port: int = field(default_factory=lambda: free_port(REDIS_PORTS))
    process: Process | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            from tests.skips import skip_or_fail

            skip_or_fail("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            f"redis:{self.port}",
            [
                str(binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            dict(os.environ),
            self.workdir / "redis.log",
        ).start()
        if not wait_until(self.ping, timeout=20):
            self.process.fail("Redis did not answer PING")
        return self

    def ping(self) -> bool:
        import redis

        try:
            client = redis.Redis.from_url(self.url(), socket_connect_timeout=0.5)
            return bool(client.ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            wait_until(lambda: not self.ping(), timeout=10)


def portal_env(
    *,
    database_url: str,
    redis_url: str,
    media_root: Path,
    sms_file: Path,
    **extra: str,
) -> dict[str, str]:
    """What every portal process of one deployment shares: database, Redis, files."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "COV_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lishui_fire.settings",
        DJANGO_ENV="local",
        DEBUG="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(media_root),
        SMS_BACKEND="lishui_fire.core.sms.FileSmsBackend",
        SMS_FILE_PATH=str(sms_file),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        # Same key in every process: a session cookie of one web process is valid on the other.
        SECRET_KEY="faults-harness-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.update(extra)
    return env


def gunicorn(port: int, env: dict[str, str], log_dir: Path, *, workers: int = 2) -> Process:
    process = Process(
        f"web:{port}",
        [
            str(BIN / "gunicorn"),
            "lishui_fire.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        env,
        log_dir / f"web-{port}.log",
    ).start()

    def up() -> bool:
        if not process.alive():
            return True
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    if not wait_until(up, timeout=90) or not process.alive():
        process.fail("gunicorn did not serve / in 90 s")
    return process


def celery_worker(
    name: str,
    env: dict[str, str],
    log_dir: Path,
    *,
    app: str = "lishui_fire",
    concurrency: int = 1,
    extra: tuple[str, ...] = (),
) -> Process:
    process = Process(
        f"worker:{name}",
        [
            str(BIN / "celery"),
            "-A",
            app,
            "worker",
            "--pool=prefork",
            "-c",
            str(concurrency),
            "--loglevel=INFO",
            "-n",
            f"{name}-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            *extra,
        ],
        env,
        log_dir / f"worker-{name}.log",
    )
    offset = process.log_path.stat().st_size if process.log_path.exists() else 0
    process.start()
    if not wait_until(
        lambda: " ready." in process.log()[offset:] or not process.alive(), timeout=90
    ):
        process.fail("the worker did not log 'ready.' in 90 s")
    if not process.alive():
        process.fail("the worker exited")
    return process


def celery_beat(name: str, env: dict[str, str], log_dir: Path) -> Process:
    process = Process(
        f"beat:{name}",
        [
            str(BIN / "celery"),
            "-A",
            "lishui_fire",
            "beat",
            "--loglevel=INFO",
            "--scheduler",
            "django_celery_beat.schedulers:DatabaseScheduler",
            "--max-interval",
            "5",
        ],
        env,
        log_dir / f"beat-{name}.log",
    ).start()
    if not wait_until(lambda: "beat: Starting" in process.log() or not process.alive(), timeout=60):
        process.fail("beat did not start in 60 s")
    if not process.alive():
        process.fail("beat exited")
    return process


def purge(broker_url: str) -> None:
    import redis

    redis.Redis.from_url(broker_url).flushdb()
