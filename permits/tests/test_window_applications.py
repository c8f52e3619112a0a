"""Issue 9: staff enter an application received at the service window for the applicant, who may
have no account; the channel is recorded and counted; on the commitment path the officer proposes
the grant at once and the brigade's supervisor approves it on the spot (即办, ADR 0025)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lishui_fire.accounts.models import User
from permits.models import Channel, PermitApplication
from permits.services import applications as services
from permits.tests.factories import make_application, pdf_bytes, valid_uscc
from permits.workflow import PermitStatus as S
from permits.workflow import ProposalStatus

pytestmark = pytest.mark.django_db

URL = reverse("permits:staff_window")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name="scan.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def counter_form(org_units, **overrides):
    data = {
        "county": org_units["LD"].pk,
        "applicant_name": "王小明",
        "applicant_phone": "139 5780 1234",
        "venue_name": "丽水市莲都区望江楼茶馆",
        "venue_address": "丽水市莲都区大洋路 8 号",
        "venue_type": "restaurant",
        "floor_area_m2": "320",
        "capacity": "80",
        "floors": "1 层",
        "opening_date": "2027-03-01",
        "unit_name": "丽水市望江楼餐饮有限公司",
        "unit_uscc": valid_uscc(7),
        "legal_representative": "王小明",
        "contact_name": "王小明",
        "contact_phone": "13957801234",
        "path": "commitment",
        "signatory": "王小明",
        "material_commitment_letter": pdf(),
        "material_business_licence": pdf(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_counter_application_for_a_person_without_an_account(client_for, inspector, org_units):
    response = client_for(inspector).post(URL, counter_form(org_units))
    assert response.status_code == 302, response.content.decode()[:3000]
    application = PermitApplication.objects.get()
    assert application.channel == Channel.WINDOW
    assert application.status == S.SUBMITTED
    assert application.handled_by == inspector
    assert application.commitment_signatory == "王小明"
    assert application.materials.count() == 2
    owner = application.applicant
    assert (owner.real_name, owner.phone, owner.is_applicant) == ("王小明", "13957801234", True)
    assert not owner.has_usable_password()
    assert not application.proposals.exists()
    # The staff page shows the number masked, like every other application.
    page = client_for(inspector).get(response["Location"]).content.decode()
    assert "13957801234" not in page
    assert "窗口申请" in page


def test_an_applicant_with_an_account_gets_it_in_their_list(
    client_for, citizen, inspector, org_units
):
    form = counter_form(org_units, applicant_phone=citizen.phone, applicant_name=citizen.real_name)
    assert client_for(inspector).post(URL, form).status_code == 302
    application = PermitApplication.objects.get()
    assert application.applicant == citizen
    assert User.objects.filter(phone=citizen.phone).count() == 1
    mine = client_for(citizen).get(reverse("permits:mine")).content.decode()
    assert application.reference in mine


def test_on_the_spot_the_officer_proposes_and_the_supervisor_grants(
    client_for, inspector, supervisor, org_units
):
    form = counter_form(org_units, propose_grant="on")
    assert client_for(inspector).post(URL, form).status_code == 302
    application = PermitApplication.objects.get()
    proposal = application.proposals.get()
    assert (proposal.status, proposal.proposed_by) == (ProposalStatus.PENDING, inspector)
    assert application.status == S.SUBMITTED  # the officer alone grants nothing
    services.approve_application(application=application, actor=supervisor)
    assert PermitApplication.objects.get(pk=application.pk).status == S.APPROVED


def test_missing_scans_are_listed_and_nothing_is_saved(client_for, inspector, org_units):
    form = counter_form(org_units, material_business_licence=None)
    response = client_for(inspector).post(URL, form)
    assert response.status_code == 400
    assert "请扫描上传：营业执照或其他主体资格证明" in response.content.decode()
    assert not PermitApplication.objects.exists()
    assert not User.objects.filter(phone="13957801234").exists()


def test_the_inspection_path_cannot_be_granted_on_the_spot(client_for, inspector, org_units):
    form = counter_form(
        org_units,
        path="inspection",
        propose_grant="on",
        material_application_form=pdf(),
        material_fire_rules=pdf(),
        material_floor_plans=pdf(),
    )
    response = client_for(inspector).post(URL, form)
    assert response.status_code == 400
    assert "须经现场检查" in response.content.decode()
    assert not PermitApplication.objects.exists()


def test_a_counter_form_sent_twice_is_one_application(client_for, inspector, org_units):
    client = client_for(inspector)
    token = "6f1c1f3e-3c1a-4d7e-9a55-0d7f1e3c2b11"
    client.post(URL, counter_form(org_units, form_token=token))
    client.post(URL, counter_form(org_units, form_token=token))
    assert PermitApplication.objects.count() == 1


def test_only_the_officers_own_county(client_for, inspector, org_units):
    response = client_for(inspector).post(URL, counter_form(org_units, county=org_units["LQ"].pk))
    assert response.status_code == 400
    assert not PermitApplication.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 403),
        ("inspector", 200),
        ("supervisor", 200),
        ("chief", 200),
        ("legal_officer", 403),
        ("discipline_officer", 403),
    ],
)
def test_who_opens_the_window_page(client_for, personas, persona, status):
    assert client_for(personas[persona]).get(URL).status_code == status


def test_the_dashboard_counts_by_channel(client_for, citizen, supervisor, inspector, org_units):
    make_application(citizen, status="submitted")
    make_application(citizen, status="submitted", channel=Channel.WINDOW)
    make_application(citizen, status="approved", channel=Channel.WINDOW)
    make_application(citizen, status="draft", channel=Channel.WINDOW)  # not yet an application
    response = client_for(supervisor).get(reverse("permits:dashboard"))
    rows = {row["channel"].value: row["count"] for row in response.context["channel_rows"]}
    assert rows == {"online": 1, "window": 2}
