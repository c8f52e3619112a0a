"""The registry's services ask its policies, so a refused actor is refused on every door (pages,
API, admin, tasks): rating, dishonesty lists, the audited phone and the CSV import."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lishui_fire.core.errors import Forbidden
from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises import policies, services
from lishui_fire.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def lq(org_units):
    prefix = "91331181MA2A00009"
    return Enterprise.objects.create(
        uscc=prefix + uscc_check_char(prefix),
        name="龙泉青瓷商场",
        address="龙泉市某路 1 号",
        brigade=org_units["LQ"],
        venue_type="mall",
        contact_phone="13812345678",
    )


@pytest.mark.parametrize("persona", ["inspector", "legal_officer", "discipline_officer", "owner"])
def test_only_supervisors_rate_a_unit(personas, lq, persona):
    with pytest.raises(Forbidden):
        services.change_credit_rating(
            enterprise=lq, to_rating="C", reason="重大隐患", actor=personas[persona]
        )
    lq.refresh_from_db()
    assert lq.credit_rating == "B"


def test_a_brigade_supervisor_rates_only_units_of_their_brigade(personas, lq):
    with pytest.raises(Forbidden):
        services.change_credit_rating(
            enterprise=lq, to_rating="C", reason="重大隐患", actor=personas["supervisor"]
        )
    services.change_credit_rating(
        enterprise=lq, to_rating="C", reason="重大隐患", actor=personas["chief"]
    )
    lq.refresh_from_db()
    assert lq.credit_rating == "C"


@pytest.mark.parametrize("persona", ["inspector", "legal_officer", "discipline_officer"])
def test_the_full_phone_is_for_the_handling_staff_of_the_brigade(personas, lq, persona):
    with pytest.raises(Forbidden):
        services.reveal_enterprise_contact_phone(enterprise=lq, actor=personas[persona])
    assert (
        services.reveal_enterprise_contact_phone(
            enterprise=lq, actor=personas["other_brigade_inspector"]
        )
        == "13812345678"
    )


@pytest.mark.parametrize("persona", ["inspector", "legal_officer"])
def test_only_supervisors_enter_a_dishonesty_listing(personas, lq, persona):
    with pytest.raises(Forbidden):
        services.list_enterprise_as_dishonest(
            enterprise=lq,
            actor=personas[persona],
            list_kind="dishonest",
            listed_on=dt.date(2026, 3, 1),
            publication_ends_on=dt.date(2027, 3, 1),
            source_document="丽消失〔2026〕1号",
            source_authority="丽水市消防救援支队",
            reason="拒不整改",
        )


@pytest.mark.parametrize("persona", ["chief", "supervisor", "legal_officer"])
def test_only_administrators_import(personas, persona):
    with pytest.raises(Forbidden):
        services.start_enterprise_import(
            uploaded_file=SimpleUploadedFile("units.csv", b"x"), uploaded_by=personas[persona]
        )


def test_the_legal_officer_reads_the_registry_of_their_brigade(personas, lq):
    officer = personas["legal_officer"]
    assert policies.can_view_enterprises(officer)
    assert not policies.can_view_enterprises(personas["discipline_officer"])
    assert not policies.can_change_credit_rating(officer)
