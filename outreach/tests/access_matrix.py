"""Access matrix rows of the outreach app (tests/harness/matrix.py explains the table): add a row
next to each new page or endpoint. Columns in ``tests.personas.PERSONAS`` order."""

from tests.harness.matrix import Row

EVERYONE = "ok ok ok ok ok ok ok ok ok ok"

ROWS = [
    # The public page of the measure (no decorator: GET and POST reach the same page).
    Row("outreach:index", "GET", EVERYONE),
    Row("outreach:index", "POST", EVERYONE),
]
