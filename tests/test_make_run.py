"""`make run` for a newcomer (issue 9): a short summary, no warning that looks like an error, and
the address announced once the server answers — not 180 lines of demo SMS and task traces."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import celery_eager

BASE_DIR = Path(__file__).resolve().parents[1]


def test_the_in_process_broker_names_its_host(caplog):
    """kombu warned "No hostname was supplied" on every connection to ``memory://``."""
    from lishui_fire.celery import app

    with caplog.at_level(logging.WARNING, logger="kombu"):
        app.connection_for_write().info()
    assert not [r for r in caplog.records if "hostname" in r.getMessage()]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.django_db(transaction=True)  # the demo SMS go out when the seed commits
def test_seed_demo_prints_a_line_per_app_and_keeps_routine_logs_quiet():
    collect = _Collect()
    root = logging.getLogger()
    root.addHandler(collect)
    level = root.level
    root.setLevel(logging.INFO)
    out = io.StringIO()
    try:
        with celery_eager():
            call_command("seed_demo", stdout=out)
    finally:
        root.removeHandler(collect)
        root.setLevel(level)
    lines = out.getvalue().splitlines()
    assert len(lines) <= 12, "\n".join(lines)
    assert lines[-1].startswith("demo ready: ")
    routine = [r for r in collect.records if r.levelno < logging.WARNING]
    assert not routine, [f"{r.name}: {r.getMessage()[:80]}" for r in routine[:5]]
    hidden = int(lines[-1].split("; ")[1].split()[0])
    assert hidden > 0  # the demo did send SMS and run tasks: they were counted, not printed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_run_script_announces_the_address_once_the_server_answers(tmp_path):
    """A stand-in for ``manage.py runserver`` that takes 3 s to listen: the address comes after."""
    port = _free_port()
    fake = tmp_path / "python"
    fake.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = manage.py ] && [ "$2" = runserver ]; then\n'
        "  sleep 3\n"
        f"  exec {sys.executable} -m http.server {port} --bind 127.0.0.1 >/dev/null 2>&1\n"
        "fi\n"
        f'exec {sys.executable} "$@"\n'
    )
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(HOST="127.0.0.1", PORT=str(port), PYTHON=str(fake), READY_TIMEOUT="30")
    process = subprocess.Popen(
        ["bash", "scripts/run-local.sh"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    try:
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line.rstrip())
            if f"http://127.0.0.1:{port}/" in line:
                # The moment the address is printed, the server must answer.
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    pass
                break
        else:
            pytest.fail(f"no address within 60 s: {seen}")
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
    announced = [line for line in seen if f"http://127.0.0.1:{port}/" in line]
    assert len(announced) == 1, seen
    assert announced[0].startswith("Ready: open "), seen
