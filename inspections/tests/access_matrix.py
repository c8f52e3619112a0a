"""Access matrix rows of the inspections app (tests/harness/matrix.py explains the table).

Each part of the app keeps its rows and its objects in ``access_matrix_<part>.py`` (``ROWS`` and
optionally ``world(personas)``); this module joins them. Columns in ``tests.personas.PERSONAS``
order: owner, other_applicant, inspector (LD), other_brigade_inspector (LQ), supervisor (LD),
chief (detachment), administrator, legal_officer, discipline_officer, anonymous.
"""

from importlib import import_module

from tests.harness.matrix import Row

PARTS = ("plans", "visits", "intake", "dashboard", "roster")
EVERYONE = "ok ok ok ok ok ok ok ok ok ok"

_modules = [import_module(f"{__package__}.access_matrix_{part}") for part in PARTS]

ROWS = [
    # The public page of the measure (no decorator: GET and POST reach the same page).
    Row("inspections:index", "GET", EVERYONE),
    Row("inspections:index", "POST", EVERYONE),
]
for _module in _modules:
    ROWS += getattr(_module, "ROWS", [])


def world(personas):
    objects = {}
    for module in _modules:
        if hasattr(module, "world"):
            objects.update(module.world(personas))
    return objects
