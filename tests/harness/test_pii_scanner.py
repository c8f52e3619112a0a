"""The leak harness's own parts (tests/harness/pii.py): the scanner finds a full number however
a page writes it and ignores masked forms; the field discovery finds every personal number the
models hold, and no field named like one escapes it by lacking its validator."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse, JsonResponse

from tests.harness import pii

PHONE, ID = "13857801236", "33110219900101123X"


def _known():
    known = pii.Known()
    known.add(PHONE, pii.Holder("x.Y.phone", 1, "1", "phone", None))
    known.add(ID, pii.Holder("x.Y.id_number", 1, "1", "id_number", None), pii.ID_NUMBER)
    return known


@pytest.mark.parametrize(
    "body",
    [
        f"<p>{PHONE}</p>",
        '<a href="tel:+8613857801236">call</a>',
        '<a href="tel:138-5780-1236">call</a>',
        '<span data-phone="138 5780 1236"></span>',
        '<input name="contact_phone" value="13857801236">',
        "&#49;&#51;&#56;&#53;&#55;&#56;&#48;&#49;&#50;&#51;&#54;",  # HTML entities
        "电话：138\u00a05780\u00a01236。",
        "联系人 王五 电话13857801236，身份证",
    ],
)
def test_a_full_phone_is_found_however_the_page_writes_it(body):
    assert pii.full_numbers(pii.response_text(HttpResponse(body)), _known()) == {PHONE}


def test_a_full_number_is_found_in_json_escapes_and_headers():
    escaped = json.dumps({"p": PHONE}).replace("1", "\\u0031")
    response = HttpResponse(escaped, content_type="application/json")
    assert pii.full_numbers(pii.response_text(response), _known()) == {PHONE}
    response = JsonResponse({})
    response["Content-Disposition"] = f'attachment; filename="{PHONE}.csv"'
    assert pii.full_numbers(pii.response_text(response), _known()) == {PHONE}


@pytest.mark.parametrize("body", [f"身份证 {ID}", "331102 19900101 123x", f"id={ID.lower()}"])
def test_a_full_id_number_is_found(body):
    assert pii.full_numbers(pii.response_text(HttpResponse(body)), _known()) == {ID}


@pytest.mark.parametrize(
    "body",
    [
        "138****1236",
        "331***********123X",
        "331102********123X",  # 6 + 4, the most an ID may show
        "913857801236",  # inside a longer number (a waybill): not this phone
        "138578012360",
        "13957801236",  # someone else's, not known
    ],
)
def test_masked_forms_and_other_numbers_are_not_reported(body):
    assert pii.full_numbers(pii.response_text(HttpResponse(body)), _known()) == set()


def test_a_pdf_is_read_as_text_and_the_sample_letter_masks_both_numbers():
    """The scanner reads a WeasyPrint letter (CJK fonts): it sees the masked numbers, and a full
    number when one is printed."""
    from lishui_fire.core.documents import render_pdf, sample_letter_context

    context = sample_letter_context(recipient_name="张三", id_number=ID, phone=PHONE)
    pdf = render_pdf("documents/sample_letter.html", context)
    text = pii.response_text(HttpResponse(pdf, content_type="application/pdf"))
    assert "138****1236" in text.replace(" ", "")
    assert pii.full_numbers(text, _known()) == set()
    context["venue_address"] = f"浙江省丽水市 电话 {PHONE}"
    pdf = render_pdf("documents/sample_letter.html", context)
    text = pii.response_text(HttpResponse(pdf, content_type="application/pdf"))
    assert pii.full_numbers(text, _known()) == {PHONE}


def test_links_forms_and_shapes():
    links, posts = pii.parse_links(
        '<a href="/permits/3/">a</a><form method="get" action="/e/"><input name="q" value="x">'
        '</form><form method="post" action="/p/1/reveal/"><input type="hidden" '
        'name="csrfmiddlewaretoken" value="t"><input type="checkbox" name="c" value="1"></form>'
    )
    assert links == ["/permits/3/", "/e/?q=x"]
    assert posts == [("/p/1/reveal/", [("csrfmiddlewaretoken", "t")])]
    assert pii.shape("/permits/12/?page=2&q=a") == "/permits/{n}/?page&q"


@pytest.mark.django_db
def test_every_personal_number_field_is_discovered():
    found = {f.label for f in pii.pii_fields()}
    assert {
        "accounts.User.phone",
        "enterprises.Enterprise.contact_phone",
        "permits.PermitApplication.contact_phone",
        "permits.PrecheckBooking.contact_phone",
        "permits.HomeServiceRequest.contact_phone",
        "permits.Delivery.phone",
    } <= found


def test_no_field_named_like_a_personal_number_lacks_its_validator():
    """A phone or ID field without ``validate_mainland_mobile``/``validate_id_number`` would be
    invisible to the harness, the admin's audit and the audit log's masking."""
    assert pii.suspect_fields_without_validator() == []


def test_the_data_subject_of_each_record_is_found():
    from django.apps import apps

    def model(label):
        return apps.get_model(label)

    assert pii.subject_lookup(model("accounts.User")) == "pk"
    assert pii.subject_lookup(model("permits.PermitApplication")) == "applicant_id"
    assert pii.subject_lookup(model("permits.Delivery")) == "application__applicant_id"
    assert pii.subject_lookup(model("enterprises.Enterprise")) is None  # a unit's contact
