"""Access matrix rows of the intake part (joined by access_matrix.py)."""

ROWS: list = []
