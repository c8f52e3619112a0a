"""One client address for the API throttles, the sign-in lockout and the audit log.

A made-up ``X-Forwarded-For`` must never give a caller a fresh address: with no trusted proxy the
header is ignored; behind one trusted proxy the entry that proxy appended (the last) is the
client, whatever the caller wrote before it.
"""

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from conftest import PASSWORD
from lishui_fire.accounts import tokens
from lishui_fire.core.client import client_ip, resolve
from permits.tests.factories import make_application

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


def ask_for_token(client, username, *, forwarded, remote="10.5.5.5"):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": "wrong-password"},
        format="json",
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}, "10.0.0.1"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 8.8.4.4"}, "8.8.4.4"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "8.8.4.4"}, "8.8.4.4"),
        (
            2,
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 8.8.4.4, 10.0.0.9"},
            "8.8.4.4",
        ),
        (1, {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),  # the proxy was bypassed: its socket
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, "10.0.0.1"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "8.8.4.4:5555"}, "8.8.4.4"),
        (
            1,
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "[2001:db8::1]:443"},
            "2001:db8::1",
        ),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_wrote(proxies, meta, expected):
    assert resolve(meta, proxies) == expected


def test_forged_forwarded_for_does_not_reset_the_token_throttle_without_a_proxy(settings, citizen):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    statuses = [
        ask_for_token(client, f"nobody{i}", forwarded=f"203.0.113.{i}").status_code
        for i in range(11)
    ]
    # 10/min from one socket address, whatever each request claimed to come from.
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_behind_one_proxy_the_proxy_appended_hop_is_throttled(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient()
    statuses = [
        ask_for_token(client, f"nobody{i}", forwarded=f"203.0.113.{i}, 198.51.100.7").status_code
        for i in range(11)
    ]
    assert statuses[10] == 429
    # Another real client behind the same proxy has its own allowance.
    other = ask_for_token(client, "nobody", forwarded="203.0.113.1, 198.51.100.8")
    assert other.status_code == 400


def test_the_lockout_counts_the_same_address(settings, citizen):
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()
    for i in range(5):
        ask_for_token(client, citizen.username, forwarded=f"203.0.113.{i}")
    response = client.post(
        TOKEN_URL,
        {"username": citizen.username, "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.5.5.5",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429


def test_a_request_computes_its_address_once_for_every_consumer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 8.8.4.4"
    )
    from axes.helpers import get_client_ip_address

    assert client_ip(request) == "8.8.4.4"
    assert get_client_ip_address(request) == "8.8.4.4"


def test_an_edit_made_with_a_token_is_audited_with_its_user_and_the_client_address(
    settings, citizen
):
    settings.TRUSTED_PROXY_COUNT = 1
    application = make_application(citizen)
    key = tokens.issue(citizen).key
    response = APIClient().patch(
        f"/api/v1/permits/{application.pk}/",
        {"capacity": 120},
        format="json",
        HTTP_AUTHORIZATION=f"Token {key}",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23",
    )
    assert response.status_code == 200
    entry = LogEntry.objects.filter(
        object_pk=str(application.pk),
        content_type__model="permitapplication",
        action=LogEntry.Action.UPDATE,
    ).latest("timestamp")
    assert entry.actor == citizen
    assert entry.remote_addr == "198.51.100.23"


def test_a_page_edit_is_audited_from_the_same_address(settings, client, citizen):
    """The session path gives the same address as the API (auditlog's own took the forged first
    entry of the header)."""
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(citizen)
    client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    from lishui_fire.core import audit

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    request.user = citizen
    seen = {}

    def view(req):
        seen["entry"] = audit.record_view(citizen, actor=citizen, field="phone")
        from django.http import HttpResponse

        return HttpResponse()

    audit.AuditMiddleware(view)(request)
    assert seen["entry"].remote_addr == "10.0.0.1"
    assert seen["entry"].actor == citizen


def test_the_inspector_day_audits_a_shown_number_from_the_client_behind_the_proxy(
    settings, client, citizen, inspector
):
    """The day view writes its ACCESS entries in one INSERT (no auditlog signal): the address on
    them is still the client's, not the proxy's socket."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from permits.tests.factories import make_booking, make_slot

    settings.TRUSTED_PROXY_COUNT = 1
    day = timezone.localdate() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    booking = make_booking(
        citizen, make_slot(inspector, starts_in=start - timezone.now()), contact_phone="13957800031"
    )
    client.force_login(inspector)

    response = client.get(
        reverse("permits:today"),
        {"date": day.isoformat()},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.41",
    )

    assert 'href="tel:13957800031"' in response.content.decode()
    entry = LogEntry.objects.get(
        action=LogEntry.Action.ACCESS,
        object_pk=str(booking.pk),
        content_type__model="precheckbooking",
    )
    assert entry.actor == inspector
    assert entry.remote_addr == "198.51.100.41"


def test_no_module_reads_the_socket_address_but_core_client():
    """Throttles, the lockout and the audit log must agree on who the client is (ADR 0023): a
    module reading ``REMOTE_ADDR`` or ``X-Forwarded-For`` itself would log the proxy, or
    whatever the caller wrote, instead."""
    from pathlib import Path

    from django.conf import settings as django_settings

    base = Path(django_settings.BASE_DIR)
    allowed = {base / "lishui_fire" / "core" / "client.py"}
    offenders = []
    for path in base.rglob("*.py"):
        relative = path.relative_to(base)
        if relative.parts[0].startswith(".") or relative.parts[0] in {
            "tests",
            "bench",
            "node_modules",
        }:
            continue
        if "tests" in relative.parts or path.name.startswith("test") or path in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        if "REMOTE_ADDR" in text.replace("AUDITLOG_DISABLE_REMOTE_ADDR", "") or (
            "HTTP_X_FORWARDED_FOR" in text
        ):
            offenders.append(str(relative))
    assert offenders == []


def test_entries_written_in_bulk_during_a_request_carry_its_client_address(settings, citizen):
    """``record_bulk`` skips auditlog's signals; without an address of its own it takes the
    request's, as a signal would, and none once the request is over."""
    from django.http import HttpResponse

    from lishui_fire.core import audit

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.42"
    )
    request.user = citizen
    entry = audit.Entry(citizen, audit.ACCESS, {}, {"field": "phone", "purpose": "test"})

    def view(req):
        audit.record_bulk([entry], actor=citizen)
        return HttpResponse()

    audit.AuditMiddleware(view)(request)
    audit.record_bulk([entry], actor=citizen)  # after the request: a task, say

    during, after = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")
    assert during.remote_addr == "198.51.100.42"
    assert after.remote_addr is None
