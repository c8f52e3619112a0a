"""Token authentication and throttling against a bare DRF view, on gunicorn with PostgreSQL
and Redis, production settings (target: the authenticated view at ≥ 0.7× the bare one).

    .venv/bin/python bench/auth_bench.py          # BENCH_DB=lishui_auth BENCH_REDIS_DB=1

1. migrates the PostgreSQL database ``$BENCH_DB`` and creates ``BENCH_USERS`` applicants;
2. starts gunicorn (``BENCH_WORKERS`` sync workers, ``bench.load.auth_settings``: the production
   profile without TLS) on 127.0.0.1:``BENCH_PORT``;
3. signs each user in through ``POST /api/v1/auth/token/`` (the contract's way to get a token);
4. sends ``BENCH_CLIENTS`` concurrent clients at ``/bench/ping/`` (no authentication, no
   throttle) and at ``/bench/token-ping/`` (the same view behind the API's default
   authentication, permission and throttles, tokens taken in turn), alternating the two in
   ``BENCH_ROUNDS`` rounds of ``BENCH_SECONDS`` each, and reports requests per second, the median
   latency and the ratio authenticated / bare.

The throttles run at their production rates (600/min per user): ``BENCH_USERS`` (100) keep every
user below that up to 1,000 requests a second (20 did until the token call became fast enough to
pass 200 a second); a run with any non-200 answer measured cheap 429s and says it is no figure.
Figures depend on the machine; the ratio much less.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_DB", "lishui_auth")
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "1")
PORT = int(os.environ.get("BENCH_PORT", 8611))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 4))
USERS = int(os.environ.get("BENCH_USERS", 100))
SECONDS = float(os.environ.get("BENCH_SECONDS", 8))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
PASSWORD = "bench-password-2026"  # noqa: S105 - bench accounts only

ENV = {
    **os.environ,
    "DJANGO_ENV": "production",
    "DJANGO_SETTINGS_MODULE": "bench.load.auth_settings",
    "SECRET_KEY": "auth-bench-only-" + "".join(chr(97 + i % 26) for i in range(50)),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    "PORTAL_BASE_URL": "https://portal.example.gov.cn",
    "LOG_LEVEL": "WARNING",
    # Signing the users in is not what is measured: the token endpoint's 10/min is lifted.
    "THROTTLE_TOKEN": "100000/min",
    "AXES_FAILURE_LIMIT": "1000",
    "PYTHONPATH": str(ROOT),
}
SETUP = f"""
import django
django.setup()
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from lishui_fire.accounts.models import Role, User
call_command("migrate", verbosity=0)
hashed = make_password({PASSWORD!r})
for i in range({USERS}):
    User.objects.update_or_create(
        username=f"bench-auth-{{i}}",
        defaults=dict(role=Role.APPLICANT, real_name="bench", phone=f"137{{i:08d}}",
                      password=hashed, is_active=True),
    )
"""


def request(method: str, path: str, body: bytes | None = None, headers=None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def obtain_tokens() -> list[str]:
    keys = []
    for i in range(USERS):
        body = json.dumps({"username": f"bench-auth-{i}", "password": PASSWORD}).encode()
        status, data = request(
            "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"}
        )
        if status != 200:
            sys.exit(f"token for bench-auth-{i}: {status} {data[:200]!r}")
        keys.append(json.loads(data)["token"])
    return keys


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) the gunicorn workers of ``master`` have used so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def hammer(path: str, keys: list[str] | None, master: int = 0) -> tuple[float, float, int, float]:
    """(requests per second, median ms, non-200 answers, worker CPU ms a request) for CLIENTS
    threads for SECONDS."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client(n: int) -> None:
        mine, bad, i = [], 0, n
        while time.perf_counter() < deadline:
            headers = {"Authorization": f"Token {keys[i % len(keys)]}"} if keys else {}
            i += CLIENTS
            t0 = time.perf_counter()
            try:
                status, _body = request("GET", path, headers=headers)
            except OSError:
                status = 0  # reset or timed out: counted, not measured
            else:
                mine.append(time.perf_counter() - t0)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    cpu0 = worker_cpu(master) if master else 0.0
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = (worker_cpu(master) - cpu0) if master else 0.0
    n = len(latencies)
    return n / elapsed, statistics.median(latencies) * 1000, errors[0], cpu * 1000 / max(n, 1)


def main() -> None:
    subprocess.run([sys.executable, "-c", SETUP], env=ENV, cwd=ROOT, check=True)
    log = open(ROOT / "var" / "auth-bench-gunicorn.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "lishui_fire.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--timeout", "120", "--log-level", "warning"],
        env=ENV, cwd=ROOT, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                if request("GET", "/bench/ping/")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                sys.exit("gunicorn did not start: see var/auth-bench-gunicorn.log")
            time.sleep(0.5)
        keys = obtain_tokens()
        status, body = request("GET", "/bench/token-ping/", headers={"Authorization": "Token x"})
        assert status == 401, (status, body)
        hammer("/bench/ping/", None)  # warm up both workers
        hammer("/bench/token-ping/", keys)
        bare, real = [], []
        for _ in range(ROUNDS):
            bare.append(hammer("/bench/ping/", None, server.pid))
            real.append(hammer("/bench/token-ping/", keys, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    b_rps = statistics.median(r[0] for r in bare)
    r_rps = statistics.median(r[0] for r in real)
    b_ms = statistics.median(r[1] for r in bare)
    r_ms = statistics.median(r[1] for r in real)
    refused = sum(r[2] for r in real) + sum(r[2] for r in bare)
    b_cpu = statistics.median(r[3] for r in bare)
    r_cpu = statistics.median(r[3] for r in real)
    print(f"gunicorn {WORKERS} sync workers, {CLIENTS} clients, {ROUNDS}×{SECONDS:.0f} s each")
    print(f"{'endpoint':<42}{'req/s':>9}{'p50 ms':>9}{'worker CPU ms/req':>19}")
    print(f"{'GET /bench/ping/ (bare DRF)':<42}{b_rps:>9.0f}{b_ms:>9.2f}{b_cpu:>19.2f}")
    print(
        f"{'GET /bench/token-ping/ (token+throttles)':<42}{r_rps:>9.0f}{r_ms:>9.2f}{r_cpu:>19.2f}"
    )
    print(f"throughput ratio token/bare: {r_rps / b_rps:.2f}×  (target ≥ 0.70×); "
          f"non-200 answers: {refused}")  # fmt: skip
    # On a machine shared with other work, wall-clock throughput measures the neighbours too;
    # the gunicorn workers' own CPU time per request does not (PostgreSQL's and Redis' share of
    # the token look-up is not in it).
    print(f"worker CPU ratio bare/token: {b_cpu / r_cpu:.2f}×; token+throttle cost "
          f"{r_cpu - b_cpu:.2f} ms of worker CPU a request")  # fmt: skip
    print(f"(machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
    if refused:
        print(f"NOT A FIGURE: {refused} answers were not 200 (throttled?): raise BENCH_USERS")


if __name__ == "__main__":
    main()
