"""Who may open each applicant page and download: the access table over every persona.

Applicant-only pages answer 403 to staff who can see the record and 404 to everyone outside its
scope (never revealing that another applicant's record exists); downloads are shared with the
staff of the application's brigade and the detachment.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from permits.models import DocumentKind, PermitDocument
from permits.tests.factories import make_application, pdf_bytes
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

ROLES = PERSONAS
LOGIN = "login"


def table(*codes):
    return pytest.mark.parametrize(("persona", "expected"), list(zip(ROLES, codes, strict=True)))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Seven personas per test: a fast hasher keeps the table quick (not a security setting).


@pytest.fixture
def application(personas):
    return make_application(personas["owner"], status="submitted")


@pytest.fixture
def draft(personas):
    return make_application(personas["owner"])


@pytest.fixture
def document(application):
    document = PermitDocument.objects.create(
        application=application,
        brigade=application.brigade,
        kind=DocumentKind.ACCEPTANCE_NOTICE,
        number="丽莲消受字〔2026〕第0001号",
    )
    document.file.save("acceptance-test.pdf", ContentFile(pdf_bytes()), save=True)
    return document


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url
    else:
        assert response.status_code == expected


# Pages without an object: applicants only.
@pytest.mark.parametrize("name", ["permits:mine", "permits:apply", "permits:home_service"])
@table(200, 200, 403, 403, 403, 403, 403, 403, 403, LOGIN)
def test_applicant_pages(personas, client_for, name, persona, expected):
    check(client_for(personas[persona]).get(reverse(name)), expected)


@table(200, 200, 200, 200, 200, 200, 200, 200, 200, 200)
def test_public_page_of_the_measure(personas, client_for, persona, expected):
    check(client_for(personas[persona]).get(reverse("permits:index")), expected)


@table(200, 404, 403, 404, 403, 403, 403, 403, 404, LOGIN)
def test_application_page(personas, client_for, application, persona, expected):
    url = reverse("permits:my_application", args=[application.pk])
    check(client_for(personas[persona]).get(url), expected)


# A draft is the applicant's alone: staff who could see the submitted application get 404 too.
@pytest.mark.parametrize(
    "step", ["venue", "unit", "path", "sign", "materials", "delivery", "review"]
)
@table(200, 404, 404, 404, 404, 404, 404, 404, 404, LOGIN)
def test_wizard_steps(personas, client_for, draft, step, persona, expected):
    url = reverse("permits:apply_step", args=[draft.pk, step])
    check(client_for(personas[persona]).get(url), expected)


@table(200, 404, 403, 404, 403, 403, 403, 403, 404, LOGIN)
def test_withdraw_confirmation_page(personas, client_for, application, persona, expected):
    url = reverse("permits:withdraw_application", args=[application.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(302, 404, 403, 404, 403, 403, 403, 403, 404, LOGIN)
def test_withdraw(personas, client_for, application, persona, expected):
    url = reverse("permits:withdraw_application", args=[application.pk])
    check(client_for(personas[persona]).post(url), expected)
    application.refresh_from_db()
    assert (application.status == "withdrawn") == (persona == "owner")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("permits:submit_application", {}),
        ("permits:choose_delivery", {"method": "download"}),
        ("permits:link_precheck", {"booking": ""}),
    ],
)
@table(302, 404, 404, 404, 404, 404, 404, 404, 404, LOGIN)
def test_state_changes(personas, client_for, draft, name, data, persona, expected):
    url = reverse(name, args=[draft.pk])
    check(client_for(personas[persona]).post(url, data), expected)


@table(302, 404, 404, 404, 404, 404, 404, 404, 404, LOGIN)
def test_material_remove(personas, client_for, draft, persona, expected):
    material = draft.materials.first()
    url = reverse("permits:material_remove", args=[draft.pk, material.pk])
    check(client_for(personas[persona]).post(url), expected)
    assert draft.materials.filter(pk=material.pk).exists() == (persona != "owner")


@table(200, 404, 200, 404, 200, 200, 200, 200, 404, LOGIN)
def test_material_download(personas, client_for, application, persona, expected):
    material = application.materials.first()
    url = reverse("permits:material_download", args=[material.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(200, 404, 200, 404, 200, 200, 200, 200, 404, LOGIN)
def test_document_download(personas, client_for, document, persona, expected):
    url = reverse("permits:document_download", args=[document.pk])
    response = client_for(personas[persona]).get(url)
    check(response, expected)
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_missing_objects_are_404_like_forbidden_ones(client_for, citizen):
    client = client_for(citizen)
    for name in (
        "permits:material_download",
        "permits:document_download",
        "permits:my_application",
    ):
        assert client.get(reverse(name, args=[987654])).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "permits:submit_application",
        "permits:choose_delivery",
        "permits:link_precheck",
    ],
)
def test_state_changes_refuse_get(client_for, citizen, draft, name):
    assert client_for(citizen).get(reverse(name, args=[draft.pk])).status_code == 405


def test_another_applicants_home_service_request_cannot_be_cancelled(
    client_for, citizen, other_citizen
):
    from lishui_fire.accounts.models import OrgUnit
    from permits.services.channels import request_home_service

    request = request_home_service(
        actor=citizen,
        brigade=OrgUnit.objects.get(code="LD"),
        contact_name="张三",
        contact_phone="13857812345",
        address="丽水市莲都区解放街 1 号",
        reason="mobility",
    )
    url = reverse("permits:cancel_home_service", args=[request.pk])
    assert client_for(other_citizen).post(url).status_code == 404
    request.refresh_from_db()
    assert request.status == "requested"
