"""Access matrix rows of the dashboard part (joined by access_matrix.py).

The supervisors' view: brigade supervisors (their brigade), the detachment and administrators;
every other role 403 (the API: 401 for the anonymous). Another brigade's figures are a 404 for a
brigade supervisor (inspections/tests/test_dashboard_pages.py).
"""

from tests.harness.matrix import Row

SUPERVISORS = "403 403 403 403 ok ok ok 403 403 login"

ROWS = [
    Row("inspections:dashboard", "GET", SUPERVISORS),
    Row("inspections:dashboard_capped_units", "GET", SUPERVISORS),
    Row("inspection-dashboard", "GET", "403 403 403 403 ok ok ok 403 403 401"),
]
