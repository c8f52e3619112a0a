"""Test configuration shared by every app: personas for each role, and service guards.

Personas (one per role, plus an outsider of each kind) follow the healthchecks habit: tests read
as "the owner can…, another applicant gets 404, an inspector of another brigade gets 404".
"""

from __future__ import annotations

import contextlib
import io
import os

import factory
import pytest

from tests.personas import PERSONAS
from tests.skips import skip_or_fail  # noqa: F401  (tests import it from conftest too)

os.environ.setdefault("DJANGO_TESTING", "1")

PASSWORD = "lishui-test-2026!"  # noqa: S105 - test fixtures only


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


@pytest.fixture(autouse=True)
def _fresh_contacts_cache():
    """The units' contacts are kept in the process across requests (ADR 0033): a hotline a
    previous test saved and then rolled back must not survive it."""
    from lishui_fire.accounts.contacts import invalidate_contacts

    invalidate_contacts()


@pytest.fixture(autouse=True)
def _registration_not_rate_limited(settings):
    """Registration attempts are counted per address across requests (accounts, ADR 0023), and
    every test client is 127.0.0.1: tests that register are not throttle tests. The throttle's
    own tests set the rate back."""
    settings.REGISTRATION_RATE = "100000/hour"


# --- Real Celery worker (tests/celery_fixtures.py) ------------------------------------------------
pytest_plugins = ["tests.celery_fixtures"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, request, tmp_path_factory
):
    """On SQLite, a file test database when worker tests run (a worker process must open it)."""
    from tests.celery_fixtures import use_file_sqlite_for_worker_tests

    use_file_sqlite_for_worker_tests(request, tmp_path_factory)


# --- Scaffolding for app tests: access tables, query-count pins, factories, the demo world --------


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "access(table, roles=PERSONAS): parametrize a test over endpoint × persona → expected "
        "status (see conftest.pytest_generate_tests)",
    )


def pytest_generate_tests(metafunc):
    """``@pytest.mark.access(…)``: one access table, one parametrized test.

    The table is either one row for the test's own endpoint (``persona``, ``expected``)::

        @pytest.mark.access(owner=200, other_applicant=404, …, anonymous=401)
        @pytest.mark.access((200, 404, 200, 404, 200, 200, 200, 401))   # in PERSONAS order

    or a row per endpoint ("METHOD /path/{placeholders}/"), adding the ``endpoint`` argument::

        @pytest.mark.access({
            "GET /api/v1/permits/{pk}/":         (200, 404, 200, 404, 200, 200, 200, 401),
            "POST /api/v1/permits/{pk}/submit/": (200, 404, 403, 403, 403, 403, 403, 401),
        })
        def test_it(call_as, endpoint, persona, expected, citizen):
            application = make_application(citizen)
            assert call_as(persona, endpoint, pk=application.pk).status_code == expected

    Every row must give every persona (a forgotten one is an error, not a gap); ``roles=``
    names other columns (e.g. new personas of a later app).
    """
    marker = metafunc.definition.get_closest_marker("access")
    if marker is None:
        return
    kwargs = dict(marker.kwargs)
    roles = tuple(kwargs.pop("roles", PERSONAS))
    (table,) = marker.args or (kwargs,)
    try:
        names, params, ids = access_cases(table, roles)
    except ValueError as exc:
        raise pytest.UsageError(f"{metafunc.function.__name__}: {exc}") from None
    metafunc.parametrize(names, params, ids=ids)


def access_cases(table, roles=PERSONAS):
    """(argument names, parameter tuples, ids) of an access table (see pytest_generate_tests)."""
    by_endpoint = isinstance(table, dict) and not set(table) <= set(roles)
    rows = table if by_endpoint else {None: table}
    params, ids = [], []
    for endpoint, row in rows.items():
        if not isinstance(row, dict):
            if len(row) != len(roles):
                raise ValueError(f"{endpoint or 'row'}: {len(row)} statuses for {len(roles)} roles")
            row = dict(zip(roles, row, strict=True))
        missing = [r for r in roles if r not in row]
        if missing:
            raise ValueError(f"{endpoint or 'row'}: no status for {missing}")
        for persona in roles:
            expected = row[persona]
            if by_endpoint:
                params.append((endpoint, persona, expected))
                ids.append(f"{endpoint}-{persona}-{expected}")
            else:
                params.append((persona, expected))
                ids.append(f"{persona}-{expected}")
    names = ("endpoint", "persona", "expected") if by_endpoint else ("persona", "expected")
    return names, params, ids


LOGIN = "login"  # the expected "status" of a page that sends the anonymous to the login form


def assert_status(response, expected) -> None:
    """``expected`` is a status code, or ``LOGIN`` for a redirect to the login page."""
    if expected == LOGIN:
        from django.conf import settings
        from django.urls import reverse

        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))
    else:
        assert response.status_code == expected, response.status_code


@pytest.fixture
def call_as(personas, client_for, api_for):
    """``call_as(persona, "METHOD /path/{pk}/", data=None, **placeholders)`` → the response.

    ``persona`` is a name of ``personas`` (or a user, or None). Paths under /api/ go through
    DRF's APIClient with JSON bodies; other paths through Django's test client (form bodies).
    """

    def call(persona, endpoint, data=None, **placeholders):
        method, _, path = endpoint.partition(" ")
        path = path.format(**placeholders)
        user = personas[persona] if isinstance(persona, str) else persona
        if path.startswith("/api/"):
            return getattr(api_for(user), method.lower())(path, data, format="json")
        return getattr(client_for(user), method.lower())(path, data or {})

    return call


@pytest.fixture
def assert_num_queries_constant():
    """``assert_num_queries_constant(client, url, make_more_rows, expected=N)``.

    Pins a page's or an API list's exact number of SQL queries and proves it does not grow with
    its rows: one warm-up request (session, content types, translations), one counted request,
    ``make_more_rows()``, one more counted request. Both counts must be exactly ``expected``;
    the message lists the queries when they are not. Returns the last response.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url, status):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == status, f"{url}: {response.status_code}"
        return list(queries), response

    def check(client, url, make_more_rows, *, expected, status=200):
        client.get(url)
        few, _ = count(client, url, status)
        make_more_rows()
        many, response = count(client, url, status)

        def listing(queries):
            return "\n".join(f"  {q['sql'][:160]}" for q in queries)

        assert len(few) == expected, (
            f"{url}: {len(few)} queries, pinned at {expected}:\n{listing(few)}"
        )
        assert len(many) == expected, (
            f"{url}: {len(many)} queries with more rows, pinned at {expected}:\n{listing(many)}"
        )
        return response

    return check


def _valid_uscc(n: int) -> str:
    from lishui_fire.core.validators import USCC_CHARSET, uscc_check_char

    body = ""
    for _ in range(6):
        n, r = divmod(n, len(USCC_CHARSET))
        body = USCC_CHARSET[r] + body
    first17 = "91331102MA2" + body
    return first17 + uscc_check_char(first17)


def _brigade(code: str = "LD"):
    from lishui_fire.accounts.models import OrgUnit

    return OrgUnit.objects.get(code=code)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    """A registered enterprise of Liandu with a valid USCC (``EnterpriseFactory(brigade=…)``).

    The model is named by label, so this module imports no models before Django is set up.
    """

    class Meta:
        model = "enterprises.Enterprise"
        django_get_or_create = ("uscc",)

    uscc = factory.Sequence(lambda n: _valid_uscc(10_000 + n))
    name = factory.Sequence(lambda n: f"丽水市莲都区测试{n}号餐饮有限公司")
    address = factory.Sequence(lambda n: f"丽水市莲都区解放街{n % 400 + 1}号")
    brigade = factory.LazyFunction(_brigade)
    venue_type = "restaurant"
    risk_level = "medium"
    contact_name = "王建华"
    contact_phone = factory.Sequence(lambda n: f"1385780{n % 10000:04d}")


@pytest.fixture
def make_enterprise(db):
    """``make_enterprise(**fields)`` → a saved enterprise (``EnterpriseFactory``)."""
    return EnterpriseFactory


@contextlib.contextmanager
def celery_eager():
    """Celery tasks run in-process, at once, while inside (see the autouse fixture below)."""
    from lishui_fire.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """``manage.py seed_demo`` once for the whole module (it takes seconds; ask for ``db`` too).

    The seed runs inside a transaction that stays open until the module ends and is then rolled
    back; each test runs in a savepoint on top of it (pytest-django's ``db``), so a test's own
    changes are undone before the next one sees the world. Work deferred to after commit (PDF
    rendering, enqueued tasks) runs during the seed, in-process.
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.test import TestCase

    with django_db_blocker.unblock():
        from lishui_fire.core.calendar import invalidate_calendar_cache

        invalidate_calendar_cache()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with celery_eager(), TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", stdout=io.StringIO())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


# `make mutation` only: every mutant is a new pytest session on one file database, migrated once
# (tests/harness/mutation_db.py) instead of at every session start.
if os.environ.get("DJANGO_SETTINGS_MODULE") == "tests.harness.mutation_settings":
    from tests.harness.mutation_db import django_db_setup  # noqa: F401
