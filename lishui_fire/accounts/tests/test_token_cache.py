"""A process's copy of a token look-up (ADR 0031) never outlives what it copied: a revocation,
a deactivation, a new role or the end of either lifetime is seen at the next call, in every
process; a known token costs no query, and on Redis one round trip with its throttle, which still
refuses call N+1 with Retry-After; with Redis unreachable the database answers and nothing fails.

"Another process" is this one with its copy in place: only the markers in the shared cache tell
it that something changed, as they tell every gunicorn worker.
"""

import datetime as dt
import os
import uuid

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from lishui_fire.accounts import token_cache, tokens
from lishui_fire.accounts.models import ApiToken, Role, User
from tests.skips import skip_or_fail

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
MINE = "/api/v1/auth/tokens/"  # the list costs one query of its own
PERMITS = "/api/v1/permits/"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.API_TOKEN_CACHE_SECONDS = 3600  # long enough for the clock tests below
    cache.clear()
    token_cache.clear()
    with time_machine.travel(START, tick=False):  # markers expire on the same clock as tokens
        yield
    token_cache.clear()
    cache.clear()


def api(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def at(delta):
    return time_machine.travel(START + delta, tick=False)


def known(key, delta=dt.timedelta()):
    """Two calls: the first learns whose token it is, the second keeps the copy."""
    with at(delta):
        for _ in range(2):
            assert api(key).get(MINE).status_code == 200


def elsewhere_revoked(token):
    """What another process's revocation leaves here: the row changed, this copy untouched."""
    QuerySet.update(
        ApiToken.objects.filter(pk=token.pk), revoked_at=timezone.now(), revoked_reason="owner"
    )


# --- A known token reads no row -------------------------------------------------------------------
def test_a_known_token_costs_no_query(citizen, django_assert_num_queries):
    key = tokens.issue(citizen).key
    known(key)
    with at(dt.timedelta(seconds=30)), django_assert_num_queries(1):  # the list only
        assert api(key).get(MINE).json()["count"] == 1


def test_the_copy_is_off_with_zero_seconds(settings, citizen, django_assert_num_queries):
    settings.API_TOKEN_CACHE_SECONDS = 0
    key = tokens.issue(citizen).key
    known(key)
    with at(dt.timedelta(seconds=30)), django_assert_num_queries(2):  # token + user, the list
        assert api(key).get(MINE).status_code == 200


# --- Revocation reaches every process ----------------------------------------------------------
def test_a_revocation_elsewhere_is_seen_at_the_next_call_through_the_marker(citizen):
    token = tokens.issue(citizen)
    known(token.key)
    elsewhere_revoked(token)
    # The copy is what this process knows; without a word from the other process it stands.
    assert api(token.key).get(MINE).status_code == 200
    token_cache.changed(citizen.pk)  # what the other process's revocation does after its commit
    response = api(token.key).get(MINE)
    assert response.status_code == 401
    assert "撤销" in response.json()["detail"]


def test_a_lost_marker_is_a_miss_not_a_pass(citizen):
    token = tokens.issue(citizen)
    known(token.key)
    elsewhere_revoked(token)
    cache.delete(token_cache.user_marker(citizen.pk))  # evicted, or Redis restarted empty
    assert api(token.key).get(MINE).status_code == 401


def _logout(client, user, token):
    client.force_login(user)
    client.post("/accounts/logout/")


def _api_logout(client, user, token):
    assert api(token.key).post("/api/v1/auth/logout/").status_code == 204


def _password(client, user, token):
    user.set_password("another-long-password-2026")
    user.save()


def _owner_api(client, user, token):
    spare = tokens.issue(user)
    known(spare.key)
    assert api(spare.key).post(f"/api/v1/auth/tokens/{token.pk}/revoke/").status_code == 204


def _owner_page(client, user, token):
    client.force_login(user)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302


def _admin_revokes_all(client, user, token):
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now(), revoked_reason="admin")


def _deactivated(client, user, token):
    user.is_active = False
    user.save()


def _deactivated_in_bulk(client, user, token):
    User.objects.filter(pk=user.pk).update(is_active=False)


def _deleted(client, user, token):
    user.delete()


@pytest.mark.parametrize(
    ("action", "says"),
    [
        (_logout, "撤销"),
        (_api_logout, "撤销"),
        (_password, "撤销"),
        (_owner_api, "撤销"),
        (_owner_page, "撤销"),
        (_admin_revokes_all, "撤销"),
        (_deactivated, "停用"),
        (_deactivated_in_bulk, "停用"),
        (_deleted, "无效"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_every_way_a_token_ends_ends_its_copies(client, citizen, action, says):
    token = tokens.issue(citizen)
    known(token.key)
    action(client, citizen, token)
    response = api(token.key).get(MINE)
    assert response.status_code == 401
    assert says in response.json()["detail"]


def test_a_new_role_applies_at_once_to_a_known_token(settings, citizen):
    """An applicant's token kept 7 idle days; made staff, the 30 staff minutes apply."""
    settings.API_TOKEN_IDLE_SECONDS = 7 * 24 * 3600
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
    token = tokens.issue(citizen)
    known(token.key)
    citizen.role = Role.ADMINISTRATOR
    citizen.save()
    with at(dt.timedelta(minutes=31)):
        assert api(token.key).get(MINE).status_code == 401


# --- The clocks are exact on a copy ----------------------------------------------------------------
def test_a_known_staff_token_expires_at_the_thirty_minutes_exactly(
    settings, inspector, django_assert_num_queries
):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
    token = tokens.issue(inspector)
    known(token.key)  # last use 09:00
    with at(dt.timedelta(minutes=29, seconds=59)), django_assert_num_queries(2):  # touch, list
        assert api(token.key).get(MINE).status_code == 200
    with at(dt.timedelta(minutes=59, seconds=58)):  # 30 min after 09:29:59, less one second
        assert api(token.key).get(MINE).status_code == 200
    with at(dt.timedelta(minutes=89, seconds=58)):  # 30 min after 09:59:58, to the second
        response = api(token.key).get(MINE)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_a_copy_that_says_expired_asks_the_database_another_process_may_have_used_it(
    settings, inspector
):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
    token = tokens.issue(inspector)
    known(token.key)  # this process last saw it used at 09:00
    # Another process served it at 09:25 (the last-use write tells no marker: not a change).
    ApiToken.objects.filter(pk=token.pk).touch(last_used_at=START + dt.timedelta(minutes=25))
    with at(dt.timedelta(minutes=40)):
        assert api(token.key).get(MINE).status_code == 200
    with at(dt.timedelta(minutes=71)):
        assert api(token.key).get(MINE).status_code == 401


def test_a_known_token_ends_at_its_absolute_lifetime_to_the_second(settings, citizen):
    settings.API_TOKEN_MAX_AGE_SECONDS = 30 * 24 * 3600
    with at(dt.timedelta()):
        token = tokens.issue(citizen)
    known(token.key)
    for day in range(1, 30):
        with at(dt.timedelta(days=day)):
            assert api(token.key).get(MINE).status_code == 200
    with at(dt.timedelta(days=30, seconds=-1)):
        assert api(token.key).get(MINE).status_code == 200
    with at(dt.timedelta(days=30)):
        response = api(token.key).get(MINE)
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


def test_a_known_token_writes_its_last_use_once_a_minute_and_never_backwards(settings, citizen):
    settings.API_TOKEN_TOUCH_SECONDS = 60
    token = tokens.issue(citizen)
    known(token.key)
    token.refresh_from_db()
    assert token.last_used_at == START
    with at(dt.timedelta(seconds=59)):
        api(token.key).get(MINE)
    token.refresh_from_db()
    assert token.last_used_at == START
    with at(dt.timedelta(seconds=60)):
        api(token.key).get(MINE)
    token.refresh_from_db()
    assert token.last_used_at == START + dt.timedelta(seconds=60)
    # Another process wrote a later use; this one's copy is older: its write does not go back.
    later = START + dt.timedelta(seconds=150)
    ApiToken.objects.filter(pk=token.pk).touch(last_used_at=later)
    with at(dt.timedelta(seconds=140)):
        api(token.key).get(MINE)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_touch_writes_the_last_use_only():
    with pytest.raises(TypeError):
        ApiToken.objects.all().touch(revoked_at=timezone.now())


# --- On Redis: one round trip, the exact rate, and an outage ---------------------------------------
@pytest.fixture
def redis_cache(settings):
    """The default cache on a real Redis, under a key prefix of this test's own."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        skip_or_fail(f"Redis not reachable at {REDIS_URL}")
    prefix = f"test-token-cache-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "lishui_fire.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield caches["default"]
    raw = redis.Redis.from_url(REDIS_URL)
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)


@pytest.fixture
def commands(monkeypatch):
    """Every command sent to Redis, by name (a script call is one)."""
    import redis

    sent: list[str] = []
    send = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]))
        return send(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


@pytest.fixture
def user_rate(monkeypatch):
    def set_rate(rate):
        rates = {**SimpleRateThrottle.THROTTLE_RATES, "user": rate}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    return set_rate


def test_on_redis_a_known_token_and_its_throttle_cost_one_round_trip_and_no_query(
    redis_cache, commands, citizen, django_assert_num_queries
):
    key = tokens.issue(citizen).key
    known(key)
    commands.clear()
    with at(dt.timedelta(seconds=30)), django_assert_num_queries(1):  # the list only
        assert api(key).get(MINE).status_code == 200
    assert commands == ["EVALSHA"]


def test_on_redis_a_revocation_elsewhere_is_seen_at_the_next_call(redis_cache, citizen):
    token = tokens.issue(citizen)
    known(token.key)
    elsewhere_revoked(token)
    assert api(token.key).get(MINE).status_code == 200
    token_cache.changed(citizen.pk)
    assert api(token.key).get(MINE).status_code == 401


@pytest.mark.parametrize("on_redis", [False, True], ids=["local-memory", "redis"])
def test_the_user_throttle_allows_exactly_its_rate_then_says_when(
    request, user_rate, citizen, on_redis
):
    if on_redis:
        request.getfixturevalue("redis_cache")
    user_rate("5/min")
    key = tokens.issue(citizen).key
    with at(dt.timedelta(seconds=10)):
        statuses = [api(key).get(MINE).status_code for _ in range(6)]
        refused = api(key).get(MINE)
    assert statuses == [200] * 5 + [429]  # the copy is kept from the second call on
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"  # the window ends at 09:01:00
    with at(dt.timedelta(seconds=60)):  # a new window, all five of the last one still in view
        assert api(key).get(MINE).status_code == 429
    with at(dt.timedelta(seconds=120)):
        assert api(key).get(MINE).status_code == 200


def test_on_redis_concurrent_callers_never_pass_the_limit(redis_cache, user_rate, citizen):
    """The check and the count are one script: 40 calls from 8 threads, at most 10 pass."""
    from concurrent.futures import ThreadPoolExecutor

    from lishui_fire.core.throttling import Window

    def one(_):
        return Window("throttle_user_race", 10, 60, redis_cache).hit(START.timestamp() + 5)

    with ThreadPoolExecutor(8) as pool:
        allowed = sum(pool.map(one, range(40)))
    assert allowed == 10


def test_with_redis_unreachable_the_database_answers_and_the_throttle_lets_calls_through(
    settings, user_rate, citizen, django_assert_num_queries
):
    """ADR 0017: no copy is trusted (no marker can be read), every call reads the token, the
    throttle fails open, and nothing is a 500."""
    from tests.celery_fixtures import closed_port

    settings.CACHES = {
        "default": {
            "BACKEND": "lishui_fire.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    user_rate("2/min")
    token = tokens.issue(citizen)
    with at(dt.timedelta()):
        for _ in range(4):
            assert api(token.key).get(MINE).status_code == 200
        with django_assert_num_queries(2):  # token + user, the list: no copy without markers
            assert api(token.key).get(MINE).status_code == 200
        tokens.revoke(citizen, token.pk)  # the marker cannot be written: the database says so
        assert api(token.key).get(MINE).status_code == 401
    caches["default"].close()
