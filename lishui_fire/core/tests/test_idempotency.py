"""``Idempotency-Key`` on create endpoints (issue 9: a resent POST /api/v1/permits/ made a second
draft). The kernel's ``core.idempotency.idempotent``, as applied to the permits create endpoints.

The race test needs PostgreSQL (two connections, a unique index that makes the second wait):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lishui_x pytest --create-db \\
        lishui_fire/core/tests/test_idempotency.py
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from lishui_fire.core.models import IdempotencyKey
from permits.models import Material, PermitApplication
from permits.tests.factories import application_fields, make_application, pdf_upload

pytestmark = pytest.mark.django_db


def body(**overrides):
    data = {**application_fields(), "county": "LD"}
    data["floor_area_m2"] = str(data["floor_area_m2"])
    data["opening_date"] = data["opening_date"].isoformat()
    data.update(overrides)
    return data


def post(client, data, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/permits/", data, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans", **headers, **extra
    )


def test_a_resent_create_with_the_same_key_replays_the_first_answer(api_for, citizen):
    client = api_for(citizen)
    data = body()
    first = post(client, data, key="6f1c0e6a-5d1b-4f07-9d55-1a2b3c4d5e6f")
    again = post(client, data, key="6f1c0e6a-5d1b-4f07-9d55-1a2b3c4d5e6f")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert PermitApplication.objects.filter(applicant=citizen).count() == 1


def test_the_same_key_with_another_body_is_refused_and_creates_nothing(api_for, citizen):
    client = api_for(citizen)
    assert post(client, body(), key="k-1").status_code == 201
    other = post(client, body(venue_name="另一家酒店"), key="k-1")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert "换一个新的键" in other.json()["detail"]
    assert PermitApplication.objects.filter(applicant=citizen).count() == 1


def test_without_a_key_each_create_is_a_new_draft(api_for, citizen):
    client = api_for(citizen)
    data = body()
    assert post(client, data).status_code == 201
    assert post(client, data).status_code == 201
    assert PermitApplication.objects.filter(applicant=citizen).count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_key_is_the_callers_own(api_for, citizen, other_citizen):
    assert post(api_for(citizen), body(), key="shared").status_code == 201
    assert post(api_for(other_citizen), body(), key="shared").status_code == 201
    assert PermitApplication.objects.count() == 2


def test_a_refused_request_does_not_use_the_key_up(api_for, citizen):
    client = api_for(citizen)
    bad = post(client, body(capacity=0), key="k-fix")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = post(client, body(), key="k-fix")
    assert good.status_code == 201
    assert PermitApplication.objects.count() == 1


def test_a_refused_caller_does_not_use_the_key_up(api_for, inspector):
    response = post(api_for(inspector), body(), key="k-staff")
    assert response.status_code == 403
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "键", "a\tb"])
def test_a_malformed_key_is_a_400_with_a_message(api_for, citizen, key):
    response = post(api_for(citizen), body(), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not PermitApplication.objects.exists()


def test_an_expired_key_may_be_used_again(api_for, citizen, settings):
    client = api_for(citizen)
    assert post(client, body(), key="k-old").status_code == 201
    IdempotencyKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert post(client, body(venue_name="新的一家"), key="k-old").status_code == 201
    assert PermitApplication.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_a_material_upload_resent_with_its_key_is_stored_once(api_for, citizen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    application = make_application(citizen, with_materials=False)
    client = api_for(citizen)

    def upload(name):
        return client.post(
            f"/api/v1/permits/{application.pk}/materials/",
            {"kind": "other", "file": pdf_upload(name)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first, again = upload("a.pdf"), upload("a.pdf")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Material.objects.filter(application=application).count() == 1
    assert upload("b.pdf").status_code == 422  # another file under the same key


def test_the_schema_documents_the_header_and_the_422(client):
    schema = client.get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/v1/permits/"]["post"]
    headers = [p for p in create["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in headers] == ["Idempotency-Key"]
    assert headers[0].get("required", False) is False
    assert "422" in create["responses"]
    for path in ("/api/v1/precheck-slots/", "/api/v1/precheck-bookings/"):
        assert any(
            p["name"] == "Idempotency-Key" for p in schema["paths"][path]["post"]["parameters"]
        )
    listing = schema["paths"]["/api/v1/permits/"]["get"]
    assert not any(p["name"] == "Idempotency-Key" for p in listing.get("parameters", []))


# --- Two deliveries at once -----------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_of_one_key_create_one_draft(citizen, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL (two connections, row locks)")
    from permits.services import applications as app_services

    slow_create = app_services.create_draft

    def create_draft_slowly(**kwargs):
        application = slow_create(**kwargs)
        time.sleep(0.8)  # the second delivery arrives while the first is still working
        return application

    monkeypatch.setattr(app_services, "create_draft", create_draft_slowly)
    data = body()
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    replies: list[dict] = []

    def deliver():
        client = APIClient()
        client.force_authenticate(citizen)
        barrier.wait()
        try:
            response = post(client, data, key="race-key")
            statuses.append(response.status_code)
            replies.append(response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201, 201], replies
    assert replies[0] == replies[1]
    assert PermitApplication.objects.filter(applicant=citizen).count() == 1
