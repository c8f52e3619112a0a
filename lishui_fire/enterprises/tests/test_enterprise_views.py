"""Staff pages of the enterprise registry and the import pages: access, scoping, masking, queries."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import CreditRatingChange, Enterprise, EnterpriseImport


def valid_uscc(n: int) -> str:
    first17 = f"91331102{n:09d}"
    return first17 + uscc_check_char(first17)


def make_enterprise(org_units, n: int, unit: str = "LD", **extra) -> Enterprise:
    defaults = {
        "uscc": valid_uscc(n),
        "name": f"{unit}测试单位{n}",
        "address": "丽水市某路 1 号",
        "brigade": org_units[unit],
        "venue_type": "hotel",
        "credit_rating": "B",
        "contact_name": "王五",
        "contact_phone": f"138{n:08d}",
    }
    defaults.update(extra)
    return Enterprise.objects.create(**defaults)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Seven personas per test: a fast hasher keeps the access table quick.


@pytest.fixture
def ld(org_units):
    return make_enterprise(org_units, 1, "LD", name="莲都好客宾馆", contact_phone="13812345678")


@pytest.fixture
def lq(org_units):
    return make_enterprise(org_units, 2, "LQ", name="龙泉青瓷商场")


@pytest.fixture
def finished_import(administrator):
    return EnterpriseImport.objects.create(
        original_name="units.csv",
        uploaded_by=administrator,
        status="done",
        total_rows=1,
        processed_rows=1,
        created_count=1,
    )


CSV = (
    "统一社会信用代码,单位名称,地址,所属县区,场所类型\n"
    f"{valid_uscc(50)},新单位,莲都区某路,LD,hotel\n"
).encode()

# (page, method, persona) → status. Applicants: 403; anonymous: redirected to the login page.
ACCESS = {
    "list": (
        "get",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 200,
            "other_brigade_inspector": 200,
            "supervisor": 200,
            "chief": 200,
            "administrator": 200,
            "legal_officer": 200,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "detail_ld": (
        "get",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 200,
            "other_brigade_inspector": 404,
            "supervisor": 200,
            "chief": 200,
            "administrator": 200,
            "legal_officer": 200,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "detail_lq": (
        "get",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 404,
            "other_brigade_inspector": 200,
            "supervisor": 404,
            "chief": 200,
            "administrator": 200,
            "legal_officer": 404,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "change_rating_ld": (
        "post",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 403,
            "other_brigade_inspector": 403,
            "supervisor": 302,
            "chief": 302,
            "administrator": 302,
            "legal_officer": 403,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "reveal_phone_ld": (
        "post",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 200,
            "other_brigade_inspector": 404,
            "supervisor": 200,
            "chief": 200,
            "administrator": 200,
            "legal_officer": 403,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "imports": (
        "get",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 403,
            "other_brigade_inspector": 403,
            "supervisor": 403,
            "chief": 403,
            "administrator": 200,
            "legal_officer": 403,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "upload": (
        "post",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 403,
            "other_brigade_inspector": 403,
            "supervisor": 403,
            "chief": 403,
            "administrator": 302,
            "legal_officer": 403,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "import_detail": (
        "get",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 403,
            "other_brigade_inspector": 403,
            "supervisor": 403,
            "chief": 403,
            "administrator": 200,
            "legal_officer": 403,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "import_errors": (
        "get",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 403,
            "other_brigade_inspector": 403,
            "supervisor": 403,
            "chief": 403,
            "administrator": 200,
            "legal_officer": 403,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
    "import_template": (
        "get",
        {
            "owner": 403,
            "other_applicant": 403,
            "inspector": 403,
            "other_brigade_inspector": 403,
            "supervisor": 403,
            "chief": 403,
            "administrator": 200,
            "legal_officer": 403,
            "discipline_officer": 403,
            "anonymous": 302,
        },
    ),
}
CASES = [(page, persona) for page, (_m, table) in ACCESS.items() for persona in table]


@pytest.mark.parametrize(("page", "persona"), CASES)
def test_access_table(
    client_for, personas, ld, lq, finished_import, django_capture_on_commit_callbacks, page, persona
):
    method, table = ACCESS[page]
    urls = {
        "list": (reverse("enterprises:list"), {}),
        "detail_ld": (reverse("enterprises:detail", args=[ld.pk]), {}),
        "detail_lq": (reverse("enterprises:detail", args=[lq.pk]), {}),
        "change_rating_ld": (
            reverse("enterprises:change_rating", args=[ld.pk]),
            {"to_rating": "C", "reason": "检查发现重大隐患"},
        ),
        "reveal_phone_ld": (reverse("enterprises:reveal_phone", args=[ld.pk]), {}),
        "imports": (reverse("enterprises:imports"), {}),
        "upload": (
            reverse("enterprises:imports"),
            {"file": SimpleUploadedFile("units.csv", CSV, content_type="text/csv")},
        ),
        "import_detail": (reverse("enterprises:import_detail", args=[finished_import.pk]), {}),
        "import_errors": (reverse("enterprises:import_errors", args=[finished_import.pk]), {}),
        "import_template": (reverse("enterprises:import_template"), {}),
    }
    url, data = urls[page]
    client = client_for(personas[persona])

    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(url, data)

    assert response.status_code == table[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    succeeded = table[persona] == 302 and persona != "anonymous"
    changed = Enterprise.objects.get(pk=ld.pk).credit_rating == "C"
    assert changed == (page == "change_rating_ld" and succeeded)
    created = Enterprise.objects.filter(uscc=valid_uscc(50)).exists()
    assert created == (page == "upload" and succeeded)


def test_an_inspector_lists_only_the_enterprises_of_their_brigade(client_for, inspector, ld, lq):
    response = client_for(inspector).get(reverse("enterprises:list"))

    assert ld.name in response.content.decode()
    assert lq.name not in response.content.decode()


def test_the_chief_lists_every_brigade(client_for, chief, ld, lq):
    html = client_for(chief).get(reverse("enterprises:list")).content.decode()

    assert ld.name in html
    assert lq.name in html


def test_the_list_masks_contact_phones_and_names(client_for, chief, ld):
    html = client_for(chief).get(reverse("enterprises:list")).content.decode()

    assert "138****5678" in html
    assert "13812345678" not in html
    assert "王*" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"county": "LQ"}, {"龙泉青瓷商场"}),
        ({"credit_rating": "A"}, {"莲都A级宾馆"}),
        ({"risk_level": "high"}, {"莲都A级宾馆"}),
        ({"venue_type": "mall"}, {"龙泉青瓷商场"}),
        ({"q": "青瓷"}, {"龙泉青瓷商场"}),
        ({"q": " ".join([valid_uscc(2)[:9], valid_uscc(2)[9:]]).lower()}, {"龙泉青瓷商场"}),
        ({"county": "LD", "credit_rating": "A"}, {"莲都A级宾馆"}),
        ({"county": "NOPE"}, {"莲都好客宾馆", "龙泉青瓷商场", "莲都A级宾馆"}),  # bad filter ignored
    ],
)
def test_the_list_filters(client_for, chief, org_units, ld, query, expected):
    make_enterprise(org_units, 2, "LQ", name="龙泉青瓷商场", venue_type="mall")
    make_enterprise(org_units, 3, "LD", name="莲都A级宾馆", credit_rating="A", risk_level="high")

    response = client_for(chief).get(reverse("enterprises:list"), query)

    assert response.status_code == 200
    shown = {row["enterprise"].name for row in response.context["rows"]}
    assert shown == expected


def test_the_list_is_paginated_by_25(client_for, chief, org_units):
    for n in range(30):
        make_enterprise(org_units, n + 10)
    client = client_for(chief)

    first = client.get(reverse("enterprises:list"))
    second = client.get(reverse("enterprises:list"), {"page": 2})
    garbage = client.get(reverse("enterprises:list"), {"page": "x"})

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 5
    assert garbage.status_code == 200


def _list_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["inspector", "chief"])
def test_the_list_query_count_does_not_grow_with_rows(client_for, personas, org_units, persona):
    client = client_for(personas[persona])
    url = reverse("enterprises:list")
    for n in range(5):
        make_enterprise(org_units, n, "LD" if n % 2 else "LQ")
    client.get(url)  # warm: the staff idle timeout writes the session at most once a minute
    few = _list_queries(client, url)
    for n in range(5, 30):
        make_enterprise(org_units, n, "LD" if n % 2 else "LQ")
    many = _list_queries(client, url)

    assert few == many


def test_the_detail_page_shows_the_rating_history(client_for, chief, supervisor, ld):
    CreditRatingChange.objects.create(
        enterprise=ld, from_rating="A", to_rating="B", reason="年度复核降级", changed_by=supervisor
    )

    html = client_for(chief).get(reverse("enterprises:detail", args=[ld.pk])).content.decode()

    assert "年度复核降级" in html
    assert "138****5678" in html
    assert "13812345678" not in html


def test_a_supervisor_changes_the_rating_with_a_reason(client_for, supervisor, ld):
    response = client_for(supervisor).post(
        reverse("enterprises:change_rating", args=[ld.pk]),
        {"to_rating": "D", "reason": "拒不整改重大火灾隐患"},
        follow=True,
    )

    assert response.status_code == 200
    ld.refresh_from_db()
    assert ld.credit_rating == "D"
    change = ld.rating_changes.get()
    assert (change.from_rating, change.to_rating, change.changed_by) == ("B", "D", supervisor)
    assert "拒不整改重大火灾隐患" in response.content.decode()


def test_a_rating_change_without_a_reason_is_refused_with_a_message(client_for, supervisor, ld):
    response = client_for(supervisor).post(
        reverse("enterprises:change_rating", args=[ld.pk]), {"to_rating": "D", "reason": "  "}
    )

    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    ld.refresh_from_db()
    assert ld.credit_rating == "B"


def test_the_inspector_sees_no_rating_form(client_for, inspector, ld):
    html = client_for(inspector).get(reverse("enterprises:detail", args=[ld.pk])).content.decode()

    assert reverse("enterprises:change_rating", args=[ld.pk]) not in html
    assert "显示完整号码" in html


def test_revealing_the_full_phone_shows_it_once_and_is_audited(client_for, inspector, ld):
    client = client_for(inspector)

    response = client.post(reverse("enterprises:reveal_phone", args=[ld.pk]))

    assert "13812345678" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert (entry.actor, entry.object_pk) == (inspector, str(ld.pk))
    assert entry.additional_data["field"] == "contact_phone"
    again = client.get(reverse("enterprises:detail", args=[ld.pk]))
    assert "13812345678" not in again.content.decode()


def test_revealing_by_get_is_not_allowed(client_for, inspector, ld):
    response = client_for(inspector).get(reverse("enterprises:reveal_phone", args=[ld.pk]))

    assert response.status_code == 405
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_an_administrator_uploads_and_lands_on_the_result(
    client_for, administrator, django_capture_on_commit_callbacks
):
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enterprises:imports"), {"file": SimpleUploadedFile("units.csv", CSV)}
        )
    job = EnterpriseImport.objects.get()
    assert response["Location"] == reverse("enterprises:import_detail", args=[job.pk])

    result = client.get(response["Location"])

    html = result.content.decode()
    assert "导入结果" in html
    assert 'http-equiv="refresh"' not in html
    assert job.original_name in html
    assert Enterprise.objects.filter(uscc=valid_uscc(50)).exists()


def test_a_refused_upload_shows_the_reason_on_the_form(client_for, administrator):
    response = client_for(administrator).post(
        reverse("enterprises:imports"), {"file": SimpleUploadedFile("units.xlsx", b"PK\x03\x04")}
    )

    assert response.status_code == 400
    assert ".csv" in response.content.decode()
    assert not EnterpriseImport.objects.exists()


def test_the_progress_page_refreshes_itself_while_the_import_runs(client_for, administrator):
    job = EnterpriseImport.objects.create(
        original_name="big.csv",
        uploaded_by=administrator,
        status="running",
        total_rows=20000,
        processed_rows=5000,
    )

    response = client_for(administrator).get(reverse("enterprises:import_detail", args=[job.pk]))

    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert 'value="25"' in html
    assert "<script" not in html


def test_the_result_page_lists_the_bad_rows(client_for, administrator):
    job = EnterpriseImport.objects.create(
        original_name="units.csv",
        uploaded_by=administrator,
        status="done",
        total_rows=2,
        processed_rows=2,
        created_count=1,
        error_count=1,
        errors=[{"line": 3, "uscc": "BAD", "errors": ["地址不能为空", "单位名称不能为空"]}],
    )

    html = (
        client_for(administrator)
        .get(reverse("enterprises:import_detail", args=[job.pk]))
        .content.decode()
    )

    assert "地址不能为空" in html
    assert "单位名称不能为空" in html
    assert reverse("enterprises:import_errors", args=[job.pk]) in html


def test_the_import_page_of_a_missing_job_is_404(client_for, administrator):
    response = client_for(administrator).get(reverse("enterprises:import_detail", args=[999999]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name",
    ["list", "detail", "imports", "import_detail"],
)
def test_every_page_has_exactly_one_h1_and_labelled_inputs(
    client_for, administrator, ld, finished_import, name
):
    urls = {
        "list": reverse("enterprises:list"),
        "detail": reverse("enterprises:detail", args=[ld.pk]),
        "imports": reverse("enterprises:imports"),
        "import_detail": reverse("enterprises:import_detail", args=[finished_import.pk]),
    }
    html = client_for(administrator).get(urls[name]).content.decode()

    assert html.count("<h1") == 1
    main = html.split("<main", 1)[1]
    for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', main):
        assert f'for="{input_id}"' in main, input_id
    for table in re.findall(r"<table>.*?</table>", main, flags=re.S):
        assert "<caption" in table  # <caption id=…>: it names the table's scroll box


def test_the_admin_lists_enterprises_with_a_link_to_the_import(
    client_for, administrator, ld, supervisor
):
    CreditRatingChange.objects.create(
        enterprise=ld, from_rating="A", to_rating="B", reason="年度复核", changed_by=supervisor
    )
    client = client_for(administrator)

    changelist = client.get(reverse("admin:enterprises_enterprise_changelist"), {"q": "好客"})
    change = client.get(reverse("admin:enterprises_enterprise_change", args=[ld.pk]))

    assert changelist.status_code == 200
    assert reverse("enterprises:imports") in changelist.content.decode()
    assert ld.name in changelist.content.decode()
    assert change.status_code == 200
    assert "年度复核" in change.content.decode()
    assert 'name="credit_rating"' not in change.content.decode()  # changed only with a reason


def test_an_upload_larger_than_the_in_memory_limit_is_read_from_disk(
    client_for, administrator, settings, django_capture_on_commit_callbacks
):
    remark = "备" * 500  # an extra column the import ignores, to make the file large
    lines = ["统一社会信用代码,单位名称,地址,所属县区,场所类型,备注"]
    lines += [f"{valid_uscc(n)},单位{n},某路{n}号,LD,hotel,{remark}" for n in range(2200)]
    content = "\n".join(lines).encode("gb18030")
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            reverse("enterprises:imports"), {"file": SimpleUploadedFile("big.csv", content)}
        )

    assert response.status_code == 302
    job = EnterpriseImport.objects.get()
    assert (job.status, job.created_count, job.error_count) == ("done", 2200, 0)
