"""Access matrix rows of the kernel's pages (tests/harness/matrix.py explains the table).

Columns, in ``tests.personas.PERSONAS`` order:
owner, other_applicant, inspector (LD), other_brigade_inspector (LQ), supervisor (LD), chief
(detachment), administrator, legal_officer, discipline_officer, anonymous.
"""

from tests.harness.matrix import Row

EVERYONE = "ok ok ok ok ok ok ok ok ok ok"
STAFF = "403 403 ok ok ok ok ok ok ok login"


def _verify_query(world):
    from urllib.parse import urlencode

    letter = world["decision_letter"]
    return urlencode({"number": letter.number, "code": letter.verification_code})


ROWS = [
    Row("core:index", "GET", EVERYONE),
    Row("core:index", "POST", EVERYONE),
    # Staff's landing page: every member of staff, each seeing the panels of their role.
    # 联系我们: every unit's hotline and window, for anyone.
    Row("core:contacts", "GET", EVERYONE),
    # 进度查询: anyone, signed in or not. An empty form is refused (400) before any code is sent
    # (a real pair would count against the per-address throttle for every persona); without a
    # code request in the session, the code and case steps lead back to the start.
    Row("core:progress", "GET", EVERYONE),
    Row("core:progress", "POST", "400 400 400 400 400 400 400 400 400 400", data={}),
    Row("core:progress_code", "GET", EVERYONE),
    Row("core:progress_code", "POST", EVERYONE, data={"code": "123456"}),
    Row("core:progress_case", "GET", EVERYONE),
    Row("core:overview", "GET", STAFF),
    Row("core:overview", "POST", STAFF),
    # Anyone holding the paper letter checks it: here a real one (permits' decision letter).
    Row("document-verify", "GET", EVERYONE, query=_verify_query),
    Row("core:verify_document", "GET", EVERYONE, query=_verify_query),
]
