"""``/api/v1/enterprises/``: staff only, scoped by brigade, personal data masked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import Enterprise

LIST = "/api/v1/enterprises/"


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


@pytest.fixture
def ld(org_units):
    return make_enterprise(org_units, 1, "LD", name="莲都好客宾馆", contact_phone="13812345678")


@pytest.fixture
def lq(org_units):
    return make_enterprise(org_units, 2, "LQ", name="龙泉青瓷商场", venue_type="mall")


# persona → (list status, uscc codes listed, LD detail status, LQ detail status)
ACCESS = {
    "anonymous": (401, None, 401, 401),
    "owner": (403, None, 403, 403),
    "other_applicant": (403, None, 403, 403),
    "inspector": (200, {"ld"}, 200, 404),
    "other_brigade_inspector": (200, {"lq"}, 404, 200),
    "supervisor": (200, {"ld"}, 200, 404),
    "chief": (200, {"ld", "lq"}, 200, 200),
    "administrator": (200, {"ld", "lq"}, 200, 200),
    "legal_officer": (200, {"ld"}, 200, 404),
    "discipline_officer": (403, None, 403, 403),
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_access_table(api_for, personas, ld, lq, persona):
    list_status, listed, ld_status, lq_status = ACCESS[persona]
    client = api_for(personas[persona])
    by_name = {"ld": ld.uscc, "lq": lq.uscc}

    response = client.get(LIST)

    assert response.status_code == list_status
    if listed is not None:
        assert {r["uscc"] for r in response.json()["results"]} == {by_name[k] for k in listed}
    assert client.get(f"{LIST}{ld.pk}/").status_code == ld_status
    assert client.get(f"{LIST}{lq.pk}/").status_code == lq_status


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_registry_is_read_only(api_for, chief, ld, method):
    url = LIST if method == "post" else f"{LIST}{ld.pk}/"
    response = getattr(api_for(chief), method)(url, {"credit_rating": "A"}, format="json")

    assert response.status_code == 405
    ld.refresh_from_db()
    assert ld.credit_rating == "B"


def test_the_fields_of_the_contract_with_personal_data_masked(api_for, inspector, ld):
    data = api_for(inspector).get(f"{LIST}{ld.pk}/").json()

    assert data["id"] == ld.pk
    assert data["uscc"] == ld.uscc
    assert data["name"] == "莲都好客宾馆"
    assert data["address"] == ld.address
    assert data["county"] == "LD"
    assert data["county_name"] == "莲都区"
    assert (data["venue_type"], data["risk_level"], data["credit_rating"]) == (
        "hotel",
        "medium",
        "B",
    )
    assert data["contact_name"] == "王*"
    assert data["contact_phone"] == "138****5678"


def test_the_list_is_paginated_in_the_standard_envelope(api_for, chief, ld, lq):
    data = api_for(chief).get(LIST).json()

    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 2


@pytest.fixture
def spread(org_units, ld, lq):
    return make_enterprise(
        org_units,
        3,
        "LD",
        name="莲都A级餐厅",
        venue_type="restaurant",
        credit_rating="A",
        risk_level="high",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("county=LQ", {"龙泉青瓷商场"}),
        ("county=lq", {"龙泉青瓷商场"}),
        ("credit_rating=A", {"莲都A级餐厅"}),
        ("risk_level=high", {"莲都A级餐厅"}),
        ("venue_type=mall", {"龙泉青瓷商场"}),
        ("search=好客", {"莲都好客宾馆"}),
        (f"search={valid_uscc(2).lower()}", {"龙泉青瓷商场"}),
        ("county=LD&credit_rating=B", {"莲都好客宾馆"}),
        ("county=XX", set()),
    ],
)
def test_filters(api_for, chief, spread, query, expected):
    response = api_for(chief).get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert {r["name"] for r in response.json()["results"]} == expected


@pytest.mark.parametrize("query", ["credit_rating=E", "risk_level=extreme", "venue_type=spaceship"])
def test_a_bad_filter_value_is_a_400_with_the_field(api_for, chief, ld, query):
    response = api_for(chief).get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_the_filters_do_not_widen_the_scope(api_for, inspector, ld, lq):
    response = api_for(inspector).get(f"{LIST}?county=LQ")

    assert response.json()["count"] == 0


def test_the_list_query_count_does_not_grow_with_rows(api_for, chief, org_units):
    client = api_for(chief)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{LIST}?page_size=100")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for n in range(5):
        make_enterprise(org_units, n, "LD" if n % 2 else "QT")
    few = queries()
    for n in range(5, 30):
        make_enterprise(org_units, n, "LD" if n % 2 else "QT")
    many = queries()

    assert few == many


def test_the_endpoint_is_in_the_openapi_schema(api_for):
    response = api_for(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/enterprises/" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/enterprises/"]["get"]["parameters"]}
    assert {"county", "credit_rating", "risk_level", "venue_type", "search"} <= params
