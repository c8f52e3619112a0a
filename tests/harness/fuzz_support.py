"""Support for the API fuzz test (test_fuzz_api.py): the schema, the roles, the database
fingerprint, known object ids for path parameters, and the call of one generated case.

Everything the fuzzer needs is derived from the OpenAPI schema drf-spectacular generates and from
the URL configuration, so an operation a future app adds to ``api_v1`` is fuzzed without any
change here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

# --- Knobs (environment), raised by `make fuzz` ---------------------------------------------------
# Examples per operation and role in the fuzzing phase. CI's default keeps the whole module to a
# couple of minutes on two cores; `make fuzz` raises it.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
# The roles fuzzed, as demo-world usernames (``anonymous`` sends no credentials). CI runs the four
# the issue names; `make fuzz` runs every role of the demo world.
CI_ROLES = "anonymous,citizen1,inspector1,supervisor1"
ALL_ROLES = (
    "anonymous,citizen1,citizen2,inspector1,inspector3,supervisor1,chief1,legal1,discipline1,admin"
)
ROLES = tuple(
    r.strip()
    for r in os.environ.get("FUZZ_ROLES", CI_ROLES).replace("all", ALL_ROLES).split(",")
    if r.strip()
)
# The coverage phase (boundary values of every parameter, deterministic) is part of `make fuzz`;
# CI runs the schema's examples and the seeded random phase.
COVERAGE = os.environ.get("FUZZ_COVERAGE", "0") == "1"

# Tables a refused request may legitimately write to. Everything else must be unchanged after a
# 4xx answer.
STATE_EXEMPT_TABLES = {
    # django-axes records every failed login, also through the token endpoint (400 for a wrong
    # password): that record is the point of the lockout, not a state change of the portal.
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    # A token's last use is recorded (at most once a minute) whatever the answer, like a sign-in
    # attempt: bookkeeping of the caller's credential, not a state change of the portal.
    "accounts_apitoken",
}


def openapi_schema() -> dict[str, Any]:
    """The schema /api/schema/ serves, as JSON (drf-spectacular's generator and JSON renderer)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


def schemathesis_config():
    import schemathesis

    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",  # valid and invalid inputs
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",  # no example database: a run depends only on the seed
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": COVERAGE},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


# --- Database fingerprint ------------------------------------------------------------------------


def _tables() -> list[str]:
    from django.db import connection

    return sorted(t for t in connection.introspection.table_names() if t not in STATE_EXEMPT_TABLES)


def fingerprint() -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows (PostgreSQL: one query; SQLite: read)."""
    from django.db import connection

    tables = _tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Table names come from introspection, not from input.
            row_digest = "md5(coalesce(string_agg(md5(t::text), ',' ORDER BY md5(t::text)), ''))"
            parts = [
                f"SELECT %s, count(*), {row_digest} FROM {quote(name)} t"  # noqa: S608
                for name in tables
            ]
            cursor.execute(" UNION ALL ".join(parts), tables)
            return {name: (count, digest) for name, count, digest in cursor.fetchall()}
        result = {}
        for name in tables:
            cursor.execute(f"SELECT * FROM {quote(name)}")  # noqa: S608 - introspected names
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.md5("\n".join(rows).encode(), usedforsecurity=False).hexdigest()
            result[name] = (len(rows), digest)
        return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(
        f"{name}: {before.get(name, (0, ''))[0]} -> {after.get(name, (0, ''))[0]} rows"
        for name in set(before) | set(after)
        if before.get(name) != after.get(name)
    )


# --- Known ids -----------------------------------------------------------------------------------


def _view_class(path: str):
    """The DRF view class serving an API path template (``/api/v1/permits/{id}/``), or None."""
    from django.urls import Resolver404, resolve

    concrete = re.sub(r"\{[^}]+\}", "1", path)
    try:
        match = resolve(concrete)
    except Resolver404:
        return None
    return getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)


def _model_of(view_class) -> Any:
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(view_class, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    return getattr(meta, "model", None)


def _related_pools(view_class) -> dict[str, list[Any]]:
    """Body fields of the view's serializer that name another object: field name → known ids."""
    from rest_framework import serializers

    serializer_class = getattr(view_class, "serializer_class", None)
    if serializer_class is None:
        return {}
    try:
        fields = serializer_class().fields
    except Exception:
        return {}
    pools = {}
    for name, f in fields.items():
        related = isinstance(f, serializers.PrimaryKeyRelatedField) and not f.read_only
        if related and f.queryset is not None:  # the field's own queryset: only what it accepts
            pools[name] = list(f.queryset.values_list("pk", flat=True))
    return pools


def realistic_values() -> dict[str, list[Any]]:
    """Values of body fields, by field name, that the portal accepts and random text almost never
    is: brigade codes, registered USCCs, mobile numbers, times of the coming days. Drawn for half
    of the bodies that have such a field, whatever the operation, so writes get past validation
    and their success answers are checked too."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from lishui_fire.accounts.models import OrgUnit, User
    from lishui_fire.enterprises.models import Enterprise

    brigades = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.BRIGADE).values_list("code", flat=True)
    )
    usccs = list(Enterprise.objects.values_list("uscc", flat=True)[:20])
    phones = [p for p in User.objects.values_list("phone", flat=True) if len(p or "") == 11]
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    days = [today + timedelta(days=n) for n in range(3, 10)]
    starts = [datetime.combine(d, time(9, 30), tz).isoformat() for d in days]
    ends = [datetime.combine(d, time(10, 30), tz).isoformat() for d in days]
    return {
        "county": brigades,
        "brigade": brigades,
        "unit_uscc": usccs,
        "uscc": usccs,
        "contact_phone": phones,
        "phone": phones,
        "starts_at": starts,
        "ends_at": ends,
        "opening_date": [d.isoformat() for d in days],
        "floor_area_m2": ["86.50", "420", "1200.00"],
    }


@dataclass
class KnownIds:
    """Ids of real objects per operation path (path ``{id}`` values, related body fields), and
    realistic values of body fields by name (``realistic_values``)."""

    path_ids: dict[str, list[Any]] = field(default_factory=dict)
    body_ids: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    field_values: dict[str, list[Any]] = field(default_factory=dict)

    def body_pools(self, path: str) -> dict[str, list[Any]]:
        return {**self.field_values, **self.body_ids.get(path, {})}

    @classmethod
    def collect(cls, schema: dict[str, Any]) -> KnownIds:
        known = cls()
        for path in schema["paths"]:
            view_class = _view_class(path)
            if view_class is None:
                continue
            model = _model_of(view_class)
            if model is not None and "{" in path:
                known.path_ids[path] = list(model._default_manager.values_list("pk", flat=True))
            pools = _related_pools(view_class)
            if pools:
                known.body_ids[path] = pools
        return known


# --- The world the fuzzer calls ------------------------------------------------------------------


@dataclass
class FuzzWorld:
    """The WSGI application, a token per role, and the per-case call (see ``check``)."""

    app: Any
    tokens: dict[str, str]
    throttle_cache: Any
    saved_throttle_cache: Any
    server_errors: list[str] = field(default_factory=list)
    # (operation label, role) -> status code -> number of cases: the run's figures.
    stats: dict[tuple[str, str], dict[int, int]] = field(default_factory=dict)

    @classmethod
    def start(cls, schema: dict[str, Any], known: KnownIds) -> FuzzWorld:
        from django.core.cache.backends.locmem import LocMemCache
        from django.core.signals import got_request_exception, request_finished, request_started
        from django.core.wsgi import get_wsgi_application
        from django.db import close_old_connections
        from rest_framework.throttling import SimpleRateThrottle

        from lishui_fire.accounts.models import ApiToken as Token
        from lishui_fire.accounts.models import User

        # The WSGI handler closes the database connection at the end of each request, which would
        # end the test's transaction; Django's test client disconnects the same receivers.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        tokens = {}
        for username in ROLES:
            if username == "anonymous":
                continue
            user = User.objects.get(username=username)
            tokens[username] = Token.objects.create(user=user).key
        collected = KnownIds.collect(schema)
        known.path_ids.update(collected.path_ids)
        known.body_ids.update(collected.body_ids)
        known.field_values.update(realistic_values())
        # Throttling stays on (its 429 is part of the contract), but every case starts with fresh
        # counters: otherwise after a few dozen cases every answer would be a 429.
        throttle_cache = LocMemCache("fuzz-throttle", {})
        saved = SimpleRateThrottle.cache
        SimpleRateThrottle.cache = throttle_cache
        world = cls(
            app=get_wsgi_application(),
            tokens=tokens,
            throttle_cache=throttle_cache,
            saved_throttle_cache=saved,
        )
        got_request_exception.connect(world._on_server_error)
        return world

    def write_stats(self, path: str) -> None:
        """The run's figures as JSON: cases per operation, role and status code."""
        rows = [
            {
                "operation": label,
                "role": role,
                "statuses": {str(k): v for k, v in sorted(s.items())},
            }
            for (label, role), s in sorted(self.stats.items())
        ]
        with open(path, "w", encoding="utf-8") as out:
            json.dump(
                {"seed": SEED, "examples": EXAMPLES, "roles": ROLES, "cases": rows}, out, indent=1
            )

    def stop(self) -> None:
        from django.core.signals import got_request_exception, request_finished, request_started
        from django.db import close_old_connections
        from rest_framework.throttling import SimpleRateThrottle

        got_request_exception.disconnect(self._on_server_error)
        SimpleRateThrottle.cache = self.saved_throttle_cache
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    def _on_server_error(self, sender: Any, request: Any = None, **kwargs: Any) -> None:
        import traceback

        self.server_errors.append(traceback.format_exc())

    def headers_for(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Token {token}"} if token else {}

    def check(self, case: Any, role: str, checks: list[Any], baseline: dict) -> None:
        """Send ``case`` as ``role`` in a savepoint that is rolled back; fail on a 5xx, an answer
        the schema does not document, or a refused request that changed the database."""
        from django.db import transaction

        headers = self.headers_for(role)
        self.throttle_cache.clear()
        self.server_errors.clear()
        with transaction.atomic():
            try:
                response = case.call(headers=headers, app=self.app)
                by_status = self.stats.setdefault((case.operation.label, role), {})
                by_status[response.status_code] = by_status.get(response.status_code, 0) + 1
                note = f"\nRole: {role}" + "".join(
                    f"\n\nServer traceback:\n{tb}" for tb in self.server_errors
                )
                try:
                    case.validate_response(response, checks=checks, headers=headers)
                except BaseException as exc:
                    exc.add_note(note)
                    raise
                if 400 <= response.status_code < 500:
                    changed = changed_tables(baseline, fingerprint())
                    if changed:
                        curl = case.as_curl_command(headers=headers)
                        raise AssertionError(
                            f"{case.operation.label} refused with {response.status_code} but "
                            f"changed the database: {', '.join(changed)}{note}\n\n"
                            f"Reproduce with:\n\n    {curl}"
                        )
            finally:
                transaction.set_rollback(True)


def summarize(path: str) -> str:
    """`make fuzz`'s closing lines: operations, roles, cases, and answers by status code."""
    with open(path, encoding="utf-8") as stats:
        data = json.load(stats)
    operations = {row["operation"] for row in data["cases"]}
    roles = {row["role"] for row in data["cases"]}
    statuses: dict[str, int] = {}
    for row in data["cases"]:
        for code, n in row["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    total = sum(statuses.values())
    per_test = [sum(row["statuses"].values()) for row in data["cases"]]
    return (
        f"fuzz: seed {data['seed']}, max {data['examples']} generated examples per operation and "
        f"role (plus schema examples and coverage cases)\n"
        f"fuzz: {len(operations)} operations x {len(roles)} roles, {total} cases "
        f"({min(per_test, default=0)}-{max(per_test, default=0)} per operation and role)\n"
        f"fuzz: answers by status: {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}"
    )


if __name__ == "__main__":
    import sys

    sys.stdout.write(summarize(sys.argv[1]) + "\n")
