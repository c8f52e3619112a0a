"""The fuzz harness can fail: its database fingerprint sees a changed row, and a refused request
that wrote something fails the case (tests/harness/test_fuzz_api.py relies on both)."""

from __future__ import annotations

import json

import pytest

from . import fuzz_support as fz

pytestmark = pytest.mark.django_db


def test_the_fingerprint_sees_an_updated_row_not_only_a_new_one(org_units):
    before = fz.fingerprint()
    unit = org_units["LD"]
    unit.name_zh += "（改）"
    unit.save()
    changed = fz.changed_tables(before, fz.fingerprint())
    assert len(changed) == 1
    assert changed[0].startswith(f"{unit._meta.db_table}:")


def test_the_fingerprint_leaves_out_the_exempt_tables():
    from axes.models import AccessAttempt

    before = fz.fingerprint()
    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
    assert AccessAttempt._meta.db_table in fz.STATE_EXEMPT_TABLES
    assert fz.changed_tables(before, fz.fingerprint()) == []


def _world(app):
    from django.core.cache.backends.locmem import LocMemCache

    return fz.FuzzWorld(
        app=app, tokens={}, throttle_cache=LocMemCache("t", {}), saved_throttle_cache=None
    )


def _operation():
    import schemathesis

    raw = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/thing/": {
                "post": {
                    "responses": {
                        "400": {
                            "description": "refused",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    }
                }
            }
        },
    }
    return schemathesis.openapi.from_dict(raw)["/thing/"]["POST"]


def _refusing_app(*, writes: bool):
    def app(environ, start_response):
        if writes:
            from lishui_fire.accounts.models import OrgUnit

            OrgUnit.objects.filter(code="LD").update(name_zh="改过")
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [json.dumps({"detail": "no"}).encode()]

    return app


def test_a_refused_request_that_wrote_fails_the_case_with_the_request_to_reproduce():
    from schemathesis.checks import not_a_server_error

    operation = _operation()
    baseline = fz.fingerprint()
    with pytest.raises(AssertionError, match=r"refused with 400 but changed the database") as info:
        _world(_refusing_app(writes=True)).check(
            operation.Case(), "anonymous", [not_a_server_error], baseline
        )
    assert "curl -X POST" in str(info.value)
    # …and the case's savepoint was rolled back: the next case starts from the same world.
    assert fz.changed_tables(baseline, fz.fingerprint()) == []


def test_a_refused_request_that_wrote_nothing_passes():
    from schemathesis.checks import not_a_server_error

    operation = _operation()
    baseline = fz.fingerprint()
    _world(_refusing_app(writes=False)).check(
        operation.Case(), "anonymous", [not_a_server_error], baseline
    )


def _boom(request):
    raise ZeroDivisionError("fuzz harness test")


_boom.csrf_exempt = True  # a plain Django view; the API's views are DRF's (CSRF only for sessions)


def _plain_500(request):
    from django.http import HttpResponseServerError

    return HttpResponseServerError("server error")


urlpatterns = [__import__("django.urls").urls.path("thing/", _boom)]
handler500 = _plain_500  # the portal's own 500 page needs the portal's URLs


def test_a_server_error_fails_the_case_with_the_request_and_the_server_traceback(settings):
    from django.core.signals import got_request_exception, request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from schemathesis.checks import not_a_server_error

    settings.ROOT_URLCONF = __name__
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    world = _world(get_wsgi_application())
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(world._on_server_error)
    try:
        with pytest.raises(BaseException) as info:  # Schemathesis' FailureGroup
            world.check(_operation().Case(), "inspector1", [not_a_server_error], {})
    finally:
        got_request_exception.disconnect(world._on_server_error)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    report = str(info.value) + "".join(getattr(info.value, "__notes__", []))
    assert "Server error" in report
    assert "curl -X POST" in report
    assert "Role: inspector1" in report
    assert "ZeroDivisionError: fuzz harness test" in report
