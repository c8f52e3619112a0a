"""Security review (issue 9): once submitted, an application stays in its county. A returned
application moved to another county by a PATCH kept the first county's reference and left the
first brigade without it. The county (and so the brigade) is refused, page and API alike, with a
clear message, and nothing changes; a draft may still change county."""

import pytest
from django.urls import reverse

from lishui_fire.accounts.models import OrgUnit
from permits.models import PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application

pytestmark = pytest.mark.django_db

MESSAGE = "申请提交后不能更改所属县（市、区）"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def returned(citizen, inspector):
    application = make_application(citizen, status="draft")
    services.submit_application(application=application, actor=citizen)
    return services.return_application(
        application=application, actor=inspector, missing_items=["营业执照不清晰"]
    )


def test_api_patch_of_a_returned_application_cannot_change_county(api_for, citizen, inspector):
    application = returned(citizen, inspector)
    response = api_for(citizen).patch(
        f"/api/v1/permits/{application.pk}/", {"county": "LQ", "floors": "1-2 层"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert MESSAGE in str(response.json()["county"])
    fresh = PermitApplication.objects.get(pk=application.pk)
    assert fresh.brigade.code == "LD"
    assert fresh.floors == "1-3 层"  # nothing of the request is kept


def test_api_patch_naming_the_same_county_is_fine(api_for, citizen, inspector):
    application = returned(citizen, inspector)
    response = api_for(citizen).patch(
        f"/api/v1/permits/{application.pk}/", {"county": "LD", "floors": "1-2 层"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert PermitApplication.objects.get(pk=application.pk).floors == "1-2 层"


def test_a_draft_may_still_change_county(api_for, citizen):
    application = make_application(citizen, status="draft")
    response = api_for(citizen).patch(
        f"/api/v1/permits/{application.pk}/", {"county": "LQ"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert PermitApplication.objects.get(pk=application.pk).brigade.code == "LQ"


def test_venue_page_of_a_returned_application_refuses_another_county(
    client_for, citizen, inspector
):
    application = returned(citizen, inspector)
    lq = OrgUnit.objects.get(code="LQ")
    data = {
        "venue_name": application.venue_name,
        "venue_address": application.venue_address,
        "county": lq.pk,
        "venue_type": application.venue_type,
        "floor_area_m2": "1200.50",
        "capacity": "300",
        "floors": "1-3 层",
        "opening_date": application.opening_date.isoformat(),
    }
    url = reverse("permits:apply_step", args=[application.pk, "venue"])
    response = client_for(citizen).post(url, data)
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert PermitApplication.objects.get(pk=application.pk).brigade.code == "LD"


def test_service_refuses_it_for_any_caller(citizen, inspector):
    application = returned(citizen, inspector)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        services.update_draft(
            application=application, actor=citizen, brigade=OrgUnit.objects.get(code="LQ")
        )
    assert MESSAGE in str(info.value.message_dict["county"])
