"""Repeated failed sign-ins lock the account+IP pair for 30 minutes, on the form and the API,
however the account was named (username or an applicant's mobile number)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from conftest import PASSWORD
from lishui_fire.accounts.models import ApiToken
from lishui_fire.accounts.tokens import digest_of

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"


def fail_form(client, username, times, ip="10.1.1.1"):
    for _ in range(times):
        client.post(
            reverse(LOGIN), {"username": username, "password": "wrong-password"}, REMOTE_ADDR=ip
        )


def test_form_locks_after_five_failures_even_for_the_right_password(client, citizen):
    fail_form(client, citizen.username, 4)
    response = client.post(
        reverse(LOGIN), {"username": citizen.username, "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429
    locked = client.post(
        reverse(LOGIN), {"username": citizen.username, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert locked.status_code == 429
    assert "30 分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip_not_the_whole_office(client, citizen, other_citizen):
    fail_form(client, citizen.username, 5)
    # A colleague behind the same NAT address still signs in.
    ok = client.post(
        reverse(LOGIN),
        {"username": other_citizen.username, "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )
    assert ok.status_code == 302
    # The same person from another network is not locked either.
    other = client.__class__().post(
        reverse(LOGIN), {"username": citizen.username, "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302


@pytest.mark.parametrize(("minutes", "status"), [(29, 429), (31, 302)])
def test_lockout_lasts_thirty_minutes_not_forever(client, citizen, minutes, status):
    # Attempts made while locked count as failures too (django-axes), so each case makes one.
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        fail_form(client, citizen.username, 5)
    with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
        response = client.post(
            reverse(LOGIN),
            {"username": citizen.username, "password": PASSWORD},
            REMOTE_ADDR="10.1.1.1",
        )
        assert response.status_code == status


def test_token_endpoint_issues_a_token(api_client_anon, citizen):
    response = api_client_anon.post(
        "/api/v1/auth/token/", {"username": citizen.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(user=citizen).digest == digest_of(response.json()["token"])


def test_token_endpoint_refuses_bad_password_with_400(api_client_anon, citizen):
    response = api_client_anon.post(
        "/api/v1/auth/token/", {"username": citizen.username, "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_token_endpoint_validates_its_input(api_client_anon):
    response = api_client_anon.post("/api/v1/auth/token/", {"username": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_token_endpoint_locks_after_five_failures(api_client_anon, citizen, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    for _ in range(5):
        api_client_anon.post(
            "/api/v1/auth/token/",
            {"username": citizen.username, "password": "nope"},
            format="json",
            REMOTE_ADDR="10.2.2.2",
        )
    locked = api_client_anon.post(
        "/api/v1/auth/token/",
        {"username": citizen.username, "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.2.2.2",
    )
    assert locked.status_code == 429
    assert "锁定" in locked.json()["detail"]
    assert not ApiToken.objects.filter(user=citizen).exists()


def test_failures_and_successes_are_logged(client, citizen, caplog):
    with caplog.at_level("INFO", logger="lishui_fire.security"):
        client.post(reverse(LOGIN), {"username": citizen.username, "password": "x"})
        client.post(reverse(LOGIN), {"username": citizen.username, "password": PASSWORD})
    text = caplog.text
    assert f"login failure username={citizen.username}" in text
    assert f"login success user={citizen.username}" in text


@pytest.fixture
def api_client_anon():
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()  # throttle counters live in the cache
    return APIClient()


# --- The lock is on the account, not on what was typed ---------------------------------------
def phone_of(user):
    assert user.phone.isdigit()
    return user.phone


@pytest.mark.parametrize("failed_with", ["username", "phone"])
def test_a_locked_account_stays_locked_under_its_other_name_on_the_form(
    client, citizen, failed_with
):
    names = {"username": citizen.username, "phone": phone_of(citizen)}
    fail_form(client, names[failed_with], 5)
    other = names["phone" if failed_with == "username" else "username"]
    response = client.post(
        reverse(LOGIN), {"username": other, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_under_both_names_add_up_to_one_lock(client, citizen):
    fail_form(client, citizen.username, 3)
    fail_form(client, phone_of(citizen), 2)
    response = client.post(
        reverse(LOGIN), {"username": citizen.username, "password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429


@pytest.mark.parametrize("failed_with", ["username", "phone"])
def test_a_locked_account_gets_no_token_under_its_other_name(api_client_anon, citizen, failed_with):
    names = {"username": citizen.username, "phone": phone_of(citizen)}
    for _ in range(5):
        api_client_anon.post(
            "/api/v1/auth/token/",
            {"username": names[failed_with], "password": "nope"},
            format="json",
            REMOTE_ADDR="10.2.2.2",
        )
    other = names["phone" if failed_with == "username" else "username"]
    locked = api_client_anon.post(
        "/api/v1/auth/token/",
        {"username": other, "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.2.2.2",
    )
    assert locked.status_code == 429
    assert not ApiToken.objects.filter(user=citizen).exists()


def test_the_phone_number_still_signs_in_when_nothing_is_locked(client, citizen):
    response = client.post(
        reverse(LOGIN),
        {"username": phone_of(citizen), "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 302
