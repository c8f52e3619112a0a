"""Uploads are checked by content and size; stored under a random name; downloaded under a safe one."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from permits.models import Material
from permits.tests.factories import make_application, pdf_bytes, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(client, application, kind, file):
    return client.post(
        reverse("permits:apply_step", args=[application.pk, "materials"]),
        {"kind": kind, "file": file},
    )


def test_a_renamed_executable_is_refused_and_nothing_is_stored(client_for, citizen, media):
    application = make_application(citizen, with_materials=False)
    response = upload(
        client_for(citizen),
        application,
        "business_licence",
        SimpleUploadedFile("x.pdf", EXECUTABLE, content_type="application/pdf"),
    )
    assert response.status_code == 400
    assert "改扩展名无效" in " ".join(response.context["form"].errors["file"])
    assert "只能上传 PDF、JPEG 或 PNG 文件" in response.content.decode()
    assert not Material.objects.exists()
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_and_nothing_is_stored(client_for, citizen, media, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    application = make_application(citizen, with_materials=False)
    big = SimpleUploadedFile("big.pdf", pdf_bytes("x" * 4096), content_type="application/pdf")
    response = upload(client_for(citizen), application, "business_licence", big)
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert not Material.objects.exists()
    assert stored_files(media) == []


def test_an_image_that_is_not_really_an_image_is_refused(client_for, citizen, media):
    application = make_application(citizen, with_materials=False)
    broken = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    response = upload(client_for(citizen), application, "floor_plans", broken)
    assert response.status_code == 400
    assert not Material.objects.exists()


def test_an_empty_or_missing_file_is_a_form_error(client_for, citizen):
    application = make_application(citizen, with_materials=False)
    client = client_for(citizen)
    response = client.post(
        reverse("permits:apply_step", args=[application.pk, "materials"]), {"kind": "other"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    response = upload(client, application, "other", SimpleUploadedFile("e.pdf", b""))
    assert response.status_code == 400
    assert not Material.objects.exists()


def test_an_unknown_kind_is_a_form_error(client_for, citizen):
    application = make_application(citizen, with_materials=False)
    response = upload(client_for(citizen), application, "passport", pdf_upload())
    assert response.status_code == 400
    assert response.context["form"].errors["kind"]


def test_after_an_upload_the_type_proposed_is_the_next_one_still_missing(client_for, citizen):
    application = make_application(citizen, with_materials=False, path="inspection")
    client = client_for(citizen)
    url = reverse("permits:apply_step", args=[application.pk, "materials"])

    def proposed() -> str:
        page = client.get(url).content.decode()
        selected = re.findall(r'<option value="(\w+)" selected>', page)
        assert len(selected) == 1, selected
        return selected[0]

    assert proposed() == "application_form"
    upload(client, application, "application_form", pdf_upload())
    assert proposed() == "business_licence"
    # Out of order: the first kind still missing, not the one after the last upload.
    upload(client, application, "fire_rules", pdf_upload())
    assert proposed() == "business_licence"
    upload(client, application, "business_licence", png_upload())
    assert proposed() == "floor_plans"
    upload(client, application, "floor_plans", pdf_upload())
    assert proposed() == "other"


def test_a_refused_upload_keeps_the_type_the_applicant_chose(client_for, citizen):
    application = make_application(citizen, with_materials=False, path="inspection")
    response = upload(
        client_for(citizen),
        application,
        "floor_plans",
        SimpleUploadedFile("x.pdf", EXECUTABLE, content_type="application/pdf"),
    )
    assert response.status_code == 400
    assert '<option value="floor_plans" selected>' in response.content.decode()


def test_the_commitment_letter_is_not_an_upload_on_the_commitment_path(client_for, citizen):
    application = make_application(citizen, with_materials=False)
    response = upload(client_for(citizen), application, "commitment_letter", pdf_upload())
    assert response.status_code == 400
    assert response.context["form"].errors["kind"]
    assert not Material.objects.exists()


def test_a_pdf_and_a_png_are_accepted_under_random_names(client_for, citizen, media):
    application = make_application(citizen, with_materials=False)
    client = client_for(citizen)
    assert (
        upload(client, application, "fire_rules", pdf_upload("我的消防制度.pdf")).status_code == 302
    )
    assert (
        upload(client, application, "business_licence", png_upload("营业执照.png")).status_code
        == 302
    )
    materials = {m.kind: m for m in Material.objects.filter(application=application)}
    pdf, png = materials["fire_rules"], materials["business_licence"]
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")
    assert pdf.original_name == "我的消防制度.pdf"
    for material, user_name in ((pdf, "我的消防制度"), (png, "营业执照")):
        assert user_name not in material.file.name
        assert re.fullmatch(
            r"permits/materials/\d{4}/\d{2}/[0-9a-f]{16}[^/]*\.(pdf|png)", material.file.name
        )
    assert len(stored_files(media)) == 2


def test_an_upload_claiming_pdf_but_holding_png_is_kept_as_png(client_for, citizen):
    application = make_application(citizen, with_materials=False)
    upload(client_for(citizen), application, "other", png_upload("scan.pdf"))
    material = Material.objects.get(application=application)
    assert material.content_type == "image/png"
    assert material.file.name.endswith(".png")
    assert material.original_name == "scan.png"


def test_the_download_name_is_sanitised(client_for, citizen):
    application = make_application(citizen, with_materials=False)
    material = Material(
        application=application,
        kind="other",
        original_name='../../etc/passwd".pdf',
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=citizen,
    )
    material.file.save("0123456789abcdef.pdf", ContentFile(pdf_bytes()), save=False)
    material.save()
    response = client_for(citizen).get(reverse("permits:material_download", args=[material.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = re.search(r'filename="([^"]*)"', disposition).group(1)
    assert "/" not in name
    assert ".." not in name
    assert name.endswith(".pdf")
    assert disposition.count('"') == 2
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_an_uploaded_path_name_downloads_under_a_plain_name(client_for, citizen):
    application = make_application(citizen, with_materials=False)
    client = client_for(citizen)
    evil = SimpleUploadedFile('../../etc/passwd".pdf', pdf_bytes(), content_type="application/pdf")
    assert upload(client, application, "other", evil).status_code == 302
    material = Material.objects.get(application=application)
    assert "etc" not in material.file.name
    response = client.get(reverse("permits:material_download", args=[material.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'


def test_a_chinese_download_name_is_encoded_for_the_header(client_for, citizen):
    application = make_application(citizen)
    material = application.materials.first()
    response = client_for(citizen).get(reverse("permits:material_download", args=[material.pk]))
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
