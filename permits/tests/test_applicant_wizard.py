"""The apply wizard end to end, through the pages an applicant uses (Django test client)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lishui_fire.accounts.models import OrgUnit
from permits.models import Delivery, Material, PermitApplication
from permits.tests.factories import (
    make_application,
    make_booking,
    make_slot,
    pdf_upload,
    png_upload,
    valid_uscc,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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


def unit_data(**overrides):
    data = {
        "unit_name": "丽水市星光娱乐有限公司",
        "unit_uscc": valid_uscc(77).lower(),
        "legal_representative": "张三",
        "contact_name": "张三",
        "contact_phone": "138 5781 2345",
    }
    data.update(overrides)
    return data


def step_url(application, step):
    return reverse("permits:apply_step", args=[application.pk, step])


def test_it_walks_the_commitment_path_from_draft_to_submitted(client_for, citizen):
    client = client_for(citizen)

    # Step 1 creates the draft; leaving after it keeps everything.
    response = client.post(reverse("permits:apply"), venue_data(leave="1"))
    assert response.status_code == 302
    assert response.url == reverse("permits:mine")
    application = PermitApplication.objects.get(applicant=citizen)
    assert application.status == "draft"
    assert application.brigade.code == "LD"
    assert application.reference.startswith(f"XK{timezone.localdate().year}LD")

    # 我的申请 lists the draft with a way back in.
    mine = client.get(reverse("permits:mine")).content.decode()
    assert application.reference in mine
    assert step_url(application, "unit") in mine

    response = client.post(step_url(application, "unit"), unit_data())
    assert response.status_code == 302
    assert response.url == step_url(application, "path")
    application.refresh_from_db()
    assert application.unit_uscc == valid_uscc(77)  # normalised to upper case
    assert application.contact_phone == "13857812345"

    # The path step shows the commitment text in full.
    page = client.get(step_url(application, "path")).content.decode()
    assert "公众聚集场所投入使用、营业消防安全告知承诺书" in page
    assert "第五十八条" in page
    assert client.post(step_url(application, "path"), {"path": "commitment"}).status_code == 302

    # Submitting now lists every problem at once: the signature and the licence. The letter is
    # signed online, never asked for as an upload as well.
    response = client.post(reverse("permits:submit_application", args=[application.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "尚未签署消防安全告知承诺书" in page
    assert "缺少材料：消防安全告知承诺书" not in page
    assert "缺少材料：营业执照或其他主体资格证明" in page
    application.refresh_from_db()
    assert application.status == "draft"

    # Signing needs the box ticked as well as the name.
    response = client.post(step_url(application, "sign"), {"signatory": "张三"})
    assert response.status_code == 400
    assert response.context["form"].errors["agree"]
    application.refresh_from_db()
    assert application.commitment_signed_at is None
    response = client.post(step_url(application, "sign"), {"signatory": " 张三 ", "agree": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.commitment_signatory == "张三"

    # The materials page says what is still required (the signed letter counts), then accepts
    # a PNG and a PDF.
    page = client.get(step_url(application, "materials")).content.decode()
    assert page.count("尚未上传") == 1
    assert "已在线签署，无需上传" in page
    for kind, upload in (("business_licence", png_upload()), ("fire_rules", pdf_upload())):
        response = client.post(step_url(application, "materials"), {"kind": kind, "file": upload})
        assert response.status_code == 302
    assert client.get(step_url(application, "review")).context["problems"] == []

    response = client.post(reverse("permits:submit_application", args=[application.pk]))
    assert response.status_code == 302
    assert response.url == reverse("permits:my_application", args=[application.pk])
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.submitted_at is not None
    assert application.decision_due is not None
    assert application.decision_due >= timezone.localdate()

    # Submitted: the wizard is closed and the page says why.
    response = client.get(step_url(application, "venue"))
    assert response.status_code == 302
    assert response.url == reverse("permits:my_application", args=[application.pk])


def test_the_inspection_path_skips_the_signature_and_needs_four_materials(client_for, citizen):
    application = make_application(citizen, with_materials=False, signed=False, path="inspection")
    client = client_for(citizen)
    review = client.get(step_url(application, "review"))
    labels = [str(s["label"]) for s in review.context["steps"]]
    assert "签署承诺" not in labels
    problems = review.context["problems"]
    assert len(problems) == 4
    assert not any("承诺书" in p and "签署" in p for p in problems)
    assert client.get(step_url(application, "sign")).url == step_url(application, "materials")


def test_it_lists_unit_fields_still_empty_among_the_problems(client_for, citizen):
    client = client_for(citizen)
    client.post(reverse("permits:apply"), venue_data())
    application = PermitApplication.objects.get(applicant=citizen)
    response = client.post(reverse("permits:submit_application", args=[application.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写：申请单位名称" in page
    assert "请填写：统一社会信用代码" in page
    assert "缺少材料" in page


def test_it_prefills_the_unit_step_from_the_applicants_profile(client_for, citizen):
    citizen.enterprise_name = "丽水市好运来餐饮管理有限公司"
    citizen.save()
    client = client_for(citizen)
    client.post(reverse("permits:apply"), venue_data())
    application = PermitApplication.objects.get(applicant=citizen)
    form = client.get(step_url(application, "unit")).context["form"]
    assert form.initial["unit_name"] == "丽水市好运来餐饮管理有限公司"
    assert form.initial["contact_name"] == "张三"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("floor_area_m2", "-5"),
        ("capacity", "0"),
        ("capacity", "abc"),
        ("county", "999999"),
        ("venue_type", "casino"),
        ("opening_date", "2020-01-01"),
        ("opening_date", "2999-01-01"),
        ("opening_date", "not-a-date"),
        ("venue_name", ""),
    ],
)
def test_bad_venue_input_shows_an_error_and_creates_nothing(client_for, citizen, field, value):
    response = client_for(citizen).post(reverse("permits:apply"), venue_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not PermitApplication.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_uscc", "wrong-check-character"),
        ("unit_uscc", "123"),
        ("contact_phone", "0578-1234567"),
        ("contact_phone", "2385781234"),
        ("legal_representative", ""),
    ],
)
def test_bad_unit_input_shows_an_error_and_changes_nothing(client_for, citizen, field, value):
    application = make_application(citizen, with_materials=False)
    if value == "wrong-check-character":
        good = valid_uscc(5)
        value = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = {
        f: getattr(application, f) for f in ("unit_uscc", "contact_phone", "legal_representative")
    }
    response = client_for(citizen).post(step_url(application, "unit"), unit_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    application.refresh_from_db()
    assert {f: getattr(application, f) for f in before} == before


def test_switching_to_the_inspection_path_drops_the_signature(client_for, citizen):
    application = make_application(citizen)
    assert application.commitment_signed_at is not None
    client_for(citizen).post(step_url(application, "path"), {"path": "inspection"})
    application.refresh_from_db()
    assert application.path == "inspection"
    assert application.commitment_signed_at is None


def test_a_returned_application_can_be_completed_and_resubmitted(client_for, citizen, inspector):
    from permits.services import applications as services

    application = make_application(citizen, status="submitted", path="inspection")
    services.return_application(
        application=application,
        actor=inspector,
        missing_items=["营业执照复印件不清晰", "缺少二层消防设施平面图"],
    )
    client = client_for(citizen)
    page = client.get(step_url(application, "review")).content.decode()
    assert "营业执照复印件不清晰" in page
    assert "缺少二层消防设施平面图" in page
    response = client.post(
        step_url(application, "materials"), {"kind": "floor_plans", "file": pdf_upload("二层.pdf")}
    )
    assert response.status_code == 302
    response = client.post(reverse("permits:submit_application", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"


def test_removing_a_material_is_post_only_and_takes_it_off(client_for, citizen):
    application = make_application(citizen)
    material = application.materials.first()
    url = reverse("permits:material_remove", args=[application.pk, material.pk])
    client = client_for(citizen)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()
    review = client.get(step_url(application, "review"))
    assert any("缺少材料" in p for p in review.context["problems"])


def test_a_submitted_application_keeps_its_materials(client_for, citizen):
    application = make_application(citizen, status="submitted")
    material = application.materials.first()
    response = client_for(citizen).post(
        reverse("permits:material_remove", args=[application.pk, material.pk])
    )
    assert response.status_code == 302
    assert Material.objects.filter(pk=material.pk).exists()


def test_an_unknown_step_is_404(client_for, citizen):
    application = make_application(citizen)
    assert client_for(citizen).get(step_url(application, "payment")).status_code == 404


def test_errors_come_in_english_with_accept_language_en(client_for, citizen):
    response = client_for(citizen).post(
        reverse("permits:apply"),
        venue_data(capacity="0", unit_uscc="bad"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert '<html lang="en">' in response.content.decode()


# --- The same "new application" form sent twice -----------------------------------------------------
def _token(response) -> str:
    import re

    found = re.search(r'name="form_token" value="([0-9a-f-]{36})"', response.content.decode())
    assert found, "the new-application form carries its token"
    return found.group(1)


def test_sending_the_new_application_form_twice_creates_one_draft(client_for, citizen):
    client = client_for(citizen)
    token = _token(client.get(reverse("permits:apply")))
    first = client.post(reverse("permits:apply"), {**venue_data(), "form_token": token})
    again = client.post(reverse("permits:apply"), {**venue_data(), "form_token": token})
    assert PermitApplication.objects.filter(applicant=citizen).count() == 1
    assert first["Location"] == again["Location"]  # both continue with the same draft
    # A new blank form is a new application.
    token2 = _token(client.get(reverse("permits:apply")))
    assert token2 != token
    client.post(reverse("permits:apply"), {**venue_data(), "form_token": token2})
    assert PermitApplication.objects.filter(applicant=citizen).count() == 2


def test_a_token_is_the_senders_own(client_for, citizen, other_citizen):
    token = _token(client_for(citizen).get(reverse("permits:apply")))
    client_for(citizen).post(reverse("permits:apply"), {**venue_data(), "form_token": token})
    client_for(other_citizen).post(reverse("permits:apply"), {**venue_data(), "form_token": token})
    assert PermitApplication.objects.filter(applicant=citizen).count() == 1
    assert PermitApplication.objects.filter(applicant=other_citizen).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_of_the_form_make_one_draft_and_use_one_number(
    citizen, org_units
):
    """A double tap on a slow phone: both requests arrive together (PostgreSQL)."""
    import threading
    import uuid

    from django.db import connection, connections

    from permits.services.applications import create_draft

    if connection.vendor != "postgresql":
        from conftest import skip_or_fail

        skip_or_fail("row-level concurrency is tested on PostgreSQL")
    token = uuid.uuid4()
    barrier = threading.Barrier(4, timeout=10)
    made: list[int] = []
    fields = venue_data()
    fields.pop("county")
    fields["opening_date"] = dt.date.fromisoformat(fields["opening_date"])

    def attempt() -> None:
        try:
            barrier.wait()
            made.append(
                create_draft(
                    applicant=citizen, brigade=org_units["LD"], form_token=token, **fields
                ).pk
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(made) == 4
    assert len(set(made)) == 1
    (only,) = PermitApplication.objects.filter(applicant=citizen)
    # The losers' reference numbers were rolled back with them: the next one follows on.
    nxt = create_draft(applicant=citizen, brigade=org_units["LD"], **fields)
    assert int(nxt.reference[-5:]) == int(only.reference[-5:]) + 1


# --- The commitment signed online is the commitment material ---------------------------------------
def test_the_commitment_signed_online_is_not_asked_for_again_as_an_upload(client_for, citizen):
    application = make_application(citizen, with_materials=False, signed=True)
    client = client_for(citizen)

    response = client.get(step_url(application, "materials"))
    kinds = [value for value, _label in response.context["form"].fields["kind"].choices]
    assert "commitment_letter" not in kinds
    checklist = {str(item["label"]): item for item in response.context["checklist"]}
    assert checklist["消防安全告知承诺书"]["present"] is True
    assert checklist["营业执照或其他主体资格证明"]["present"] is False

    client.post(
        step_url(application, "materials"), {"kind": "business_licence", "file": png_upload()}
    )
    assert client.get(step_url(application, "review")).context["problems"] == []
    response = client.post(reverse("permits:submit_application", args=[application.pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not application.materials.filter(kind="commitment_letter").exists()


def test_an_unsigned_commitment_is_one_problem_with_the_way_to_sign(client_for, citizen):
    application = make_application(citizen, with_materials=False, signed=False)
    client = client_for(citizen)

    problems = client.get(step_url(application, "review")).context["problems"]
    assert [p for p in problems if "承诺书" in p] == ["尚未签署消防安全告知承诺书。"]
    page = client.get(step_url(application, "materials")).content.decode()
    assert "尚未签署" in page
    assert f'href="{step_url(application, "sign")}"' in page


# --- The venue of her own pre-check booking -----------------------------------------------------------
def test_the_venue_step_offers_her_pre_check_venue_and_links_the_booking(
    client_for, citizen, inspector
):
    booking = make_booking(
        citizen,
        make_slot(inspector),
        venue_name="丽水市莲都区月光茶楼",
        venue_address="丽水市莲都区紫金路 8 号",
        venue_type="teahouse",
    )
    client = client_for(citizen)

    page = client.get(reverse("permits:apply")).content.decode()
    assert f'href="?booking={booking.pk}"' in page
    assert "丽水市莲都区月光茶楼" in page

    response = client.get(reverse("permits:apply") + f"?booking={booking.pk}")
    form = response.context["form"]
    assert form["venue_name"].value() == "丽水市莲都区月光茶楼"
    assert form["venue_address"].value() == "丽水市莲都区紫金路 8 号"
    assert form["venue_type"].value() == "teahouse"
    assert form["county"].value() == inspector.org_unit_id
    page = response.content.decode()
    assert f'name="precheck" value="{booking.pk}"' in page

    data = venue_data(
        venue_name="丽水市莲都区月光茶楼",
        venue_address="丽水市莲都区紫金路 8 号",
        venue_type="teahouse",
        precheck=str(booking.pk),
    )
    assert client.post(reverse("permits:apply"), data).status_code == 302
    application = PermitApplication.objects.get(applicant=citizen)
    assert application.precheck_id == booking.pk


def test_another_persons_booking_is_neither_offered_nor_filled_nor_linked(
    client_for, citizen, other_citizen, inspector
):
    theirs = make_booking(other_citizen, make_slot(inspector), venue_name="别人的场所")
    client = client_for(citizen)

    page = client.get(reverse("permits:apply")).content.decode()
    assert "别人的场所" not in page
    response = client.get(reverse("permits:apply") + f"?booking={theirs.pk}")
    assert response.status_code == 200
    assert response.context["form"]["venue_name"].value() in (None, "")
    assert "别人的场所" not in response.content.decode()
    missing = client.get(reverse("permits:apply") + "?booking=999999")
    # The same words for someone else's booking and for none at all.
    assert [str(m) for m in response.context["messages"]] == [
        str(m) for m in missing.context["messages"]
    ]

    client.post(reverse("permits:apply"), venue_data(precheck=str(theirs.pk)))
    assert PermitApplication.objects.get(applicant=citizen).precheck_id is None


# --- Free mailing and the pre-check, before submission -------------------------------------------------
def test_free_mailing_and_the_pre_check_are_chosen_in_the_wizard_before_submitting(
    client_for, citizen, inspector
):
    booking = make_booking(citizen, make_slot(inspector))
    application = make_application(citizen, status="draft")
    client = client_for(citizen)

    # The materials step leads to it, and the review step after it.
    materials = client.get(step_url(application, "materials")).content.decode()
    assert step_url(application, "delivery") in materials
    response = client.get(step_url(application, "delivery"))
    assert response.status_code == 200
    initial = response.context["delivery_form"].initial
    assert (initial["recipient"], initial["address"]) == (
        application.contact_name,
        application.venue_address,
    )

    response = client.post(
        step_url(application, "delivery"),
        {
            "method": "mail",
            "recipient": "张三",
            "address": "丽水市莲都区解放街 88 号",
            "phone": "138 5781 2345",
            "booking": str(booking.pk),
        },
    )
    assert response.status_code == 302
    assert response.url == step_url(application, "review")
    delivery = Delivery.objects.get(application=application)
    assert (delivery.method, delivery.address, delivery.phone) == (
        "mail",
        "丽水市莲都区解放街 88 号",
        "13857812345",
    )
    application.refresh_from_db()
    assert application.precheck_id == booking.pk
    assert application.status == "draft"

    review = client.get(step_url(application, "review")).content.decode()
    assert "免费邮寄" in review
    assert reverse("permits:booking_detail", args=[booking.pk]) in review
    step = client.get(step_url(application, "delivery")).content.decode()
    assert reverse("permits:booking_detail", args=[booking.pk]) in step


def test_free_mail_without_an_address_in_the_wizard_is_refused_and_nothing_saved(
    client_for, citizen
):
    application = make_application(citizen, status="draft")
    response = client_for(citizen).post(
        step_url(application, "delivery"),
        {"method": "mail", "recipient": "张三", "address": "", "phone": "13857812345"},
    )
    assert response.status_code == 400
    assert "address" in response.context["delivery_form"].errors
    assert not Delivery.objects.exists()


def test_the_wizard_links_only_her_own_pre_check(client_for, citizen, other_citizen, inspector):
    theirs = make_booking(other_citizen, make_slot(inspector))
    application = make_application(citizen, status="draft")
    response = client_for(citizen).post(
        step_url(application, "delivery"), {"method": "download", "booking": str(theirs.pk)}
    )
    assert response.status_code == 400
    assert response.context["link_form"].errors["booking"]
    application.refresh_from_db()
    assert application.precheck_id is None
    assert not Delivery.objects.exists()
