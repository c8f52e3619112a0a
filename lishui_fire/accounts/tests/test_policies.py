"""The kernel predicates: the brigade rule and "supervisor or administrator" written once, the
two oversight roles (legal officer, discipline officer) and the view decorators over them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from lishui_fire.accounts import policies
from lishui_fire.accounts.decorators import (
    applicant_required,
    handling_staff_required,
    policy_required,
    role_required,
    staff_required,
    supervisor_required,
)
from lishui_fire.accounts.models import STAFF_ROLES, Role, User
from lishui_fire.core.errors import Forbidden

pytestmark = pytest.mark.django_db

# persona → (is_staff, is_handling_staff, is_supervisor_or_admin, LD in scope, LQ in scope)
TABLE = {
    "owner": (False, False, False, False, False),
    "inspector": (True, True, False, True, False),
    "other_brigade_inspector": (True, True, False, False, True),
    "supervisor": (True, True, True, True, False),
    "chief": (True, True, True, True, True),
    "administrator": (True, True, True, True, True),
    "legal_officer": (True, False, False, True, False),
    "discipline_officer": (True, False, False, True, True),
    "anonymous": (False, False, False, False, False),
}


@pytest.mark.parametrize("persona", list(TABLE))
def test_it_answers_each_role(personas, org_units, persona):
    from django.contrib.auth.models import AnonymousUser

    user = personas[persona] or AnonymousUser()
    staff, handling, supervising, ld, lq = TABLE[persona]
    assert policies.is_staff(user) == staff
    assert policies.is_handling_staff(user) == handling
    assert policies.is_supervisor_or_admin(user) == supervising
    assert policies.in_brigade_scope(user, org_units["LD"].pk) == ld
    assert policies.in_brigade_scope(user, org_units["LQ"].pk) == lq
    # The brigade rule for acting on a case: handling staff only, never the oversight roles.
    assert policies.handles_brigade(user, org_units["LD"].pk) == (handling and ld)


def test_the_new_roles_are_staff_with_a_unit():
    assert {Role.LEGAL_OFFICER, Role.DISCIPLINE_OFFICER} <= STAFF_ROLES


@pytest.mark.parametrize("role", [Role.LEGAL_OFFICER, Role.DISCIPLINE_OFFICER])
def test_the_database_refuses_an_oversight_officer_without_a_unit(role):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username=f"{role}-nounit", role=role, real_name="无单位")


def test_a_discipline_officer_may_belong_to_a_brigade(make_user):
    officer = make_user("discipline_officer", "LQ")
    assert officer.org_unit.code == "LQ"
    assert not officer.sees_all_brigades


def test_an_inactive_user_is_nobody(inspector):
    inspector.is_active = False
    assert not policies.is_staff(inspector)
    assert not policies.handles_brigade(inspector, inspector.org_unit_id)


def test_authorize_refuses_with_a_403_error():
    policies.authorize(True)
    with pytest.raises(Forbidden) as caught:
        policies.authorize(False)
    assert isinstance(caught.value, PermissionDenied)


def _ok(request):
    return HttpResponse("ok")


@pytest.mark.parametrize(
    ("decorator", "allowed"),
    [
        (applicant_required, {"owner", "other_applicant"}),
        (
            staff_required,
            {
                "inspector",
                "other_brigade_inspector",
                "supervisor",
                "chief",
                "administrator",
                "legal_officer",
                "discipline_officer",
            },
        ),
        (
            handling_staff_required,
            {"inspector", "other_brigade_inspector", "supervisor", "chief", "administrator"},
        ),
        (supervisor_required, {"supervisor", "chief", "administrator"}),
        (role_required(Role.LEGAL_OFFICER), {"legal_officer"}),
        (policy_required(policies.is_discipline_officer), {"discipline_officer"}),
    ],
)
def test_the_decorators_sign_in_then_refuse_other_roles(personas, decorator, allowed):
    from django.contrib.auth.models import AnonymousUser

    view = decorator(_ok)
    for persona, user in personas.items():
        request = RequestFactory().get("/somewhere/")
        request.user = user or AnonymousUser()
        if user is None:
            assert view(request).status_code == 302  # to the login page
        elif persona in allowed:
            assert view(request).status_code == 200, persona
        else:
            with pytest.raises(PermissionDenied):
                view(request)
