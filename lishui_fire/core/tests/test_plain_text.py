"""Free text refuses invisible control and format characters, on every page and API (issue 9).

A right-to-left override in a venue name reversed the official wording of the decision letter.
The rule (``validators.validate_plain_text``) is the kernel's, on every text field: here its
boundaries, then a page and the API refusing with a translated message and saving nothing.
``tests/test_text_rule_guard.py`` checks that no form or serializer escapes it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from lishui_fire.accounts.models import OrgUnit
from lishui_fire.core.validators import invisible_characters, validate_plain_text
from permits.models import PermitApplication
from permits.tests.factories import application_fields

REFUSED = [
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    *[chr(c) for c in range(0x200B, 0x2010)],  # zero-width space/joiners, LRM, RLM
    *[chr(c) for c in range(0x202A, 0x202F)],  # bidi embeddings and overrides
    *[chr(c) for c in range(0x2066, 0x206A)],  # bidi isolates
    *[chr(c) for c in range(0x20) if chr(c) not in "\n\r\t"],  # C0 controls
    "\x7f",
    "\x85",  # C1 control (NEXT LINE)
    "\ufeff",  # ZERO WIDTH NO-BREAK SPACE (BOM)
    "\u00ad",  # SOFT HYPHEN
    "\u2028",  # LINE SEPARATOR
    "\u2029",  # PARAGRAPH SEPARATOR
    "\u2060",  # WORD JOINER
]
ALLOWED = [
    "丽水市莲都区好运来大酒店",
    "第一行\n第二行\r\n第三行",
    "名称\t备注",
    "丽水\u3000大酒店",  # ideographic space: ordinary Chinese typing
    "Café Lishui & Co. (3/F)",
    "\ue000",  # private use: rare characters of names in older GB 18030 systems
    "",
]


@pytest.mark.parametrize("ch", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_each_control_and_format_character_is_refused(ch):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_plain_text(f"丽水{ch}大酒店")
    assert refused.value.code == "invisible_character"
    message = refused.value.messages[0]
    assert f"U+{ord(ch):04X}" in message
    assert "控制字符或格式字符" in message


@pytest.mark.parametrize("text", ALLOWED)
def test_ordinary_text_line_breaks_and_tabs_pass(text):
    validate_plain_text(text)
    assert invisible_characters(text) == []


def test_parsed_json_and_lists_are_checked_inside():
    with pytest.raises(ValidationError):
        validate_plain_text({"items": ["营业执照", "消防\u202e验收"]})
    with pytest.raises(ValidationError):
        validate_plain_text(["a", {"k\u200b": "v"}])
    validate_plain_text({"items": ["营业执照", 3, None]})


# --- On a page ---------------------------------------------------------------------------------
def venue_data(**overrides):
    data = {
        "venue_name": "丽水市莲都区星光KTV",
        "venue_address": "丽水市莲都区丽阳街 12 号",
        "county": OrgUnit.objects.get(code="LD").pk,
        "venue_type": "dance",
        "floor_area_m2": "850.5",
        "capacity": "220",
        "floors": "2-3 层",
        "opening_date": (timezone.localdate() + dt.timedelta(days=40)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("ch", ["\u202e", "\u200b", "\u2066", "\x01", "\ufeff"])
def test_the_apply_page_refuses_a_venue_name_with_an_override(client_for, citizen, ch):
    response = client_for(citizen).post(
        reverse("permits:apply"),
        venue_data(venue_name=f"丽水星光{ch}VTK"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["venue_name"]
    assert any("控制字符或格式字符" in e for e in errors), errors
    assert f"U+{ord(ch):04X}" in response.content.decode()
    assert not PermitApplication.objects.exists()


@pytest.mark.django_db
def test_the_apply_page_still_takes_ordinary_text(client_for, citizen):
    response = client_for(citizen).post(reverse("permits:apply"), venue_data(leave="1"))
    assert response.status_code == 302
    assert PermitApplication.objects.count() == 1


# --- On the API --------------------------------------------------------------------------------
def permit_body(**overrides):
    data = {**application_fields(), "county": "LD"}
    data["floor_area_m2"] = str(data["floor_area_m2"])
    data["opening_date"] = data["opening_date"].isoformat()
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("ch", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_the_api_refuses_a_venue_name_with_a_control_character(api_for, citizen, ch):
    response = api_for(citizen).post(
        "/api/v1/permits/",
        permit_body(venue_name=f"丽水星光{ch}VTK"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400, response.content
    messages = response.json()["venue_name"]
    assert any("控制字符或格式字符" in m for m in messages), messages
    assert not PermitApplication.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["venue_address", "unit_name", "legal_representative", "floors"])
def test_the_api_refuses_it_in_every_free_text_field(api_for, citizen, field):
    response = api_for(citizen).post(
        "/api/v1/permits/", permit_body(**{field: "丽水\u202e123"}), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not PermitApplication.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_it_inside_a_list_of_texts(api_for, citizen, inspector):
    from permits.tests.factories import make_application

    application = make_application(citizen, status="submitted")
    response = api_for(inspector).post(
        f"/api/v1/permits/{application.pk}/return/",
        {"missing_items": ["营业执照\u202e"]},
        format="json",
    )
    assert response.status_code == 400
    assert "missing_items" in response.json()
