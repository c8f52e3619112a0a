"""The permits policies: the services refuse an actor the policy says no to (so the API, pages,
admin and tasks are covered alike), the decisions about the two oversight roles, and the two
scoping rules the coming apps need ("assigned to me", "never the brigade that handled it"),
checked on real permits querysets."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lishui_fire.accounts.models import HANDLING_ROLES, OrgUnit, Role
from lishui_fire.accounts.scoping import scope_queryset
from lishui_fire.core.errors import Forbidden
from permits import policies, selectors
from permits.models import HomeServiceRequest, PermitApplication
from permits.services import applications as services
from permits.services import channels, prechecks
from permits.tests.factories import make_application, make_booking, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Services refuse the oversight roles ------------------------------------------------------------
@pytest.mark.parametrize("persona", ["legal_officer", "discipline_officer"])
@pytest.mark.parametrize(
    "act",
    [
        lambda a, u: services.accept_application(application=a, actor=u),
        lambda a, u: services.refuse_to_accept(application=a, actor=u, reason="理由"),
        lambda a, u: services.return_application(application=a, actor=u, missing_items=["图纸"]),
        lambda a, u: services.reveal_contact_phone(obj=a, actor=u),
        lambda a, u: services.set_green_channel(
            application=a, actor=u, enabled=True, reason="重点"
        ),
    ],
)
def test_a_service_refuses_an_officer_who_may_not_act(personas, persona, act):
    application = make_application(personas["owner"], status="submitted", path="inspection")
    with pytest.raises(Forbidden):
        act(application, personas[persona])
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not application.green_channel


@pytest.mark.parametrize("persona", ["legal_officer", "discipline_officer"])
def test_the_precheck_services_refuse_the_officers(personas, persona):
    user = personas[persona]
    slot = make_slot(personas["inspector"])
    booking = make_booking(personas["owner"], slot)
    with pytest.raises(PermissionDenied):
        prechecks.record_arrival(booking=booking, actor=user)
    with pytest.raises(PermissionDenied):
        prechecks.withdraw_slot(slot=slot, actor=user)
    with pytest.raises(PermissionDenied):
        channels.request_home_service(
            actor=user,
            brigade=OrgUnit.objects.get(code="LD"),
            contact_name="王五",
            contact_phone="13857800002",
            address="丽水市莲都区人民街 5 号",
            reason="disability",
        )


def test_the_handling_staff_still_act(personas):
    application = make_application(personas["owner"], status="submitted", path="inspection")
    accepted = services.accept_application(application=application, actor=personas["inspector"])
    assert accepted.status == "accepted"


# --- What each oversight role sees in permits (the decision in permits/policies.py) -------------
def test_a_legal_officer_reads_the_applications_of_their_unit_and_decides_nothing(personas):
    ld = make_application(personas["owner"], status="submitted")
    lq = make_application(personas["owner"], status="submitted", brigade="LQ")
    draft = make_application(personas["owner"])
    officer = personas["legal_officer"]
    assert set(selectors.applications_for_user(user=officer)) == {ld}
    assert policies.get_application_for_user(user=officer, pk=ld.pk) == ld
    for pk in (lq.pk, draft.pk):
        with pytest.raises(Http404):
            policies.get_application_for_user(user=officer, pk=pk)
    assert policies.can_read_applications(officer)
    assert not policies.can_process_application(officer, ld)
    assert not policies.can_reveal_contact_phone(officer, ld)
    assert not policies.can_use_staff_pages(officer)
    # The pre-check is advice before an application: no decision there for them to check.
    booking = make_booking(personas["owner"], make_slot(personas["inspector"]))
    assert not selectors.bookings_for_user(user=officer).filter(pk=booking.pk).exists()


def test_a_discipline_officer_sees_no_applicant_record_by_default(personas):
    make_application(personas["owner"], status="submitted")
    make_application(personas["owner"], status="submitted", brigade="LQ")
    make_booking(personas["owner"], make_slot(personas["inspector"]))
    officer = personas["discipline_officer"]
    assert officer.sees_all_brigades  # a detachment officer, and still nothing
    assert not selectors.applications_for_user(user=officer).exists()
    assert not selectors.bookings_for_user(user=officer).exists()
    assert not policies.can_read_applications(officer)
    assert not policies.can_use_staff_pages(officer)


# --- "Assigned to me" -------------------------------------------------------------------------------
@pytest.fixture
def assigned(personas, make_user):
    """Three door-to-door requests: two in LD (one per LD inspector), one in LQ."""
    colleague = make_user("inspector", "LD", username="inspector-ld-2")
    rows = {}
    for key, brigade, phone, inspector in (
        ("mine", "LD", "13857800011", personas["inspector"]),
        ("colleague", "LD", "13857800012", colleague),
        ("lq", "LQ", "13857800013", personas["other_brigade_inspector"]),
    ):
        request = channels.request_home_service(
            actor=personas["owner"],
            brigade=OrgUnit.objects.get(code=brigade),
            contact_name="王五",
            contact_phone=phone,
            address="丽水市莲都区人民街 5 号",
            reason="disability",
        )
        HomeServiceRequest.objects.filter(pk=request.pk).update(assigned_to=inspector)
        rows[key] = request
    return rows


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("inspector", {"mine"}),
        ("other_brigade_inspector", {"lq"}),
        ("supervisor", {"mine", "colleague"}),
        ("chief", {"mine", "colleague", "lq"}),
        ("administrator", {"mine", "colleague", "lq"}),
        ("owner", {"mine", "colleague", "lq"}),  # the applicant's own requests
        ("other_applicant", set()),
        ("legal_officer", set()),
        ("discipline_officer", set()),
    ],
)
def test_an_inspector_sees_only_what_is_assigned_to_them(personas, assigned, persona, expected):
    visible = scope_queryset(
        HomeServiceRequest.objects.all(), personas[persona], assigned_field="assigned_to"
    )
    assert set(visible) == {assigned[key] for key in expected}


def test_without_assigned_field_an_inspector_sees_the_brigade(personas, assigned):
    visible = scope_queryset(HomeServiceRequest.objects.all(), personas["inspector"])
    assert set(visible) == {assigned["mine"], assigned["colleague"]}


# --- "Never the brigade that handled it" ---------------------------------------------------------
@pytest.fixture
def handled(personas, make_user):
    """Applications of LD and LQ; one LD case was handled by an LQ inspector (a loan between
    brigades), so its answers may be read in LD but never in LQ."""
    lq_inspector = personas["other_brigade_inspector"]
    return {
        "ld_by_ld": make_application(
            personas["owner"], status="approved", handled_by=personas["inspector"]
        ),
        "ld_by_lq": make_application(personas["owner"], status="approved", handled_by=lq_inspector),
        "lq_by_lq": make_application(
            personas["owner"], status="approved", brigade="LQ", handled_by=lq_inspector
        ),
        "ld_unhandled": make_application(personas["owner"], status="submitted"),
    }


CALLBACK_READERS = HANDLING_ROLES | {Role.DISCIPLINE_OFFICER}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("inspector", {"ld_by_lq", "ld_unhandled"}),
        ("supervisor", {"ld_by_lq", "ld_unhandled"}),
        ("other_brigade_inspector", set()),
        ("chief", {"ld_by_ld", "ld_by_lq", "lq_by_lq", "ld_unhandled"}),
        ("administrator", {"ld_by_ld", "ld_by_lq", "lq_by_lq", "ld_unhandled"}),
        ("discipline_officer", {"ld_by_ld", "ld_by_lq", "lq_by_lq", "ld_unhandled"}),
        ("legal_officer", set()),
    ],
)
def test_the_handling_brigade_never_sees_the_row(personas, handled, persona, expected):
    visible = scope_queryset(
        PermitApplication.objects.all(),
        personas[persona],
        exclude_handling_brigade_field="handled_by__org_unit",
        staff_roles=CALLBACK_READERS,
    )
    assert set(visible) == {handled[key] for key in expected}


def test_a_brigade_discipline_officer_sees_their_own_brigades_cases(personas, handled, make_user):
    officer = make_user("discipline_officer", "LD", username="discipline-ld")
    visible = scope_queryset(
        PermitApplication.objects.all(),
        officer,
        exclude_handling_brigade_field="handled_by__org_unit",
        staff_roles=CALLBACK_READERS,
    )
    assert set(visible) == {handled["ld_by_ld"], handled["ld_by_lq"], handled["ld_unhandled"]}


def test_the_legal_officers_page_has_no_decision_forms_and_no_phone_button(personas, client_for):
    from django.urls import reverse

    application = make_application(personas["owner"], status="submitted", path="inspection")
    url = reverse("permits:staff_application", args=[application.pk])
    legal = client_for(personas["legal_officer"]).get(url)
    assert legal.status_code == 200
    assert legal.context["action_forms"] == []
    html = legal.content.decode()
    assert reverse("permits:staff_reveal_phone", args=[application.pk]) not in html
    assert reverse("permits:staff_action", args=[application.pk, "accept"]) not in html
    inspector = client_for(personas["inspector"]).get(url).content.decode()
    assert reverse("permits:staff_reveal_phone", args=[application.pk]) in inspector
    assert reverse("permits:staff_action", args=[application.pk, "accept"]) in inspector
