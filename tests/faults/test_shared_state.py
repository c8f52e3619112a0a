"""Nothing assumes a single process, and the shared cache going away breaks no page.

* With ``REDIS_URL`` set (production, CI), every piece of state two web processes must agree on
  lives in PostgreSQL or Redis: sessions in the database, django-axes lockouts in the database,
  DRF's throttles and the document check's rate limit in the default cache, which is Redis; no
  ``LocMemCache`` anywhere; uploaded files in a storage named by a setting. Checked on the settings
  a fresh process builds from the environment, as gunicorn would.
* Redis unreachable: pages and the API (throttled) are still served; the cache misses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.urls import reverse

from tests.celery_fixtures import closed_port

PROBE = """
import json, django, django.core.cache
django.setup()
from django.conf import settings
from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from lishui_fire.core.document_api import DocumentVerifyThrottle
from axes.conf import settings as axes_settings
from django.core.files.storage import storages
print(json.dumps({
    "caches": {alias: caches[alias].__class__.__module__ + "." + caches[alias].__class__.__name__
               for alias in settings.CACHES},
    "session_engine": settings.SESSION_ENGINE,
    "axes_handler": axes_settings.AXES_HANDLER,
    "throttle_caches": sorted({type(t().cache).__name__ for t in api_settings.DEFAULT_THROTTLE_CLASSES}
                              | {type(DocumentVerifyThrottle().cache).__name__}),
    "throttles_use_default_cache": all(
        t().cache is django.core.cache.cache
        for t in [*api_settings.DEFAULT_THROTTLE_CLASSES, DocumentVerifyThrottle]
    ),
    "storage": type(storages["default"]).__module__ + "." + type(storages["default"]).__name__,
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "conn_health_checks": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
}))
"""


def _settings_of_a_fresh_process(**env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lishui_fire.settings",
            "LOG_LEVEL": "WARNING",
            **env,
        },
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_redis_every_shared_thing_is_in_postgres_or_redis():
    seen = _settings_of_a_fresh_process(
        REDIS_URL="redis://127.0.0.1:6379/5",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/lishui_faults",
    )
    assert seen["caches"] == {"default": "lishui_fire.core.cache.ResilientRedisCache"}
    assert seen["session_engine"] in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }
    assert seen["axes_handler"] == "axes.handlers.database.AxesDatabaseHandler"
    assert seen["throttles_use_default_cache"], seen["throttle_caches"]
    assert seen["storage"] == "lishui_fire.core.storage.AtomicFileSystemStorage"
    assert seen["broker"].startswith("redis://")
    assert seen["eager"] is False
    assert seen["conn_health_checks"] is True


def test_the_file_storage_is_a_setting(tmp_path):
    seen = _settings_of_a_fresh_process(
        FILE_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage"
    )
    assert seen["storage"] == "django.core.files.storage.memory.InMemoryStorage"


@pytest.fixture
def redis_unreachable(settings):
    """The default cache pointed at a port nothing listens on (never stop the shared Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "lishui_fire.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    yield caches["default"]
    caches["default"].close()


@pytest.mark.django_db
def test_while_redis_is_unreachable_pages_and_the_throttled_api_are_served(
    redis_unreachable, client_for, api_for, citizen
):
    assert redis_unreachable.get("anything", "miss") == "miss"
    assert redis_unreachable.add("k", 1) is False
    redis_unreachable.set("k", 1)  # dropped, not raised

    client = client_for(citizen)
    for url in (reverse("core:index"), reverse("permits:mine"), reverse("core:verify_document")):
        assert client.get(url).status_code == 200, url
    api = api_for(citizen)
    for _ in range(3):
        assert api.get("/api/v1/permits/").status_code == 200
    assert api_for(None).get("/api/v1/documents/verify/?number=x&code=y").status_code in {
        400,
        404,
    }


@pytest.mark.django_db
def test_the_plain_redis_cache_would_have_failed_those_requests(settings, api_for, citizen):
    """Why ResilientRedisCache exists: Django's RedisCache raises, and the throttle makes a 500."""
    import redis

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    with pytest.raises(redis.ConnectionError):
        api_for(citizen).get("/api/v1/permits/")


@pytest.mark.django_db
def test_files_go_through_the_storage_setting_only(settings, client_for, citizen, inspector):
    """No code path assumes a local folder: with a non-file-system storage (what S3 would be),
    a material is uploaded and downloaded, and a decision letter is rendered and downloaded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from permits.models import DocumentKind, Material, PermitDocument
    from permits.services import applications as services
    from permits.tests.factories import decide, make_application, pdf_bytes

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = "/nonexistent-media-root"  # nothing may fall back to a local path
    application = make_application(citizen, with_materials=False)
    client = client_for(citizen)
    pdf = pdf_bytes("in-memory" * 100)
    response = client.post(
        reverse("permits:apply_step", args=[application.pk, "materials"]),
        {"kind": "business_licence", "file": SimpleUploadedFile("licence.pdf", pdf)},
    )
    assert response.status_code == 302
    material = Material.objects.get(application=application)
    download = client.get(reverse("permits:material_download", args=[material.pk]))
    assert b"".join(download.streaming_content) == pdf

    approved = make_application(citizen, status="draft", path="commitment")
    services.submit_application(application=approved, actor=citizen)
    decide(approved, inspector, reason="当场许可")
    document = PermitDocument.objects.get(application=approved, kind=DocumentKind.DECISION)
    letter = client.get(f"/api/v1/permits/{approved.pk}/decision.pdf")
    assert letter.status_code == 200, letter.content[:300]
    body = letter.getvalue() if not letter.streaming else b"".join(letter.streaming_content)
    assert body.startswith(b"%PDF")
    document.refresh_from_db()
    assert document.file.storage.exists(document.file.name)
