"""Who may open each staff page: the access table over every persona.

Applicants get 403 on every staff page; staff outside the application's brigade get 404 on its
pages (as if it did not exist) and see nothing of it in their lists; the supervisors' dashboard is
for supervisors, the detachment and administrators.
"""

import pytest
from django.urls import reverse

from lishui_fire.accounts.models import OrgUnit
from permits.models import HomeServiceRequest
from permits.services import applications as services
from permits.services import channels
from permits.tests.factories import make_application
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

ROLES = PERSONAS
LOGIN = "login"


def table(*codes):
    return pytest.mark.parametrize(("persona", "expected"), list(zip(ROLES, codes, strict=True)))


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def application(personas):
    draft = make_application(personas["owner"], path="inspection")
    return services.submit_application(application=draft, actor=personas["owner"])


@pytest.fixture
def home_request(personas):
    return channels.request_home_service(
        actor=personas["owner"],
        brigade=OrgUnit.objects.get(code="LD"),
        contact_name="王五",
        contact_phone="13857800002",
        address="丽水市莲都区人民街 5 号",
        reason="disability",
    )


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302
        assert "/login" in response["Location"] or "login" in response["Location"]
    else:
        assert response.status_code == expected, response.status_code


@table(403, 403, 200, 200, 200, 200, 200, 200, 403, LOGIN)
@pytest.mark.parametrize("name", ["permits:queue", "permits:overdue"])
def test_staff_lists(personas, client_for, application, name, persona, expected):
    response = client_for(personas[persona]).get(reverse(name))
    check(response, expected)


@table(403, 403, 200, 200, 200, 200, 200, 403, 403, LOGIN)
def test_inspectors_day(personas, client_for, application, persona, expected):
    """The inspector's day is handling work: the legal officer has no day of visits here."""
    response = client_for(personas[persona]).get(reverse("permits:today"))
    check(response, expected)


@table(403, 403, 200, 200, 200, 200, 200, 403, 403, LOGIN)
def test_home_service_list(personas, client_for, home_request, persona, expected):
    response = client_for(personas[persona]).get(reverse("permits:staff_home_services"))
    check(response, expected)
    if expected == 200:
        visible = "王五" in response.content.decode()
        assert visible == (persona != "other_brigade_inspector")


@table(403, 403, 200, 200, 200, 200, 200, 200, 403, LOGIN)
def test_queue_shows_only_the_brigades_applications(
    personas, client_for, application, persona, expected
):
    response = client_for(personas[persona]).get(reverse("permits:queue"))
    check(response, expected)
    if expected == 200:
        visible = application.reference in response.content.decode()
        assert visible == (persona != "other_brigade_inspector")


@table(403, 403, 403, 403, 200, 200, 200, 403, 403, LOGIN)
def test_dashboard(personas, client_for, application, persona, expected):
    check(client_for(personas[persona]).get(reverse("permits:dashboard")), expected)


@table(403, 403, 200, 404, 200, 200, 200, 200, 403, LOGIN)
def test_application_detail(personas, client_for, application, persona, expected):
    url = reverse("permits:staff_application", args=[application.pk])
    response = client_for(personas[persona]).get(url)
    check(response, expected)
    if expected == 200:
        # Full phone only on request; the page shows it masked.
        assert "138****2345" in response.content.decode()
        assert "13857812345" not in response.content.decode()


@table(403, 403, 302, 404, 302, 302, 302, 403, 403, LOGIN)
def test_decision(personas, client_for, application, persona, expected):
    url = reverse("permits:staff_action", args=[application.pk, "accept"])
    response = client_for(personas[persona]).post(url, {"accept-status": "submitted"})
    check(response, expected)
    application.refresh_from_db()
    assert (application.status == "accepted") == (expected == 302)


@table(403, 403, 200, 404, 200, 200, 200, 403, 403, LOGIN)
def test_reveal_phone(personas, client_for, application, persona, expected):
    url = reverse("permits:staff_reveal_phone", args=[application.pk])
    response = client_for(personas[persona]).post(url)
    check(response, expected)
    if expected == 200:
        assert "13857812345" in response.content.decode()


@table(403, 403, 200, 404, 200, 200, 200, 403, 403, LOGIN)
def test_home_service_detail(personas, client_for, home_request, persona, expected):
    url = reverse("permits:staff_home_service", args=[home_request.pk])
    check(client_for(personas[persona]).get(url), expected)


@table(403, 403, 302, 404, 302, 302, 302, 403, 403, LOGIN)
def test_home_service_cancel(personas, client_for, home_request, persona, expected):
    url = reverse("permits:staff_home_service_action", args=[home_request.pk, "cancel"])
    response = client_for(personas[persona]).post(url, {"cancel-note": "申请人来电取消"})
    check(response, expected)
    status = HomeServiceRequest.objects.get(pk=home_request.pk).status
    assert (status == "cancelled") == (expected == 302)


def test_a_draft_is_not_visible_to_staff(client_for, citizen, inspector):
    draft = make_application(citizen)
    url = reverse("permits:staff_application", args=[draft.pk])
    assert client_for(inspector).get(url).status_code == 404


def test_a_missing_application_is_404_like_a_forbidden_one(client_for, inspector):
    url = reverse("permits:staff_application", args=[987654])
    assert client_for(inspector).get(url).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["permits:staff_reveal_phone", "permits:staff_home_service_reveal_phone"],
)
def test_reveals_refuse_get(client_for, inspector, application, home_request, name):
    pk = application.pk if "home" not in name else home_request.pk
    assert client_for(inspector).get(reverse(name, args=[pk])).status_code == 405


def test_the_detail_page_links_every_material(client_for, inspector, application):
    response = client_for(inspector).get(
        reverse("permits:staff_application", args=[application.pk])
    )
    urls = [row["url"] for row in response.context["materials"]]
    assert len(urls) == 4
    assert all(urls)
    for url in urls:
        assert url in response.content.decode()
    # The shared download view serves the inspector of the brigade.
    download = client_for(inspector).get(urls[0])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
