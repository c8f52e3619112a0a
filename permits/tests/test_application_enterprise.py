"""A permit application links to the registered unit with its credit code (nullable)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.enterprises.models import Enterprise
from permits.models import PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application, valid_uscc

UNIT_USCC = valid_uscc(987654)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registered(db):
    return Enterprise.objects.create(
        uscc=UNIT_USCC,
        name="丽水市好运来餐饮管理有限公司",
        address="丽水市莲都区解放街 88 号",
        brigade=OrgUnit.objects.get(code="LD"),
        venue_type="hotel",
    )


def test_submitting_links_the_registered_unit_with_that_code(citizen, registered):
    application = make_application(citizen, unit_uscc=UNIT_USCC)
    assert application.enterprise is None  # a draft is not linked yet

    services.submit_application(application=application, actor=citizen)

    assert application.enterprise == registered
    assert PermitApplication.objects.get(pk=application.pk).enterprise == registered


def test_a_unit_not_in_the_registry_leaves_the_link_empty(citizen, registered):
    application = make_application(citizen)

    services.submit_application(application=application, actor=citizen)

    assert PermitApplication.objects.get(pk=application.pk).enterprise is None


def test_removing_the_registry_entry_keeps_the_application(citizen, registered):
    application = make_application(citizen, unit_uscc=UNIT_USCC)
    services.submit_application(application=application, actor=citizen)

    registered.delete()

    application.refresh_from_db()
    assert application.enterprise is None
    assert application.unit_uscc == UNIT_USCC  # the code as submitted stays the record


def test_the_api_shows_the_link_read_only(api_for, citizen, registered):
    application = make_application(citizen, unit_uscc=UNIT_USCC)
    services.submit_application(application=application, actor=citizen)
    client = api_for(citizen)

    shown = client.get(f"/api/v1/permits/{application.pk}/").json()
    listed = client.get("/api/v1/permits/").json()["results"]
    draft = make_application(citizen)
    patched = client.patch(
        f"/api/v1/permits/{draft.pk}/", {"enterprise": registered.pk}, format="json"
    )

    assert shown["enterprise"] == registered.pk
    assert {row["id"]: row["enterprise"] for row in listed}[application.pk] == registered.pk
    assert patched.status_code in (200, 400, 405)
    draft.refresh_from_db()
    assert draft.enterprise is None


def test_the_staff_page_links_to_the_registered_unit(client_for, citizen, inspector, registered):
    linked = make_application(citizen, unit_uscc=UNIT_USCC)
    services.submit_application(application=linked, actor=citizen)
    unlinked = make_application(citizen)
    services.submit_application(application=unlinked, actor=citizen)
    client = client_for(inspector)

    page = client.get(reverse("permits:staff_application", args=[linked.pk])).content.decode()
    other = client.get(reverse("permits:staff_application", args=[unlinked.pk])).content.decode()

    assert reverse("enterprises:detail", args=[registered.pk]) in page
    assert registered.name in page
    assert "未在单位登记库中" in other
