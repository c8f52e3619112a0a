"""The credit scale is rows of a table (DOMAIN.md §3.2): labels, sampling meaning, new grades."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises import services
from lishui_fire.enterprises.forms import CreditRatingChangeForm, EnterpriseFilterForm
from lishui_fire.enterprises.models import CreditGrade, Enterprise


def valid_uscc(n: int) -> str:
    first17 = f"91331102{n:09d}"
    return first17 + uscc_check_char(first17)


@pytest.fixture
def enterprise(org_units):
    return Enterprise.objects.create(
        uscc=valid_uscc(1),
        name="莲都好客宾馆",
        address="丽水市某路 1 号",
        brigade=org_units["LD"],
        venue_type="hotel",
        credit_rating="B",
    )


@pytest.fixture
def grade_e(db):
    return CreditGrade.objects.create(
        code="E",
        label="待评",
        label_en="not yet rated",
        meaning="新登记单位，尚未评定。",
        sort_order=50,
        sampling_multiplier=Decimal("1.00"),
        effective_from=dt.date(2027, 1, 1),
    )


def test_it_seeds_todays_four_grades_none_of_them_called_dishonest(db):
    grades = list(CreditGrade.objects.all())

    assert [g.code for g in grades] == ["A", "B", "C", "D"]
    assert [g.label for g in grades] == ["守信", "基本守信", "较差", "差"]
    assert not any("失信" in g.label for g in grades)
    assert all(g.basis and g.effective_from for g in grades)


def test_only_a_grade_caps_planned_inspections_at_one_a_year(db):
    caps = dict(CreditGrade.objects.values_list("code", "max_planned_inspections_per_year"))
    multipliers = dict(CreditGrade.objects.values_list("code", "sampling_multiplier"))

    assert caps == {"A": 1, "B": None, "C": None, "D": None}
    assert multipliers["A"] < multipliers["B"] < multipliers["C"] < multipliers["D"]


def test_the_label_follows_the_language(db):
    grade = CreditGrade.objects.get(code="A")

    with translation.override("zh-hans"):
        assert grade.display_label == "A 级（守信）"
    with translation.override("en"):
        assert "trustworthy" in grade.display_label


def test_the_detail_page_shows_the_label_of_the_row(client_for, chief, enterprise):
    CreditGrade.objects.filter(code="B").update(label="一般守信", meaning="按一般比例抽查。")

    page = client_for(chief).get(reverse("enterprises:detail", args=[enterprise.pk]))

    assert page.status_code == 200
    assert "B 级（一般守信）" in page.content.decode()
    assert "按一般比例抽查。" in page.content.decode()


def test_a_grade_added_by_a_supervisor_can_be_given_at_once(enterprise, supervisor, grade_e):
    assert "E" in dict(CreditRatingChangeForm().fields["to_rating"].choices)
    assert "E" in dict(EnterpriseFilterForm(brigades=[]).fields["credit_rating"].choices)

    change = services.change_credit_rating(
        enterprise=enterprise, to_rating="E", reason="重新评定", actor=supervisor
    )

    enterprise.refresh_from_db()
    assert (enterprise.credit_rating, change.to_rating) == ("E", "E")
    assert enterprise.credit_grade == grade_e


def test_a_code_outside_the_table_is_refused_by_the_model(org_units):
    unit = Enterprise(
        uscc=valid_uscc(2),
        name="某单位",
        address="某地",
        brigade=org_units["LD"],
        venue_type="hotel",
        credit_rating="E",
    )

    with pytest.raises(ValidationError) as caught:
        unit.full_clean()

    assert "credit_rating" in caught.value.message_dict


def test_the_api_filter_knows_new_grades(api_for, chief, enterprise, grade_e):
    client = api_for(chief)

    assert client.get("/api/v1/enterprises/?credit_rating=E").status_code == 200
    assert client.get("/api/v1/enterprises/?credit_rating=F").status_code == 400
    listed = client.get("/api/v1/enterprises/?credit_rating=B").json()
    assert [e["credit_rating"] for e in listed["results"]] == ["B"]


def test_the_import_reads_grades_from_the_table(administrator, grade_e, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(services.IMPORT_HEADERS)
    writer.writerow([valid_uscc(3), "甲", "某地", "LD", "hotel", "", "待评", "", ""])
    writer.writerow([valid_uscc(4), "乙", "某地", "LD", "hotel", "", "较差", "", ""])
    writer.writerow([valid_uscc(5), "丙", "某地", "LD", "hotel", "", "失信", "", ""])
    upload = SimpleUploadedFile("units.csv", buffer.getvalue().encode(), content_type="text/csv")

    job = services.start_enterprise_import(uploaded_file=upload, uploaded_by=administrator)
    job = services.process_enterprise_import(import_id=job.pk)

    ratings = dict(Enterprise.objects.values_list("name", "credit_rating"))
    assert ratings == {"甲": "E", "乙": "C"}
    # 失信 is a list, not a grade: the row is refused with the codes that exist.
    assert job.errors[0]["line"] == 4
    assert "A、B、C、D、E" in job.errors[0]["errors"][0]


def test_the_admin_keeps_codes_fixed_and_grades_in_use(client_for, administrator, enterprise):
    client = client_for(administrator)
    grade_b = CreditGrade.objects.get(code="B")
    grade_d = CreditGrade.objects.get(code="D")

    change = client.get(reverse("admin:enterprises_creditgrade_change", args=[grade_b.pk]))
    refused = client.post(reverse("admin:enterprises_creditgrade_delete", args=[grade_b.pk]))
    unused = client.post(
        reverse("admin:enterprises_creditgrade_delete", args=[grade_d.pk]), {"post": "yes"}
    )

    assert change.status_code == 200
    assert 'name="code"' not in change.content.decode()
    assert refused.status_code == 403
    assert unused.status_code == 302
    assert not CreditGrade.objects.filter(code="D").exists()


def test_what_a_grade_means_for_sampling_is_read_from_the_table(db, grade_e):
    from lishui_fire.enterprises.selectors import credit_grades_by_code

    CreditGrade.objects.filter(code="A").update(max_planned_inspections_per_year=2)

    grades = credit_grades_by_code()

    assert list(grades) == ["A", "B", "C", "D", "E"]
    assert grades["A"].max_planned_inspections_per_year == 2
    assert grades["E"].sampling_multiplier == Decimal("1.00")
