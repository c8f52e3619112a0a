# ruff: noqa: T201, S603  (a command-line report; runs mutmut itself)
"""The figures of `make mutation`: killed, survived and the score, per module and in all.

    .venv/bin/python scripts/mutation_report.py          # after `mutmut run`
    .venv/bin/python scripts/mutation_report.py --diffs  # each survivor's change as well

Reads mutmut's result files (mutants/**/*.py.meta). A timeout counts as killed: the mutant made
the tests loop (an endless ``while`` in the calendar), which is a detection. "no tests" and
"suspicious" count as not killed. Exits 1 when the score is below ``--min`` (default 90).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout"}
KILLED |= {255: "timeout", 37: "killed"}
OTHER = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}


def status(code: int | None) -> str:
    return KILLED.get(code) or OTHER.get(code) or "suspicious"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--diffs", action="store_true")
    parser.add_argument("--min", type=float, default=90.0)
    args = parser.parse_args()
    # make mutation keeps its last results in .mutants/ (hidden); mutmut itself works in mutants/.
    where = Path("mutants") if Path("mutants").is_dir() else Path(".mutants")
    metas = sorted(where.rglob("*.py.meta"))
    if not metas:
        print("no results: run `make mutation` first")
        return 1
    total: Counter[str] = Counter()
    survivors: list[str] = []
    print(
        f"{'module':40s} {'mutants':>7s} {'killed':>6s} {'timeout':>7s} {'survived':>8s} {'score':>6s}"
    )
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        counts = Counter(status(c) for c in codes.values())
        total.update(counts)
        survivors += sorted(
            k for k, c in codes.items() if status(c) in ("survived", "no tests", "suspicious")
        )
        print(
            f"{str(meta.relative_to(where))[:-5]:40s} {len(codes):7d} {counts['killed']:6d} "
            f"{counts['timeout']:7d} {counts['survived'] + counts['no tests'] + counts['suspicious']:8d} "
            f"{score(counts):6.1f}%"
        )
    print(
        f"{'all':40s} {sum(total.values()):7d} {total['killed']:6d} {total['timeout']:7d} "
        f"{total['survived'] + total['no tests'] + total['suspicious']:8d} {score(total):6.1f}%"
    )
    if total["not checked"]:
        print(f"({total['not checked']} mutants not checked yet)")
    print(f"\nsurvivors ({len(survivors)}):")
    for name in survivors:
        print(f"  {name}")
        if args.diffs and where.name == "mutants":
            diff = subprocess.run(
                [sys.executable, "-m", "mutmut", "show", name], capture_output=True, text=True
            ).stdout
            for line in diff.splitlines():
                if line[:1] in "+-" and line[:3] not in ("+++", "---"):
                    print(f"      {line.strip()}")
    return 0 if score(total) >= args.min else 1


def score(counts: Counter[str]) -> float:
    detected = counts["killed"] + counts["timeout"]
    undetected = counts["survived"] + counts["no tests"] + counts["suspicious"]
    return 100.0 * detected / max(detected + undetected, 1)


if __name__ == "__main__":
    sys.exit(main())
