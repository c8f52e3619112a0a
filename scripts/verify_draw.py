#!/usr/bin/env python3
"""Verify a published 双随机 draw of the Lishui fire portal, with nothing but Python 3.11.

    python scripts/verify_draw.py https://<portal>/api/v1/public/inspection-plans/12/
    python scripts/verify_draw.py plan-12.json

Fetches (over HTTP with urllib) or reads the published plan, checks that the revealed seed
hashes to the commitment published before the draw, that the published candidate and inspector
lists hash to the published fingerprints, and re-runs the draw (algorithm lishui-draw-v1,
inspections/drawing.py) to compare it with the published result. Prints a report in Chinese and
English; exit status 0 when everything matches, 1 when it does not, 2 when the plan cannot be
read. Outside a checkout of the repository, download inspections/drawing.py next to this file.
The ADR "verifiable draw" (docs/adr/) describes the algorithm.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLACES = [HERE / "drawing.py", HERE.parent / "inspections" / "drawing.py"]


def load_drawing():
    for place in PLACES:
        if place.exists():
            # Loaded by path: the portal's packages (Django) are never imported.
            spec = importlib.util.spec_from_file_location("lishui_drawing", place)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    sys.stderr.write("drawing.py not found: put it next to this script\n")
    sys.exit(2)


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(load_drawing().main(["verify", *args] if args[:1] != ["verify"] else args))
