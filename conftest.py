"""Test configuration shared by every app: personas for each role, and service guards.

Personas (one per role, plus an outsider of each kind) follow the healthchecks habit: tests read
as "the owner can…, another applicant gets 404, an inspector of another brigade gets 404".
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_TESTING", "1")

PASSWORD = "lishui-test-2026!"  # noqa: S105 - test fixtures only


def skip_or_fail(reason: str) -> None:
    """Skip a test whose service is missing — unless CI demands every service (REQUIRE_SERVICES)."""
    from django.conf import settings

    if settings.REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests create hundreds of users; the production hasher costs ~0.3 s per password.

    Login, lockout and password rules behave the same with any hasher; the production profile
    keeps Django's default (PBKDF2, checked by ``check --deploy``).
    """
    from django.test import override_settings

    override = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    override.enable()
    yield
    override.disable()


@pytest.fixture
def org_units(db):
    from lishui_fire.accounts.models import OrgUnit

    return {u.code: u for u in OrgUnit.objects.all()}


@pytest.fixture
def make_user(db, org_units):
    from lishui_fire.accounts.models import Role, User

    counter = {"n": 0}

    def make(role: str = Role.APPLICANT, unit: str | None = None, **extra):
        counter["n"] += 1
        n = counter["n"]
        username = extra.pop("username", f"{role}-{n}")
        if role != Role.APPLICANT and unit is None and role != Role.ADMINISTRATOR:
            unit = "LS" if role == Role.DETACHMENT_SUPERVISOR else "LD"
        user = User(
            username=username,
            role=role,
            real_name=extra.pop("real_name", f"测试用户{n}"),
            phone=extra.pop("phone", f"139{n:08d}" if role == Role.APPLICANT else ""),
            org_unit=org_units[unit] if unit else None,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
            **extra,
        )
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def citizen(make_user):
    return make_user("applicant", username="citizen-a", real_name="张三")


@pytest.fixture
def other_citizen(make_user):
    return make_user("applicant", username="citizen-b", real_name="李四")


@pytest.fixture
def inspector(make_user):
    return make_user("inspector", "LD", username="inspector-ld")


@pytest.fixture
def other_inspector(make_user):
    return make_user("inspector", "LQ", username="inspector-lq")


@pytest.fixture
def supervisor(make_user):
    return make_user("brigade_supervisor", "LD", username="supervisor-ld")


@pytest.fixture
def chief(make_user):
    return make_user("detachment_supervisor", "LS", username="chief")


@pytest.fixture
def administrator(make_user):
    return make_user("administrator", None, username="admin-user")


@pytest.fixture
def legal_officer(make_user):
    """法制员 of the LD brigade: reads the decisions of LD's cases, handles none."""
    return make_user("legal_officer", "LD", username="legal-ld")


@pytest.fixture
def discipline_officer(make_user):
    """纪检员 of the detachment: sees complaint clues about staff, no applicant record."""
    return make_user("discipline_officer", "LS", username="discipline-ls")


@pytest.fixture
def personas(
    citizen,
    other_citizen,
    inspector,
    other_inspector,
    supervisor,
    chief,
    administrator,
    legal_officer,
    discipline_officer,
):
    """Every role at once, keyed by a name used in parametrized access tables."""
    return {
        "owner": citizen,
        "other_applicant": other_citizen,
        "inspector": inspector,
        "other_brigade_inspector": other_inspector,
        "supervisor": supervisor,
        "chief": chief,
        "administrator": administrator,
        "legal_officer": legal_officer,
        "discipline_officer": discipline_officer,
        "anonymous": None,
    }


@pytest.fixture
def client_for(client):
    """``client_for(user)`` returns a test client signed in as ``user`` (or anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user, backend="lishui_fire.accounts.backends.UsernameOrPhoneBackend")
        return c

    return make


@pytest.fixture
def api_for():
    """``api_for(user)`` returns a DRF APIClient authenticated as ``user`` (or anonymous)."""
    from rest_framework.test import APIClient

    def make(user):
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return make


@pytest.fixture(autouse=True)
def _celery_eager_unless_worker_test(request):
    """Run Celery tasks in-process for every test not marked ``celery_worker``.

    With REDIS_URL set (CI, or a developer with Redis) settings turn eager mode off, and a task
    sent by a test would wait in Redis for a worker that is not there. Only tests marked
    ``@pytest.mark.celery_worker`` start a real worker and see the real broker.
    """
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    from lishui_fire.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the rows data migrations seed, after a transactional test flushed them.

    pytest-django runs transactional tests last, but each one flushes the database at its end,
    so the next one would find no brigades, holidays or time limits.
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and "db" not in names and "transactional_db" not in names:
        return
    transactional = "transactional_db" in names or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from lishui_fire.core.reference_data import ensure_reference_data

    ensure_reference_data()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Working-day data is cached across requests (LocMem or Redis): a calendar year a previous
    test published and then rolled back must not survive in the cache."""
    from lishui_fire.core.calendar import invalidate_calendar_cache

    invalidate_calendar_cache()


# --- Real Celery worker (tests/celery_fixtures.py) ------------------------------------------------
pytest_plugins = ["tests.celery_fixtures"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory
):
    """On SQLite, a file test database when worker tests run (a worker process must open it)."""
    from tests.celery_fixtures import use_file_sqlite_for_worker_tests

    use_file_sqlite_for_worker_tests(request, tmp_path_factory)
