"""Scoping helpers: applicants see their own rows, brigade staff their brigade, detachment all."""

import pytest
from django.http import Http404

from lishui_fire.accounts.scoping import get_object_for_user, scope_queryset
from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises.models import Enterprise, EnterpriseImport

pytestmark = pytest.mark.django_db


def make_enterprise(unit, n):
    prefix = f"91{unit.division_code}MA2A{n:05d}"[:17]
    return Enterprise.objects.create(
        uscc=prefix + uscc_check_char(prefix),
        name=f"单位{n}",
        address="测试路1号",
        brigade=unit,
        venue_type="hotel",
    )


@pytest.fixture
def two_enterprises(org_units):
    return make_enterprise(org_units["LD"], 1), make_enterprise(org_units["LQ"], 2)


def test_brigade_staff_see_their_brigade_only(two_enterprises, inspector, supervisor):
    ld, _lq = two_enterprises
    for user in (inspector, supervisor):
        visible = scope_queryset(Enterprise.objects.all(), user, owner_field=None)
        assert list(visible) == [ld]


def test_detachment_staff_and_admins_see_everything(two_enterprises, chief, administrator):
    for user in (chief, administrator):
        visible = scope_queryset(Enterprise.objects.all(), user, owner_field=None)
        assert set(visible) == set(two_enterprises)


def test_applicants_see_nothing_without_an_owner_field(two_enterprises, citizen):
    assert not scope_queryset(Enterprise.objects.all(), citizen, owner_field=None).exists()


def test_applicant_sees_only_own_rows(citizen, other_citizen):
    mine = EnterpriseImport.objects.create(original_name="a.csv", uploaded_by=citizen)
    EnterpriseImport.objects.create(original_name="b.csv", uploaded_by=other_citizen)
    scoped = scope_queryset(
        EnterpriseImport.objects.all(), citizen, owner_field="uploaded_by", brigade_field=None
    )
    assert list(scoped) == [mine]


def test_anonymous_and_inactive_users_see_nothing(two_enterprises, inspector):
    from django.contrib.auth.models import AnonymousUser

    assert not scope_queryset(Enterprise.objects.all(), AnonymousUser(), owner_field=None).exists()
    inspector.is_active = False
    assert not scope_queryset(Enterprise.objects.all(), inspector, owner_field=None).exists()


def test_out_of_scope_and_missing_objects_are_the_same_404(two_enterprises, inspector):
    ld, lq = two_enterprises
    assert (
        get_object_for_user(Enterprise.objects.all(), inspector, owner_field=None, pk=ld.pk) == ld
    )
    with pytest.raises(Http404):
        get_object_for_user(Enterprise.objects.all(), inspector, owner_field=None, pk=lq.pk)
    with pytest.raises(Http404):
        get_object_for_user(Enterprise.objects.all(), inspector, owner_field=None, pk=999999)
    with pytest.raises(Http404):
        get_object_for_user(
            Enterprise.objects.all(), inspector, owner_field=None, pk="not-a-number"
        )


def test_the_oversight_roles_see_nothing_unless_the_caller_lets_them(
    two_enterprises, legal_officer, discipline_officer
):
    from lishui_fire.accounts.models import CASE_READER_ROLES, HANDLING_ROLES, Role

    ld, _lq = two_enterprises
    for user in (legal_officer, discipline_officer):
        assert not scope_queryset(Enterprise.objects.all(), user, owner_field=None).exists()
    readers = scope_queryset(
        Enterprise.objects.all(), legal_officer, owner_field=None, staff_roles=CASE_READER_ROLES
    )
    assert list(readers) == [ld]  # the legal officer's brigade only
    everyone = scope_queryset(
        Enterprise.objects.all(),
        discipline_officer,
        owner_field=None,
        staff_roles=HANDLING_ROLES | {Role.DISCIPLINE_OFFICER},
    )
    assert set(everyone) == set(two_enterprises)  # a detachment discipline officer


def test_get_object_for_user_takes_the_same_scoping(two_enterprises, legal_officer):
    from lishui_fire.accounts.models import CASE_READER_ROLES

    ld, lq = two_enterprises
    with pytest.raises(Http404):
        get_object_for_user(Enterprise.objects.all(), legal_officer, owner_field=None, pk=ld.pk)
    found = get_object_for_user(
        Enterprise.objects.all(),
        legal_officer,
        owner_field=None,
        staff_roles=CASE_READER_ROLES,
        pk=ld.pk,
    )
    assert found == ld
    with pytest.raises(Http404):
        get_object_for_user(
            Enterprise.objects.all(),
            legal_officer,
            owner_field=None,
            staff_roles=CASE_READER_ROLES,
            pk=lq.pk,
        )
