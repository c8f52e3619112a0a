"""The after-permit actions of the API, per role: ``verify/``, ``revoke/``, ``request-recheck/``.

A move the law does not allow yet is 409 with the service's message and changes nothing; a role
that may not act is 403; outside the caller's scope 404 (API.md).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from permits.models import PermitApplication, StopUseOrder
from permits.services import applications as services
from permits.tests.factories import decide, in_rectification, make_application, revocable
from permits.workflow import PermitStatus as S

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def approved(owner, inspector):
    application = make_application(owner, status="draft")
    services.submit_application(application=application, actor=owner)
    return decide(application, inspector)


def status_of(application):
    return PermitApplication.objects.get(pk=application.pk).status


# Revoking a permit with no order against it (not yet verified): refused for every role.
@pytest.mark.access(
    owner=403,
    other_applicant=403,
    inspector=409,
    other_brigade_inspector=404,
    supervisor=409,
    chief=409,
    administrator=409,
    legal_officer=403,
    discipline_officer=403,
    anonymous=401,
)
def test_revoking_without_an_unmet_order_is_refused(personas, api_for, persona, expected):
    application = approved(personas["owner"], personas["inspector"])
    response = api_for(personas[persona]).post(
        f"/api/v1/permits/{application.pk}/revoke/", {"reason": "承诺不实"}, format="json"
    )
    assert response.status_code == expected
    assert status_of(application) == S.APPROVED


@pytest.mark.access(
    owner=403,
    other_applicant=403,
    inspector=409,
    other_brigade_inspector=404,
    supervisor=409,
    chief=409,
    administrator=409,
    legal_officer=403,
    discipline_officer=403,
    anonymous=401,
)
def test_revoking_before_the_deadline_is_refused(personas, api_for, persona, expected):
    application = in_rectification(personas["owner"], personas["inspector"])
    response = api_for(personas[persona]).post(
        f"/api/v1/permits/{application.pk}/revoke/", {"reason": "承诺不实"}, format="json"
    )
    assert response.status_code == expected
    if expected == 409 and persona != "inspector":
        assert "整改期限尚未届满" in response.json()["detail"]
    assert status_of(application) == S.RECTIFICATION


def test_a_supervisor_revokes_after_a_failed_recheck(api_for, citizen, inspector, supervisor):
    application = revocable(citizen, inspector)
    response = api_for(supervisor).post(
        f"/api/v1/permits/{application.pk}/revoke/", {"reason": "逾期未整改"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == S.REVOKED


def test_verify_through_the_api_orders_stop_use(api_for, citizen, inspector):
    application = approved(citizen, inspector)
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = api_for(inspector).post(
        f"/api/v1/permits/{application.pk}/verify/",
        {"matches": False, "findings": "安全出口被封堵", "rectification_due": due},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == S.RECTIFICATION
    assert body["rectification_due"] == due
    assert body["recheck_due"] is not None
    assert StopUseOrder.objects.get(application=application).kind == "stop_use"


def test_verify_with_a_bad_order_is_400(api_for, citizen, inspector):
    application = approved(citizen, inspector)
    response = api_for(inspector).post(
        f"/api/v1/permits/{application.pk}/verify/",
        {"matches": False, "findings": "x", "order": "close_forever"},
        format="json",
    )
    assert response.status_code == 400
    assert "order" in response.json()
    assert status_of(application) == S.APPROVED


@pytest.mark.access(
    owner=200,
    other_applicant=404,
    inspector=403,
    other_brigade_inspector=403,
    supervisor=403,
    chief=403,
    administrator=403,
    legal_officer=403,
    discipline_officer=403,
    anonymous=401,
)
def test_request_recheck_per_role(personas, api_for, persona, expected):
    application = in_rectification(personas["owner"], personas["inspector"])
    response = api_for(personas[persona]).post(
        f"/api/v1/permits/{application.pk}/request-recheck/", {"note": "已整改"}, format="json"
    )
    assert response.status_code == expected
    fresh = PermitApplication.objects.get(pk=application.pk)
    if expected == 200:
        assert response.json()["recheck_requested_at"] is not None
        assert response.json()["recheck_due"] == fresh.recheck_due.isoformat()
    else:
        assert fresh.recheck_requested_at is None


def test_request_recheck_refusals_are_409(api_for, citizen, inspector):
    client = api_for(citizen)
    application = approved(citizen, inspector)
    response = client.post(f"/api/v1/permits/{application.pk}/request-recheck/", {}, format="json")
    assert response.status_code == 409
    assert "责令限期改正通知书" in response.json()["detail"]
    application = in_rectification(citizen, inspector)
    url = f"/api/v1/permits/{application.pk}/request-recheck/"
    assert client.post(url, {}, format="json").status_code == 200
    again = client.post(url, {}, format="json")
    assert again.status_code == 409
    assert "已申请复查" in again.json()["detail"]
