"""Access matrix rows of the registry (tests/harness/matrix.py explains the table).

Columns, in ``tests.personas.PERSONAS`` order:
owner, other_applicant, inspector (LD), other_brigade_inspector (LQ), supervisor (LD), chief
(detachment), administrator, legal_officer, discipline_officer, anonymous.

The registry is staff's: applicants and the discipline officer get 403 (``policies.py``); the
world's unit is in LD, so the LQ inspector gets 404 on it.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.harness.matrix import Row

READERS = "403 403 ok ok ok ok ok ok 403 login"
ONE_UNIT = "403 403 ok 404 ok ok ok ok 403 login"
RATERS = "403 403 403 403 ok ok ok 403 403 login"
ADMINS = "403 403 403 403 403 403 ok 403 403 login"
# The credit scale is the detachment's: its supervisors and administrators change it.
SCALE_KEEPERS = "403 403 403 403 403 ok ok 403 403 login"


def world(personas):
    from conftest import EnterpriseFactory
    from lishui_fire.enterprises import services
    from lishui_fire.enterprises.models import CreditGrade, EnterpriseImport
    from lishui_fire.enterprises.services import credit

    enterprise = EnterpriseFactory(name="矩阵测试单位（莲都）", contact_phone="13812345678")
    listing = credit.list_enterprise_as_dishonest(
        enterprise=enterprise, actor=personas["supervisor"], **_listing()
    )
    job = EnterpriseImport(
        original_name="units.csv", uploaded_by=personas["administrator"], status="done"
    )
    job.file.save("matrix-units.csv", ContentFile(b"uscc,name\n"), save=False)
    job.save()
    # A unit whose record earns another grade, with its pending proposal.
    proposal_unit = EnterpriseFactory(name="矩阵测试待定等级单位（莲都）", credit_rating="B")
    credit.record_credit_event(
        enterprise=proposal_unit,
        kind="commendation",
        occurred_on=dt.date.today() - dt.timedelta(days=5),
        source="matrix:commendation",
    )
    services.propose_grades(enterprises=[proposal_unit])
    proposal = proposal_unit.grade_proposals.get(status="pending")
    return {
        "enterprise": enterprise,
        "listing": listing,
        "import_job": job,
        "proposal_unit": proposal_unit,
        "proposal": proposal,
        "grade": CreditGrade.objects.get(code="A"),
    }


def _grade_form(prefix):
    def build(world):
        fields = {
            "code": "E",
            "label": "矩阵等级",
            "sort_order": "90",
            "sampling_multiplier": "1.00",
            "max_planned_inspections_per_year": "",
            "basis": "丽消〔2027〕1号",
            "effective_from": dt.date.today().isoformat(),
        }
        name = prefix(world)
        return {f"{name}-{k}": v for k, v in fields.items()}

    return build


def _decision(world):
    return {f"p{world['proposal'].pk}-decision": "confirm"}


def _listing():
    today = dt.date.today()
    return {
        "list_kind": "serious",
        "listed_on": today - dt.timedelta(days=10),
        "publication_ends_on": today + dt.timedelta(days=1000),
        "source_document": "丽消信〔2026〕3号",
        "source_authority": "丽水市消防救援支队",
        "reason": "拒不整改重大火灾隐患",
    }


def _listing_form(world):
    return {
        f"listing-{key}": value.isoformat() if isinstance(value, dt.date) else value
        for key, value in _listing().items()
    }


def _removal_form(world):
    prefix = f"remove-{world['listing'].pk}"
    return {f"{prefix}-removed_on": dt.date.today().isoformat(), f"{prefix}-note": "整改完成"}


def _csv(world):
    from conftest import _valid_uscc

    body = f"统一社会信用代码,单位名称,地址,所属县区\n{_valid_uscc(90_001)},矩阵导入单位,丽水市莲都区解放街 9 号,莲都区\n"
    return {"file": SimpleUploadedFile("units.csv", body.encode())}


ROWS = [
    Row("enterprises:list", "GET", READERS, shows={"@enterprise.name": ONE_UNIT}),
    Row("enterprises:detail", "GET", ONE_UNIT, pk="@enterprise"),
    # Rating and listing: supervisors and administrators; the decorator asks the role first
    # (403), the unit's scope next (404: the LQ inspector never gets that far).
    Row(
        "enterprises:change_rating",
        "POST",
        RATERS,
        pk="@enterprise",
        data={"to_rating": "D", "reason": "拒不整改重大火灾隐患"},
    ),
    Row("enterprises:add_listing", "POST", RATERS, pk="@enterprise", data=_listing_form),
    Row(
        "enterprises:remove_listing",
        "POST",
        RATERS,
        pk="@enterprise",
        listing_pk="@listing",
        data=_removal_form,
    ),
    # The full number, audited: the handling staff of the unit's brigade only.
    Row(
        "enterprises:reveal_phone",
        "POST",
        "403 403 ok 404 ok ok ok 403 403 login",
        pk="@enterprise",
    ),
    # Credit grades: the scale (read by the registry's readers, kept by the detachment) and the
    # recalculation proposals (the raters of the unit's brigade; the detachment: all).
    Row("enterprises:credit_scale", "GET", READERS),
    Row("enterprises:add_credit_grade", "POST", SCALE_KEEPERS, data=_grade_form(lambda w: "new")),
    Row(
        "enterprises:edit_credit_grade",
        "POST",
        SCALE_KEEPERS,
        pk="@grade",
        data=_grade_form(lambda w: f"g{w['grade'].pk}"),
    ),
    Row("enterprises:grade_proposals", "GET", RATERS, shows={"@proposal_unit.name": RATERS}),
    Row("enterprises:recalculate_grades", "POST", RATERS),
    Row("enterprises:decide_proposal", "POST", RATERS, pk="@proposal", data=_decision),
    Row("enterprises:recalculate_one", "POST", RATERS, pk="@enterprise"),
    Row("enterprises:imports", "GET", ADMINS),
    Row("enterprises:imports", "POST", ADMINS, data=_csv),
    Row("enterprises:import_template", "GET", ADMINS),
    Row("enterprises:import_detail", "GET", ADMINS, pk="@import_job"),
    Row("enterprises:import_errors", "GET", ADMINS, pk="@import_job"),
    # The API: the same readers; 401 for the anonymous (API.md).
    Row(
        "enterprise-list",
        "GET",
        "403 403 ok ok ok ok ok ok 403 401",
        query="page_size=100&q=矩阵测试单位",
        shows={"@enterprise": ONE_UNIT},
    ),
    Row("enterprise-detail", "GET", "403 403 ok 404 ok ok ok ok 403 401", pk="@enterprise"),
]
