"""Every state change of the registry (views, API, admin, tasks and demo data call these).

``registry`` registers units and changes their credit rating; ``credit`` enters and removes
dishonesty-list entries; ``grading`` the
scale, recalculation proposals and their decision; ``csv_import`` is the administrators' bulk import. The names are
re-exported here so callers write ``services.change_credit_rating``.
"""

from .credit import (
    list_enterprise_as_dishonest,
    record_credit_event,
    remove_dishonesty_listing,
)
from .csv_import import (
    IMPORT_CHUNK_SIZE,
    IMPORT_COLUMNS,
    IMPORT_HEADERS,
    import_error_report_csv,
    import_template_csv,
    process_enterprise_import,
    start_enterprise_import,
)
from .grading import (
    decide_grade_proposal,
    propose_grade_for,
    propose_grades,
    request_grade_recalculation,
    save_credit_grade,
)
from .registry import change_credit_rating, create_enterprise, reveal_enterprise_contact_phone

__all__ = [
    "IMPORT_CHUNK_SIZE",
    "IMPORT_COLUMNS",
    "IMPORT_HEADERS",
    "change_credit_rating",
    "create_enterprise",
    "decide_grade_proposal",
    "import_error_report_csv",
    "import_template_csv",
    "list_enterprise_as_dishonest",
    "process_enterprise_import",
    "propose_grade_for",
    "propose_grades",
    "record_credit_event",
    "remove_dishonesty_listing",
    "request_grade_recalculation",
    "reveal_enterprise_contact_phone",
    "save_credit_grade",
    "start_enterprise_import",
]
