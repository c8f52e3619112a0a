"""Access matrix rows of the dashboard part (joined by access_matrix.py)."""

ROWS: list = []
