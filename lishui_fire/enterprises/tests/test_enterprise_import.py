"""The administrators' CSV import of the enterprise registry."""

from __future__ import annotations

import csv
import io
import time

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import skip_or_fail
from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import CreditRatingChange, Enterprise, EnterpriseImport
from lishui_fire.enterprises.services import csv_import as services

HEADER = [
    "统一社会信用代码",
    "单位名称",
    "地址",
    "所属县区",
    "场所类型",
    "风险等级",
    "信用等级",
    "联系人",
    "联系电话",
]


def valid_uscc(n: int) -> str:
    first17 = f"91331102{n:09d}"
    return first17 + uscc_check_char(first17)


def bad_checksum(n: int) -> str:
    good = valid_uscc(n)
    wrong = "0" if good[-1] != "0" else "1"
    return good[:-1] + wrong


def csv_bytes(rows, *, header=HEADER, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def good_rows():
    return [
        [
            valid_uscc(1),
            "好客宾馆",
            "莲都区人民街 1 号",
            "LD",
            "宾馆、饭店",
            "高风险",
            "A",
            "王五",
            "13812345678",
        ],
        [valid_uscc(2), "青瓷商场", "龙泉市剑池街道 8 号", "龙泉市", "mall", "low", "B级", "", ""],
        [
            valid_uscc(3),
            "石门洞景区餐厅",
            "青田县石门洞",
            "青田县消防救援大队",
            "餐饮场所",
            "中风险",
            "",
            "赵六",
            "139 1234 5678",
        ],
    ]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def run_import(administrator, django_capture_on_commit_callbacks):
    """Upload ``content`` as the administrator and run the queued task (eagerly) on commit."""

    def run(content: bytes, name: str = "units.csv", user=None) -> EnterpriseImport:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start_enterprise_import(
                uploaded_file=SimpleUploadedFile(name, content, content_type="text/csv"),
                uploaded_by=user or administrator,
            )
        job.refresh_from_db()
        return job

    return run


def test_good_rows_are_created_with_every_spelling_understood(run_import, org_units):
    job = run_import(csv_bytes(good_rows()))

    assert job.status == EnterpriseImport.Status.DONE
    assert (job.total_rows, job.processed_rows) == (3, 3)
    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_count) == (
        3,
        0,
        0,
        0,
    )
    hotel = Enterprise.objects.get(uscc=valid_uscc(1))
    assert (hotel.brigade, hotel.venue_type, hotel.risk_level, hotel.credit_rating) == (
        org_units["LD"],
        "hotel",
        "high",
        "A",
    )
    assert (hotel.contact_name, hotel.contact_phone) == ("王五", "13812345678")
    mall = Enterprise.objects.get(uscc=valid_uscc(2))
    assert (mall.brigade, mall.venue_type, mall.risk_level, mall.credit_rating) == (
        org_units["LQ"],
        "mall",
        "low",
        "B",
    )
    restaurant = Enterprise.objects.get(uscc=valid_uscc(3))
    assert restaurant.brigade == org_units["QT"]
    assert (restaurant.risk_level, restaurant.credit_rating) == ("medium", "B")  # blank: default
    assert restaurant.contact_phone == "13912345678"


def test_created_enterprises_start_their_rating_history_and_audit_log(run_import, administrator):
    run_import(csv_bytes(good_rows()), name="2026年名单.csv")

    change = CreditRatingChange.objects.get(enterprise__uscc=valid_uscc(1))
    assert (change.from_rating, change.to_rating) == ("", "A")
    assert change.reason == "批量导入：2026年名单.csv"
    assert change.changed_by == administrator
    hotel = Enterprise.objects.get(uscc=valid_uscc(1))
    entry = LogEntry.objects.get_for_object(hotel).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == administrator
    assert entry.additional_data["line"] == 2


def test_importing_the_same_file_again_creates_nothing_and_counts_all_unchanged(run_import):
    content = csv_bytes(good_rows())
    run_import(content)
    before = (
        Enterprise.objects.count(),
        CreditRatingChange.objects.count(),
        LogEntry.objects.count(),
    )

    again = run_import(content)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    after = (
        Enterprise.objects.count(),
        CreditRatingChange.objects.count(),
        LogEntry.objects.count(),
    )
    assert after == before


def test_running_the_same_import_job_twice_has_one_effect(run_import):
    job = run_import(csv_bytes(good_rows()))

    rerun = services.process_enterprise_import(import_id=job.pk)

    assert rerun.created_count == 3
    assert Enterprise.objects.count() == 3
    assert CreditRatingChange.objects.count() == 3


def test_an_interrupted_job_resumes_after_its_last_committed_chunk(run_import, administrator):
    rows = [
        [valid_uscc(n), f"单位{n}", "地址", "LD", "hotel", "", "", "", ""] for n in range(1, 251)
    ]
    job = run_import(csv_bytes(rows))
    assert job.created_count == 250
    # Pretend the worker died after the first two chunks: the same job runs again.
    Enterprise.objects.filter(name__in=[f"单位{n}" for n in range(201, 251)]).delete()
    EnterpriseImport.objects.filter(pk=job.pk).update(
        status="running", processed_rows=200, created_count=200
    )

    resumed = services.process_enterprise_import(import_id=job.pk)

    assert resumed.status == EnterpriseImport.Status.DONE
    assert (resumed.processed_rows, resumed.created_count, resumed.unchanged_count) == (250, 250, 0)
    assert Enterprise.objects.count() == 250


def test_good_rows_are_kept_and_every_bad_row_reported_with_its_line_and_all_reasons(run_import):
    rows = [
        good_rows()[0],  # line 2
        [bad_checksum(5), "", "", "火星区", "飞船", "极高", "E", "", "1381234567"],  # line 3
        [valid_uscc(6), "缺地址单位", "", "LD", "hotel", "", "", "", ""],  # line 4
        good_rows()[1],  # line 5
        ["", "无代码", "某地", "LD", "hotel", "", "", "", ""],  # line 6
    ]

    job = run_import(csv_bytes(rows))

    assert (job.created_count, job.error_count) == (2, 3)
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == {valid_uscc(1), valid_uscc(2)}
    by_line = {e["line"]: e for e in job.errors}
    assert set(by_line) == {3, 4, 6}
    reasons = " | ".join(by_line[3]["errors"])
    for expected in (
        "统一社会信用代码无效",
        "单位名称不能为空",
        "地址不能为空",
        "未知的所属县区：火星区",
        "未知的场所类型：飞船",
        "未知的风险等级：极高",
        "未知的信用等级：E",
        "联系电话无效",
    ):
        assert expected in reasons
    assert len(by_line[3]["errors"]) == 8
    assert by_line[3]["uscc"] == bad_checksum(5)
    assert by_line[4]["errors"] == ["地址不能为空"]
    assert by_line[6]["errors"] == ["统一社会信用代码不能为空"]


def test_a_cell_with_a_direction_override_is_refused_and_nothing_of_its_row_imported(run_import):
    """The rows are written in bulk, past the models' validators: a U+202E in a unit's name
    would have reversed the wording of the inspection letters that print it (ADR 0024)."""
    rows = [
        [valid_uscc(11), "丽水\u202e酒店", "莲都区人民街 2 号", "LD", "hotel", "", "", "", ""],
        [valid_uscc(12), "青瓷酒店", "龙泉市\u200b剑池街道", "LQ", "hotel", "", "", "王\x07五", ""],
        good_rows()[1],
    ]

    job = run_import(csv_bytes(rows))

    assert (job.created_count, job.error_count) == (1, 2)
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == {valid_uscc(2)}
    by_line = {e["line"]: e["errors"] for e in job.errors}
    assert len(by_line[2]) == 1
    assert by_line[2][0].startswith("单位名称：")
    assert "控制字符或格式字符" in by_line[2][0]
    assert [e.split("：")[0] for e in by_line[3]] == ["地址", "联系人"]


def test_a_new_enterprise_needs_a_venue_type(run_import):
    job = run_import(csv_bytes([[valid_uscc(9), "无类型", "某地", "LD", "", "", "", "", ""]]))

    assert job.error_count == 1
    assert "场所类型不能为空" in job.errors[0]["errors"][0]
    assert not Enterprise.objects.exists()


def test_a_duplicate_credit_code_in_one_file_is_reported(run_import):
    rows = [
        good_rows()[0],
        good_rows()[1],
        [valid_uscc(1).lower(), "重复单位", "某地", "LD", "hotel", "", "", "", ""],
    ]

    job = run_import(csv_bytes(rows))

    assert (job.created_count, job.error_count) == (2, 1)
    assert job.errors[0]["line"] == 4
    assert job.errors[0]["errors"] == ["与第 2 行的统一社会信用代码重复"]
    assert Enterprise.objects.get(uscc=valid_uscc(1)).name == "好客宾馆"


def test_a_gb18030_file_from_excel_is_read(run_import, org_units):
    job = run_import(csv_bytes(good_rows(), encoding="gb18030"))

    assert (job.created_count, job.error_count) == (3, 0)
    assert Enterprise.objects.get(uscc=valid_uscc(3)).name == "石门洞景区餐厅"


def test_a_utf8_file_with_bom_is_read(run_import):
    job = run_import(csv_bytes(good_rows(), encoding="utf-8-sig"))

    assert (job.created_count, job.error_count) == (3, 0)
    assert Enterprise.objects.get(uscc=valid_uscc(1)).name == "好客宾馆"


def test_english_headers_in_any_order_are_accepted(run_import):
    header = ["Name", "USCC", "County", "Address", "Venue Type", "Credit Rating"]
    job = run_import(
        csv_bytes([["好客宾馆", valid_uscc(1), "ld", "某地", "hotel", "c"]], header=header)
    )

    assert job.created_count == 1
    assert Enterprise.objects.get().credit_rating == "C"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.xlsx", b"PK\x03\x04\x14\x00\x06\x00", ".csv"),
        ("units.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "编码"),
        ("units.csv", "统一社会信用代码,单位名称".encode("utf-16"), "编码"),
        ("units.csv", b"", "空"),
        ("units.csv", "单位名称,地址\n某单位,某地\n".encode(), "缺少必需的列"),
        ("units.csv", ",".join(HEADER).encode() + b"\n", "没有数据"),
    ],
)
def test_an_unreadable_upload_is_refused_with_a_message_and_nothing_is_stored(
    administrator, name, content, message
):
    with pytest.raises(ValidationError) as caught:
        services.start_enterprise_import(
            uploaded_file=SimpleUploadedFile(name, content), uploaded_by=administrator
        )

    assert message in " ".join(caught.value.message_dict["file"])
    assert not EnterpriseImport.objects.exists()
    assert not Enterprise.objects.exists()


def test_an_oversized_upload_is_refused(administrator, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    content = csv_bytes(good_rows() * 20)
    assert len(content) > 1024

    with pytest.raises(ValidationError) as caught:
        services.start_enterprise_import(
            uploaded_file=SimpleUploadedFile("big.csv", content), uploaded_by=administrator
        )

    assert "文件过大" in caught.value.message_dict["file"][0]
    assert not EnterpriseImport.objects.exists()
    assert not Enterprise.objects.exists()


def test_a_rating_change_through_import_is_recorded_in_the_history(
    run_import, administrator, org_units
):
    Enterprise.objects.create(
        uscc=valid_uscc(1),
        name="好客宾馆",
        address="莲都区人民街 1 号",
        brigade=org_units["LD"],
        venue_type="hotel",
        credit_rating="B",
    )

    job = run_import(
        csv_bytes([[valid_uscc(1), "好客宾馆", "莲都区人民街 1 号", "LD", "", "", "D级", "", ""]]),
        name="信用名单.csv",
    )

    assert (job.created_count, job.updated_count) == (0, 1)
    change = CreditRatingChange.objects.get()
    assert (change.from_rating, change.to_rating) == ("B", "D")
    assert change.reason == "批量导入：信用名单.csv"
    assert change.changed_by == administrator
    enterprise = Enterprise.objects.get()
    assert enterprise.credit_rating == "D"
    entry = LogEntry.objects.get_for_object(enterprise).get(action=LogEntry.Action.UPDATE)
    assert entry.changes == {"credit_rating": ["B", "D"]}


def test_blank_optional_cells_keep_the_existing_values(run_import, org_units):
    Enterprise.objects.create(
        uscc=valid_uscc(1),
        name="好客宾馆",
        address="旧地址",
        brigade=org_units["LD"],
        venue_type="hotel",
        risk_level="high",
        credit_rating="A",
        contact_name="王五",
        contact_phone="13812345678",
    )

    job = run_import(csv_bytes([[valid_uscc(1), "好客宾馆", "新地址", "LD", "", "", "", "", ""]]))

    assert job.updated_count == 1
    enterprise = Enterprise.objects.get()
    assert enterprise.address == "新地址"
    assert (enterprise.risk_level, enterprise.credit_rating, enterprise.contact_phone) == (
        "high",
        "A",
        "13812345678",
    )
    assert not CreditRatingChange.objects.exists()


def test_existing_enterprises_are_fetched_once_per_chunk_not_once_per_row(run_import):
    def enterprise_selects(rows: int) -> int:
        content = csv_bytes(
            [
                [valid_uscc(n), f"单位{n}", "地址", "LD", "hotel", "", "", "", ""]
                for n in range(rows)
            ]
        )
        with CaptureQueriesContext(connection) as ctx:
            run_import(content, name=f"{rows}.csv")
        return sum(
            1
            for q in ctx.captured_queries
            if q["sql"].startswith("SELECT") and 'FROM "core_enterprise"' in q["sql"]
        )

    chunk = services.IMPORT_CHUNK_SIZE
    assert enterprise_selects(chunk // 2) == 1
    assert enterprise_selects(chunk * 3 + 5) == 4


def test_progress_is_written_while_the_file_is_processed(run_import, monkeypatch):
    seen: list[int] = []
    original = services._apply_chunk

    def spy(job, rows, progress, **kwargs):
        seen.append(EnterpriseImport.objects.get(pk=job.pk).processed_rows)
        return original(job, rows, progress, **kwargs)

    monkeypatch.setattr(services, "_apply_chunk", spy)
    rows = [[valid_uscc(n), f"单位{n}", "地址", "LD", "hotel", "", "", "", ""] for n in range(250)]
    job = run_import(csv_bytes(rows))

    assert seen == [0, 100, 200]
    assert job.processed_rows == 250


# --- Error report ---------------------------------------------------------------------------------


@pytest.fixture
def job_with_errors(run_import):
    rows = [
        good_rows()[0],
        [bad_checksum(4), "坏代码", "某地", "LD", "hotel", "", "", "", "13812345678x"],
        ['=HYPERLINK("http://evil")', "注入", "某地", "LD", "hotel", "", "", "", ""],
    ]
    return run_import(csv_bytes(rows))


def test_the_error_report_lists_line_code_and_reasons_with_phones_masked(
    client_for, administrator, job_with_errors
):
    response = client_for(administrator).get(
        reverse("enterprises:import_errors", args=[job_with_errors.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["行号", "信用代码", "错误原因"]
    assert rows[1][0] == "3"
    assert rows[1][1] == bad_checksum(4)
    assert "统一社会信用代码无效" in rows[1][2]
    assert "联系电话无效" in rows[1][2]
    assert "13812345678" not in text
    assert "138*****678x" in text
    assert rows[2][1].startswith("'=")  # a spreadsheet will not run it as a formula


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302),
        ("owner", 403),
        ("inspector", 403),
        ("supervisor", 403),
        ("chief", 403),
        ("administrator", 200),
        ("legal_officer", 403),
        ("discipline_officer", 403),
    ],
)
def test_only_administrators_download_the_error_report(
    client_for, personas, job_with_errors, persona, expected
):
    response = client_for(personas[persona]).get(
        reverse("enterprises:import_errors", args=[job_with_errors.pk])
    )
    assert response.status_code == expected


def test_the_template_has_the_chinese_header_and_a_bom_for_excel(client_for, administrator):
    response = client_for(administrator).get(reverse("enterprises:import_template"))

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == HEADER


# --- A real worker -----------------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_processes_the_import_and_a_redelivery_changes_nothing(administrator):
    import redis
    from celery.contrib.testing.worker import start_worker

    from lishui_fire.celery import app
    from lishui_fire.enterprises.tasks import process_enterprise_import_task
    from tests.celery_fixtures import REDIS_TEST_URL

    # The worker tests' own Redis database (CELERY_TEST_REDIS_URL), never a fixed one: another
    # run's worker on the same database would take this test's messages (and they its).
    url = REDIS_TEST_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        skip_or_fail(f"Redis not reachable at {url}")

    def forget_connections() -> None:
        # Producers are pooled per app; an earlier test may have pooled the in-memory broker.
        app._pool = None
        app.amqp._producer_pool = None

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            job = services.start_enterprise_import(
                uploaded_file=SimpleUploadedFile("units.csv", csv_bytes(good_rows())),
                uploaded_by=administrator,
            )
            process_enterprise_import_task.delay(job.pk)  # the same message delivered twice
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.status == EnterpriseImport.Status.DONE:
                    break
                time.sleep(0.2)
            time.sleep(1)  # let the second delivery run too
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        forget_connections()

    job.refresh_from_db()
    assert job.status == EnterpriseImport.Status.DONE
    assert (job.created_count, job.processed_rows) == (3, 3)
    assert Enterprise.objects.count() == 3
    assert CreditRatingChange.objects.count() == 3
