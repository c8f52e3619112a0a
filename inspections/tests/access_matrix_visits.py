"""Access matrix rows of the visits part (joined by access_matrix.py)."""

ROWS: list = []
