"""What the load run's personas request, as data: the locustfile and the smoke test read it.

Kept free of locust so that ``tests/harness/test_load_scenario.py`` can check, in the normal
test run and without locust installed, that every path here still resolves to a portal view.
Names and password are those of bench/permits_bench.py's builder (and bench/load/seed.py).
"""

from __future__ import annotations

PASSWORD = "bench-password-2026"  # noqa: S105  (the bench users only, never a real account)
BRIGADE_CODES = ["LD", "QT", "JY", "SC", "LQ", "YH", "QY", "JN", "SY"]
APPLICANTS = 2_000  # bench-app-0 … bench-app-1999
SUPERVISOR = "bench-sup-LD"
CHIEF = "bench-chief"
BOOKING_VENUE = "负载测试场所"  # what simulated applicants book; seed.py removes it next run


def applicant(i: int) -> str:
    return f"bench-app-{i % APPLICANTS}"


def inspector(code: str) -> str:
    return f"bench-insp-{code}"


LOGIN = "/accounts/login/"
BARE = "/bench/ping/"

# (name shown in the report, path); a "{…}" part is filled in by the locustfile.
APPLICANT_PATHS = {
    "applicant: slots page": "/permits/precheck/",
    "applicant: slots API (available)": "/api/v1/precheck-slots/?available=true&brigade={brigade}",
    "applicant: my applications": "/permits/mine/",
    "applicant: book (API POST)": "/api/v1/precheck-bookings/",
    "applicant: cancel (API POST)": "/api/v1/precheck-bookings/{id}/cancel/",
}
INSPECTOR_PATHS = {
    "inspector: day view (tomorrow)": "/permits/today/?date={date}",
    "inspector: day view (today)": "/permits/today/",
}
SUPERVISOR_PATHS = {
    "supervisor: overview": "/overview/",
    "supervisor: permits dashboard": "/permits/staff/dashboard/",
    "chief: permits dashboard (9 brigades)": "/permits/staff/dashboard/",
}
# The published results the public reads today: the measure page with the time limits in force,
# the public check of an issued document, and the inspections entry page (its published plans
# and results arrive with the inspections app; add their paths here then).
PUBLIC_PATHS = {
    "public: permits page": "/permits/",
    "public: inspections page": "/inspections/",
    "public: document check (API)": "/api/v1/documents/verify/?number={number}&code={code}",
}


def all_paths() -> dict[str, str]:
    return {
        "login": LOGIN,
        "bare DRF endpoint": BARE,
        **APPLICANT_PATHS,
        **INSPECTOR_PATHS,
        **SUPERVISOR_PATHS,
        **PUBLIC_PATHS,
    }
