"""Demo world of measure 3 (``manage.py seed_demo``): each part seeds its share in
``inspections/demo_<part>.py`` (a ``seed(stdout)`` function, idempotent), in this order: the
roster first (officers and their certificates are what a plan's draw picks from)."""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

PARTS = ("roster", "plans", "visits", "intake", "dashboard")


def seed(stdout: Any) -> None:
    for part in PARTS:
        name = f"{__package__}.demo_{part}"
        if find_spec(name) is not None:
            import_module(name).seed(stdout)
