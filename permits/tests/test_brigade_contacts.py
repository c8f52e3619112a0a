"""Where an applicant is told to call or visit the brigade, that brigade's number is there as a
tel: link (issue 9), taken from the unit's data, not typed into a template."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lishui_fire.accounts.models import OrgUnit

from .factories import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def longquan():
    unit = OrgUnit.objects.get(code="LQ")
    unit.hotline = "0578-7121119"
    unit.save()
    return unit


def test_my_application_shows_its_brigades_number(client_for, citizen, longquan):
    application = make_application(citizen, brigade="LQ", status="returned")
    page = client_for(citizen).get(reverse("permits:my_application", args=[application.pk]))
    html = page.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="tel:05787121119"' in main


def test_the_door_to_door_page_gives_a_number_to_call(client_for, citizen):
    detachment = OrgUnit.objects.get(code="LS")
    detachment.hotline = "0578-2121119"
    detachment.save()
    html = client_for(citizen).get(reverse("permits:home_service")).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="tel:05782121119"' in main
    assert f'href="{reverse("core:contacts")}"' in main
