"""Print the load run's table from locust's CSV statistics (``--csv PREFIX``).

    python bench/load/report.py var/load/run      # reads var/load/run_stats.csv

For every endpoint: requests, failures, p50/p95/p99 in milliseconds, and p50 and p95 as a ratio
to the bare DRF endpoint of the same run (same server, same moment, same machine), which is what
makes the figures comparable between machines. Exits non-zero when the bare endpoint is missing.
"""

from __future__ import annotations

import csv
import sys

BARE = "bare DRF endpoint"


def rows(prefix: str) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def table(stats: list[dict[str, str]]) -> str:
    bare = next((r for r in stats if r["Name"] == BARE), None)
    if bare is None or not float(bare["50%"]):
        raise SystemExit(f"no figures for the {BARE!r} in this run")
    b50, b95 = float(bare["50%"]), float(bare["95%"])
    out = [
        f"{'endpoint':42s} {'reqs':>6s} {'fail':>5s} {'p50':>7s} {'p95':>7s} {'p99':>7s} "
        f"{'p50/bare':>9s} {'p95/bare':>9s}"
    ]
    body = [r for r in stats if r["Name"] != "Aggregated"]
    body.sort(key=lambda r: (r["Name"] != BARE, r["Name"]))
    for r in [*body, *[r for r in stats if r["Name"] == "Aggregated"]]:
        p50, p95, p99 = float(r["50%"]), float(r["95%"]), float(r["99%"])
        name = r["Name"] if r["Name"] != "Aggregated" else "all requests"
        out.append(
            f"{name[:42]:42s} {int(r['Request Count']):6d} {int(r['Failure Count']):5d} "
            f"{p50:7.0f} {p95:7.0f} {p99:7.0f} {p50 / b50:9.1f} {p95 / b95:9.1f}"
        )
    total = next(r for r in stats if r["Name"] == "Aggregated")
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    out.append(
        f"\n{requests} requests, {failures} failures (fail ratio {failures / max(requests, 1):.2%}), "
        f"{float(total['Requests/s']):.1f} requests/s; times in ms; bare p50 {b50:.0f} ms, p95 {b95:.0f} ms"
    )
    return "\n".join(out)


if __name__ == "__main__":
    print(table(rows(sys.argv[1] if len(sys.argv) > 1 else "var/load/run")))
