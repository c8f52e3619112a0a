"""API fuzzing: Schemathesis over the OpenAPI schema, as each role, against the real app.

Every operation of the schema drf-spectacular generates (so every route of ``api_v1``, including
those future apps add) is called through the project's WSGI application (all middleware, token
authentication, throttling, the exception handler) on the demo world, with generated valid and
invalid inputs, as anonymous, an applicant, an inspector and a supervisor (``make fuzz``: every
role of the demo world, many more examples, the coverage phase). For every answer:

* no server error (5xx);
* the status code is one the schema documents for the operation, and the body and content type
  match the documented response;
* a refused request (4xx) changed nothing in the database (fingerprint of every table but those
  in ``fuzz_support.STATE_EXEMPT_TABLES``).

Each generated case runs in a savepoint that is rolled back, so cases do not see each other's
writes and every case starts from the same demo world (ADR 0014). Seeded and bounded: the same
run on the same code sends the same requests. A failure prints the reproducing request (curl),
the role, and the server's traceback for a 500.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from . import fuzz_support as fz

pytestmark = [pytest.mark.django_db]

schema = schemathesis.openapi.from_dict(fz.openapi_schema(), config=fz.schemathesis_config())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

KNOWN = fz.KnownIds()  # filled by the ``fuzz_world`` fixture, read while generating


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    ids = KNOWN.path_ids.get(context.operation.path)
    if not ids or not path_parameters:
        return st.just(path_parameters)
    (name, *_rest) = path_parameters
    real = st.sampled_from(ids).map(lambda pk: {**path_parameters, name: pk})
    return st.one_of(real, st.just(path_parameters))


@schema.hook
def flatmap_body(context, body):
    pools = KNOWN.body_pools(context.operation.path)
    if not isinstance(body, dict):
        return st.just(body)
    names = [n for n in pools if n in body and pools[n]]
    if not names:
        return st.just(body)
    real = st.fixed_dictionaries({n: st.sampled_from(pools[n]) for n in names})
    return st.one_of(real.map(lambda values: {**body, **values}), st.just(body))


@pytest.fixture(scope="module")
def fuzz_world(demo_world, django_db_blocker):
    with django_db_blocker.unblock():
        world = fz.FuzzWorld.start(schema.raw_schema, KNOWN)
    yield world
    world.stop()
    if os.environ.get("FUZZ_STATS_FILE"):
        world.write_stats(os.environ["FUZZ_STATS_FILE"])


@pytest.fixture
def fuzz_baseline(fuzz_world, db):
    """The database as every case of this test starts (each case is rolled back)."""
    return fz.fingerprint()


@pytest.mark.parametrize("role", fz.ROLES)
@schema.parametrize()
# Function-scoped fixtures are safe here (each case has its own savepoint, see ``check``), and a
# case on the demo world takes tens of milliseconds: Hypothesis' timing and fixture health checks
# and its deadline would only make a run flaky on a loaded CI machine.
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api_fuzz(case, role, fuzz_world, fuzz_baseline):
    fuzz_world.check(case, role, CHECKS, fuzz_baseline)
