"""API tokens expire (idle and absolute), end at logout and at a password change, and their
owner sees and revokes them on a page and through the API (ADR 0023)."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD
from lishui_fire.accounts import tokens
from lishui_fire.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
PERMITS = "/api/v1/permits/"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def api(key=None):
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def at(delta):
    return time_machine.travel(START + delta, tick=False)


def obtain(user, **extra):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, **extra
    )
    assert response.status_code == 200
    return response.json()["token"]


# --- Lifetimes ---------------------------------------------------------------------------------
def test_each_sign_in_gets_its_own_token_stored_only_as_a_digest(citizen):
    first, second = obtain(citizen), obtain(citizen)
    assert first != second
    assert ApiToken.objects.filter(user=citizen).count() == 2
    assert not ApiToken.objects.filter(digest=first).exists()
    assert ApiToken.objects.filter(digest=tokens.digest_of(first)).exists()


def test_an_applicant_token_expires_after_its_idle_time(settings, citizen):
    settings.API_TOKEN_IDLE_SECONDS = 7 * 24 * 3600
    with at(dt.timedelta()):
        key = obtain(citizen)
    with at(dt.timedelta(days=6, hours=23)):
        assert api(key).get(PERMITS).status_code == 200
    with at(dt.timedelta(days=13, hours=22)):  # 6 d 23 h after its last use: still alive
        assert api(key).get(PERMITS).status_code == 200
    with at(dt.timedelta(days=21)):
        response = api(key).get(PERMITS)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_a_staff_token_follows_the_thirty_minute_idle_rule(settings, inspector):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
    with at(dt.timedelta()):
        key = obtain(inspector)
    for minutes in (20, 40, 60):  # activity keeps it alive, as it keeps a session alive
        with at(dt.timedelta(minutes=minutes)):
            assert api(key).get(PERMITS).status_code == 200
    with at(dt.timedelta(minutes=91)):
        response = api(key).get(PERMITS)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_a_token_in_daily_use_still_ends_at_its_absolute_lifetime(settings, citizen):
    settings.API_TOKEN_MAX_AGE_SECONDS = 30 * 24 * 3600
    with at(dt.timedelta()):
        key = obtain(citizen)
    for day in range(1, 30):
        with at(dt.timedelta(days=day)):
            assert api(key).get(PERMITS).status_code == 200
    with at(dt.timedelta(days=30, minutes=1)):
        response = api(key).get(PERMITS)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_the_message_follows_the_callers_language(citizen):
    token = tokens.issue(citizen)
    tokens.revoke(citizen, token.pk)
    response = api(token.key).get(PERMITS, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 401
    assert "撤销" in response.json()["detail"]


def test_last_use_is_written_at_most_once_a_minute(settings, citizen, django_assert_num_queries):
    settings.API_TOKEN_TOUCH_SECONDS = 60
    key = tokens.issue(citizen).key
    with at(dt.timedelta()):
        api(key).get("/api/v1/auth/tokens/")
    token = ApiToken.objects.get(user=citizen)
    assert token.last_used_at == START
    # A second call within the minute reads the token and writes nothing: token + user (one
    # join) and the list itself; no UPDATE.
    with at(dt.timedelta(seconds=30)), django_assert_num_queries(2):
        assert api(key).get("/api/v1/auth/tokens/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == START
    with at(dt.timedelta(seconds=61)):
        api(key).get("/api/v1/auth/tokens/")
    token.refresh_from_db()
    assert token.last_used_at == START + dt.timedelta(seconds=61)


# --- Revocation ----------------------------------------------------------------------------------
def test_a_password_change_ends_every_token(client, citizen):
    key = obtain(citizen)
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-password-2026",
            "new_password2": "a-new-long-password-2026",
        },
    )
    assert response.status_code == 302
    response = api(key).get(PERMITS)
    assert response.status_code == 401
    assert "撤销" in response.json()["detail"]


def test_a_password_reset_by_set_password_ends_every_token(citizen):
    key = tokens.issue(citizen).key
    citizen.set_password("another-long-password-2026")
    citizen.save()
    assert api(key).get(PERMITS).status_code == 401


def test_other_saves_of_the_user_keep_the_tokens(citizen):
    key = tokens.issue(citizen).key
    citizen.real_name = "张三丰"
    citizen.save()
    assert api(key).get(PERMITS).status_code == 200


def test_signing_out_of_the_portal_ends_every_token(client, citizen):
    key = obtain(citizen)
    client.force_login(citizen)
    client.post(reverse("accounts:logout"))
    response = api(key).get(PERMITS)
    assert response.status_code == 401
    assert "撤销" in response.json()["detail"]


def test_api_logout_ends_the_token_it_is_called_with_only(citizen):
    one, two = obtain(citizen), obtain(citizen)
    assert api(one).post("/api/v1/auth/logout/").status_code == 204
    assert api(one).get(PERMITS).status_code == 401
    assert api(two).get(PERMITS).status_code == 200


# --- Seeing and revoking one's tokens -------------------------------------------------------------
def test_the_api_lists_the_callers_own_live_tokens_never_keys(citizen, other_citizen):
    mine = obtain(citizen, HTTP_USER_AGENT="county-system/1.0", REMOTE_ADDR="10.3.3.3")
    other = obtain(citizen)
    obtain(other_citizen)
    revoked = tokens.issue(citizen)
    tokens.revoke(citizen, revoked.pk)
    body = api(mine).get("/api/v1/auth/tokens/").json()
    assert body["count"] == 2
    rows = {r["prefix"]: r for r in body["results"]}
    assert set(rows) == {mine[:8], other[:8]}
    assert rows[mine[:8]]["current"] is True
    assert rows[mine[:8]]["user_agent"] == "county-system/1.0"
    assert rows[mine[:8]]["created_ip"] == "10.3.3.3"
    assert mine not in str(body)
    assert other not in str(body)


def test_listing_costs_the_same_queries_for_one_token_or_many(citizen, django_assert_num_queries):
    key = tokens.issue(citizen).key
    for _ in range(5):
        tokens.issue(citizen)
    api(key).get("/api/v1/auth/tokens/")  # touches last use once
    with django_assert_num_queries(2):
        assert api(key).get("/api/v1/auth/tokens/").json()["count"] == 6


def test_the_api_revokes_an_own_token_and_404s_anyone_elses(citizen, other_citizen):
    key = obtain(citizen)
    spare = tokens.issue(citizen)
    theirs = tokens.issue(other_citizen)
    assert api(key).post(f"/api/v1/auth/tokens/{theirs.pk}/revoke/").status_code == 404
    assert api(theirs.key).get(PERMITS).status_code == 200
    assert api(key).post(f"/api/v1/auth/tokens/{spare.pk}/revoke/").status_code == 204
    assert api(spare.key).get(PERMITS).status_code == 401
    assert api(key).post(f"/api/v1/auth/tokens/{spare.pk}/revoke/").status_code == 404


def test_the_token_endpoints_need_a_signed_in_caller():
    assert api().get("/api/v1/auth/tokens/").status_code == 401
    assert api().post("/api/v1/auth/logout/").status_code == 401


def test_the_page_lists_and_revokes_own_tokens(client, citizen, other_citizen):
    mine = tokens.issue(citizen, ip="10.4.4.4")
    theirs = tokens.issue(other_citizen)
    client.force_login(citizen)
    page = client.get(reverse("accounts:tokens"))
    assert page.status_code == 200
    text = page.content.decode()
    assert mine.prefix in text
    assert theirs.prefix not in text
    assert mine.key not in text
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("accounts:token_revoke", args=[mine.pk]))
    assert response.status_code == 302
    assert api(mine.key).get(PERMITS).status_code == 401
    assert api(theirs.key).get(PERMITS).status_code == 200


def test_revoking_on_the_page_needs_the_csrf_token(citizen):
    from django.test import Client

    token = tokens.issue(citizen)
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 403
    assert api(token.key).get(PERMITS).status_code == 200


def test_the_page_answers_in_one_query_per_token_list(client, citizen, django_assert_num_queries):
    for _ in range(4):
        tokens.issue(citizen)
    client.force_login(citizen)
    client.get(reverse("accounts:tokens"))
    # session, user, the tokens (one query whatever their number); the footer's unit contact is
    # read from the process's copy of the units (ADR 0033)
    with django_assert_num_queries(3):
        assert client.get(reverse("accounts:tokens")).status_code == 200
