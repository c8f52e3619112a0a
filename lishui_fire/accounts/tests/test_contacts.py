"""Whom to call: a unit's hotline and window are data, shown as tel: and map links, with the
parent's or the 12345 hotline where a unit has none; letters name each unit's own
reconsideration body (issue 9)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from lishui_fire.accounts import contacts
from lishui_fire.accounts.contacts import (
    contact_for,
    issuing_authority,
    map_url,
    reconsideration_body,
)
from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.validators import is_valid_phone_number, tel_uri, validate_phone_number

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "number", ["0578-2121119", "057821211190"[:11], "0578 2121119", "13905781199", "119", "12345"]
)
def test_numbers_people_are_told_to_call_are_accepted(number):
    assert is_valid_phone_number(number)


@pytest.mark.parametrize(
    "number", ["", "0578-119（示例）", "12", "call us", "0578-21211", "+86 578"]
)
def test_anything_else_is_refused_with_a_message(number):
    assert not is_valid_phone_number(number)
    with pytest.raises(ValidationError) as exc:
        validate_phone_number(number)
    assert exc.value.code == "invalid_phone_number"


def test_tel_uri_keeps_only_digits():
    assert tel_uri("0578-212 1119") == "tel:05782121119"


def test_a_brigade_with_its_own_contact_shows_it(org_units):
    lq = OrgUnit.objects.get(code="LQ")
    lq.hotline, lq.window_address, lq.opening_hours = "0578-7128119", "龙泉市某路 1 号", "工作日"
    lq.save()
    contact = contact_for(lq)
    assert (contact.hotline, contact.tel) == ("0578-7128119", "tel:05787128119")
    assert contact.window_address == "龙泉市某路 1 号"
    assert contact.map_url == map_url("龙泉市某路 1 号")
    assert "%E9%BE%99%E6%B3%89" in contact.map_url  # the address, URL-encoded


def test_a_brigade_without_one_falls_back_to_the_detachment_then_to_12345(org_units):
    lq = OrgUnit.objects.get(code="LQ")
    assert contact_for(lq).hotline == "12345"
    assert contact_for(lq).map_url == ""
    detachment = OrgUnit.objects.get(code="LS")  # as the admin edits it: a save
    detachment.hotline, detachment.window_address = "0578-2119119", "丽阳街 1 号"
    detachment.save()
    lq.refresh_from_db()
    contact = contact_for(lq)
    assert (contact.hotline, contact.window_address) == ("0578-2119119", "丽阳街 1 号")
    assert contact.unit_name == lq.name_zh


def test_footer_calls_the_detachment_hotline_as_a_link(client, org_units):
    OrgUnit.objects.filter(code="LS").update(hotline="0578-2119119")
    html = client.get("/").content.decode()
    assert 'href="tel:05782119119"' in html
    assert 'href="tel:119"' in html
    assert "（示例）" not in html.split("site-footer")[1]


def test_each_brigade_names_its_own_county_government_for_reconsideration(org_units):
    assert reconsideration_body(OrgUnit.objects.get(code="QT")) == "青田县人民政府"
    assert reconsideration_body(OrgUnit.objects.get(code="LD")) == "丽水市莲都区人民政府"
    assert reconsideration_body(OrgUnit.objects.get(code="LS")) == "丽水市人民政府"


def test_a_unit_left_blank_names_its_parents_body(org_units):
    OrgUnit.objects.filter(code="QT").update(reconsideration_body="")
    assert reconsideration_body(OrgUnit.objects.get(code="QT")) == "丽水市人民政府"
    OrgUnit.objects.filter(code="QT").update(reconsideration_body="青田县人民政府（复核）")
    assert reconsideration_body(OrgUnit.objects.get(code="QT")) == "青田县人民政府（复核）"


@pytest.mark.parametrize(
    ("code", "printed"),
    [
        ("LD", "丽水市莲都区消防救援大队"),  # a district of the city carries the city's name
        ("LQ", "龙泉市消防救援大队"),  # a county-level city stands alone
        ("QT", "青田县消防救援大队"),  # and so does a county
        ("LS", "丽水市消防救援支队"),  # the detachment already starts with the city
    ],
)
def test_documents_print_the_issuing_authority_as_the_law_names_it(org_units, code, printed):
    assert issuing_authority(OrgUnit.objects.get(code=code)) == printed


def test_a_district_unit_already_named_with_the_city_is_not_prefixed_twice(org_units):
    unit = OrgUnit.objects.get(code="LD")
    unit.name_zh = "丽水市莲都区消防救援大队"
    assert issuing_authority(unit) == "丽水市莲都区消防救援大队"


# --- The units are kept in the process (ADR 0033) ------------------------------------------------------
def test_the_footer_reads_no_table_once_the_units_are_known(client, org_units):
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert not [q for q in queries if "accounts_orgunit" in q["sql"]]
    assert 'href="tel:119"' in html


def test_a_saved_hotline_is_on_the_next_page(client, org_units):
    assert 'href="tel:12345"' in client.get("/").content.decode()  # none entered: 12345
    detachment = OrgUnit.objects.get(code="LS")
    detachment.hotline = "0578-2119119"
    detachment.save()
    html = client.get("/").content.decode()
    assert 'href="tel:05782119119"' in html
    assert 'href="tel:12345"' not in html.split("site-footer")[1]


def test_a_deleted_unit_is_forgotten(org_units):
    lq = OrgUnit.objects.get(code="LQ")
    extra = OrgUnit.objects.create(code="KFQ", kind="brigade", name_zh="开发区大队", parent=lq)
    assert contact_for(extra).unit_name == "开发区大队"
    assert extra.pk in contacts._units()
    extra.delete()
    assert extra.pk not in contacts._units()


def test_a_write_without_a_signal_shows_within_the_memo_time(org_units, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(contacts.time, "monotonic", lambda: now[0])
    contacts.invalidate_contacts()
    assert contact_for(None).hotline == "12345"
    OrgUnit.objects.filter(code="LS").update(hotline="0578-2119119")  # no save, no signal
    assert contact_for(None).hotline == "12345"  # this process's copy, for a while
    now[0] += contacts.UNITS_MEMO_SECONDS
    assert contact_for(None).hotline == "0578-2119119"


def test_a_database_that_is_down_still_names_a_number(org_units, monkeypatch):
    contacts.invalidate_contacts()

    def down(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(OrgUnit.objects, "values", down)
    contact = contact_for(None)
    assert (contact.hotline, contact.hotline_label) == ("12345", "政务服务热线")
    assert contacts._memo["units"] is None  # nothing kept: the next page reads the table again
