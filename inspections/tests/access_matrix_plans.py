"""Access matrix rows of the plans part (joined by access_matrix.py)."""

ROWS: list = []
