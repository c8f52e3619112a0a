"""The schema documents the error answers of API.md on every operation they can occur on
(core/api_schema.py), found missing by the API fuzz test (tests/harness/test_fuzz_api.py)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def paths():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))["paths"]


def _codes(paths, method, path):
    return set(paths[path][method]["responses"])


def test_a_detail_behind_login_documents_401_403_404_and_429(paths):
    assert _codes(paths, "get", "/api/v1/permits/{id}/") == {"200", "401", "403", "404", "429"}


def test_a_write_documents_400(paths):
    assert {"201", "400", "401", "403", "429"} <= _codes(paths, "post", "/api/v1/permits/")


def test_a_paginated_list_documents_404_for_a_page_past_the_end(paths):
    assert "404" in _codes(paths, "get", "/api/v1/permits/")


def test_the_token_endpoint_documents_wrong_credentials_and_throttling_but_no_401(paths):
    # It authenticates nobody (no authentication classes) and allows anyone.
    assert _codes(paths, "post", "/api/v1/auth/token/") == {"200", "400", "415", "429"}


def test_errors_have_a_body_schema_also_where_a_view_listed_them_without_one(paths):
    responses = paths["/api/v1/permits/{id}/submit/"]["post"]["responses"]
    assert responses["409"]["description"]  # the view's own description is kept
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert responses["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FieldErrors"
    }


def test_an_operation_with_a_body_documents_415_one_without_does_not(paths):
    # A body sent with no content type (or one no parser reads) is a 415 (found by the fuzzer).
    assert "415" in _codes(paths, "post", "/api/v1/auth/token/")
    assert "415" in _codes(paths, "patch", "/api/v1/permits/{id}/")
    assert "415" not in _codes(paths, "post", "/api/v1/permits/{id}/submit/")
