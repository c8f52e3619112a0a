"""Each role lands on its own home page after signing in; applicants cannot open staff pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("owner", "permits:mine"),
        ("inspector", "permits:today"),
        ("supervisor", "core:overview"),
        ("chief", "core:overview"),
        ("administrator", "core:overview"),
        ("legal_officer", "core:overview"),
        ("discipline_officer", "core:overview"),
    ],
)
def test_each_role_lands_on_its_home(personas, client_for, persona, landing):
    response = client_for(personas[persona]).get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    page = client_for(personas[persona]).get(reverse(landing))
    assert page.status_code == 200


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_applicant_landing_shows_my_applications(client_for, citizen):
    page = client_for(citizen).get(reverse("permits:mine"))
    assert "我的申请" in page.content.decode()


@pytest.mark.parametrize("url_name", ["permits:today", "core:overview"])
def test_applicant_cannot_open_staff_pages(client_for, citizen, url_name):
    assert client_for(citizen).get(reverse(url_name)).status_code == 403


def test_overview_shows_only_own_brigade_to_brigade_staff(client_for, supervisor, chief):
    own = client_for(supervisor).get(reverse("core:overview")).content.decode()
    assert "莲都区消防救援大队" in own
    assert "龙泉市消防救援大队" not in own
    everything = client_for(chief).get(reverse("core:overview")).content.decode()
    assert "莲都区消防救援大队" in everything
    assert "龙泉市消防救援大队" in everything


def test_login_form_accepts_username_and_applicant_mobile(client, citizen):
    from conftest import PASSWORD

    for login_name in (citizen.username, citizen.phone):
        c = client.__class__()
        response = c.post(reverse("accounts:login"), {"username": login_name, "password": PASSWORD})
        assert response.status_code == 302, login_name
        assert response["Location"] == reverse("accounts:home")
