"""HTTP hygiene of the kernel, for every app's API at once (issue 9, security review):

* every API response says ``Cache-Control: no-store`` (no proxy or browser keeps personal data);
* unknown ``/api/`` addresses answer JSON 404, with DEBUG on too;
* production renders the API as JSON only (no browsable API);
* an image whose header announces more pixels than allowed is refused as too large, before it
  is decoded, not as "damaged".
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from conftest import PASSWORD
from permits.models import Material
from permits.tests.factories import make_application

BASE_DIR = Path(__file__).resolve().parents[3]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that announces ``width``×``height`` in its header: a few bytes, a bomb if decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- Cache-Control: no-store ----------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/permits/", "/api/v1/precheck-slots/", "/api/v1/no-such-thing/"]
)
def test_every_api_response_is_no_store(api_for, citizen, path):
    response = api_for(citizen).get(path)
    assert "no-store" in response["Cache-Control"], (path, response.status_code)


@pytest.mark.django_db
def test_an_anonymous_or_refused_api_call_is_no_store_too(api_for):
    response = api_for(None).get("/api/v1/permits/")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_token_obtained_is_never_cached(client, citizen):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": citizen.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_keep_their_own_caching(client):
    # The rule is the API's: the public schema and pages are not made uncacheable by it.
    assert "no-store" not in client.get("/api/schema/").get("Cache-Control", "")


# --- Unknown API addresses: JSON 404 with DEBUG on ------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/nothing", "/api/v1/permits/x/y/"])
def test_unknown_api_addresses_answer_json_404_with_debug_on(client, citizen, path):
    client.force_login(citizen, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend")
    with override_settings(DEBUG=True):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "未找到。"}


@pytest.mark.django_db
def test_unknown_pages_keep_djangos_debug_page(client):
    with override_settings(DEBUG=True):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- Production renders JSON only -----------------------------------------------------------------
def test_production_api_renders_json_only():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_")
        and k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "REQUIRE_SERVICES", "DEBUG"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="hygiene-test-" + "q" * 51,
        ALLOWED_HOSTS="portal.example.org",
        CSRF_TRUSTED_ORIGINS="https://portal.example.org",
        PORTAL_BASE_URL="https://portal.example.org",
        DATABASE_URL="sqlite:////tmp/lishui-hygiene-never-created.sqlite3",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    code = (
        "import django, json; django.setup();"
        "from rest_framework.settings import api_settings;"
        "print(json.dumps([c.__module__ + '.' + c.__name__"
        " for c in api_settings.DEFAULT_RENDERER_CLASSES]))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "lishui_fire.settings"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    renderers = json.loads(done.stdout.strip().splitlines()[-1])
    assert renderers == ["rest_framework.renderers.JSONRenderer"]


def test_local_keeps_the_browsable_api():
    from rest_framework.renderers import BrowsableAPIRenderer
    from rest_framework.settings import api_settings

    assert BrowsableAPIRenderer in api_settings.DEFAULT_RENDERER_CLASSES


# --- Images too large by their header ----------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.mark.django_db
def test_a_30000_pixel_square_image_is_too_large_on_the_page(client_for, citizen, media, settings):
    settings.MAX_IMAGE_DIMENSIONS = (10000, 10000)
    application = make_application(citizen, with_materials=False)
    bomb = SimpleUploadedFile("plan.png", png_header_only(30000, 30000), content_type="image/png")
    response = client_for(citizen).post(
        reverse("permits:apply_step", args=[application.pk, "materials"]),
        {"kind": "floor_plans", "file": bomb},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert "图片尺寸过大" in errors
    assert "10000×10000" in errors
    assert "损坏" not in errors
    assert not Material.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (10001, 20), (20, 10001)])
def test_an_image_over_the_limit_is_too_large_on_the_api(api_for, citizen, media, width, height):
    application = make_application(citizen, with_materials=False)
    bomb = SimpleUploadedFile("plan.png", png_header_only(width, height), content_type="image/png")
    with override_settings(MAX_IMAGE_DIMENSIONS=(10000, 10000)):
        response = api_for(citizen).post(
            f"/api/v1/permits/{application.pk}/materials/",
            {"kind": "floor_plans", "file": bomb},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["file"])
    assert "图片尺寸过大" in message
    assert "10000×10000" in message
    assert not Material.objects.exists()


def test_the_size_check_reads_the_header_only(settings):
    """The limit applies before decoding: the refused file is tiny and never decompressed."""
    from lishui_fire.core.uploads import verify_image

    settings.MAX_IMAGE_DIMENSIONS = (10000, 10000)
    from django.core.exceptions import ValidationError

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        verify_image(SimpleUploadedFile("p.png", png_header_only(30000, 30000)))
    assert refused.value.code == "too_large"
    verify_image(SimpleUploadedFile("ok.png", png_header_only(8, 8)))  # within the limit
