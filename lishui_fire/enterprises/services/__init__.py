"""Every state change of the registry (views, API, admin, tasks and demo data call these).

``registry`` registers units and changes their credit rating; ``credit`` enters and removes
dishonesty-list entries; ``csv_import`` is the administrators' bulk import. The names are
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
from .registry import change_credit_rating, create_enterprise, reveal_enterprise_contact_phone

__all__ = [
    "IMPORT_CHUNK_SIZE",
    "IMPORT_COLUMNS",
    "IMPORT_HEADERS",
    "change_credit_rating",
    "create_enterprise",
    "import_error_report_csv",
    "import_template_csv",
    "list_enterprise_as_dishonest",
    "process_enterprise_import",
    "record_credit_event",
    "remove_dishonesty_listing",
    "reveal_enterprise_contact_phone",
    "start_enterprise_import",
]
