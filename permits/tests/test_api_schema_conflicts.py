"""The schema documents the 409s these operations give (found undocumented by the API fuzzer,
tests/harness/test_fuzz_api.py): changing an application that is no longer a draft, and
publishing a second slot for the same inspector at the same time. The answers themselves are
tested in test_api_hostile_input.py."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def paths():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))["paths"]


@pytest.mark.parametrize(
    ("method", "path", "success"),
    [("patch", "/api/v1/permits/{id}/", "200"), ("post", "/api/v1/precheck-slots/", "201")],
)
def test_the_conflict_is_documented_next_to_the_success(paths, method, path, success):
    responses = paths[path][method]["responses"]
    assert {success, "409"} <= set(responses)
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "$ref" in json.dumps(responses[success]["content"])  # still the serializer's body


@pytest.mark.django_db
def test_patching_a_submitted_application_is_the_documented_409(api_for, citizen):
    from permits.tests.factories import make_application

    application = make_application(citizen, status="submitted")
    response = api_for(citizen).patch(
        f"/api/v1/permits/{application.pk}/", {"venue_name": "新名称"}, format="json"
    )
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
