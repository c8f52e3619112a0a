"""What a list costs, read from the database's own plans (ADR 0030): a page must cost its rows.

``page_queries(client, url)`` runs one request and returns its SQL; ``assert_costs_its_page``
checks, for the request's queries, that

* no query groups rows (``GROUP BY``): an aggregate per row of a list groups every visible row
  before the page is cut;
* every count is capped (``COUNT(*)`` over a ``LIMIT``ed subquery, core.pagination);
* every page query (``ORDER BY … LIMIT``) is served in its order by an index: PostgreSQL's plan,
  with sorting priced out of reach (``enable_sort = off``), has no Sort node; SQLite's has no
  ``USE TEMP B-TREE FOR ORDER BY``. SQLite cannot put ``NULLS LAST`` in an index (the queue's
  order is served on PostgreSQL, whose ``ASC`` is ``NULLS LAST``), so such a query is checked on
  PostgreSQL only.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

_LIMITED = re.compile(r"\bORDER BY\b.*\bLIMIT\b", re.S)


def page_queries(client: Any, url: str, status: int = 200) -> list[str]:
    client.get(url)  # warm: session, content types, translations
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return [q["sql"] for q in captured.captured_queries]


def sorts_in_plan(sql: str, *, incremental: bool = True) -> list[str]:
    """The sort steps the database plans for ``sql`` (empty: an index gives the order).

    An Incremental Sort counts too (``incremental``): it sorts each run of rows equal on the
    index's leading keys, which can be a whole applicant's or brigade's rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Both kinds of sort priced out of reach: a plan that still sorts has no index in
            # the page's order. (With only plain sorts penalised, the planner may prefer an
            # Incremental Sort over another index when a test's tables are tiny and their
            # statistics stale — the plan then depends on what ran before, not on the indexes.)
            cursor.execute("SET enable_sort = off")
            cursor.execute("SET enable_seqscan = off")
            if incremental:
                cursor.execute("SET enable_incremental_sort = off")
            try:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
            finally:
                cursor.execute("RESET enable_sort")
                cursor.execute("RESET enable_seqscan")
                cursor.execute("RESET enable_incremental_sort")
        plan = json.loads(plan) if isinstance(plan, str) else plan
        found: list[str] = []

        def walk(node: dict[str, Any]) -> None:
            kinds = ("Sort", "Incremental Sort") if incremental else ("Sort",)
            if node.get("Node Type") in kinds:
                found.append(f"{node['Node Type']} on {node.get('Sort Key')}")
            for child in node.get("Plans", []):
                walk(child)

        walk(plan[0]["Plan"])
        return found
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        rows = [str(row[-1]) for row in cursor.fetchall()]
    return [row for row in rows if "TEMP B-TREE FOR ORDER BY" in row]


def assert_costs_its_page(
    queries: list[str], *, table: str, incremental_sort_known: bool = False
) -> None:
    """Every query of the request that reads ``table``: no grouping, a capped count, an index
    in the page's order. ``incremental_sort_known``: an Incremental Sort is tolerated (a gap
    already known and reported, ADR 0036), a full sort still fails."""
    mine = [sql for sql in queries if f'"{table}"' in sql]
    assert mine, f"no query read {table}"
    for sql in mine:
        assert "GROUP BY" not in sql, f"a list query groups its rows:\n{sql}"
        if sql.lstrip().upper().startswith("SELECT COUNT("):
            assert " LIMIT " in sql, f"an uncapped count reads every row:\n{sql}"
            continue
        if not _LIMITED.search(sql):
            continue  # a prefetch of the page's rows, or a lookup by key
        if connection.vendor != "postgresql" and "NULLS LAST" in sql:
            continue
        strict = not incremental_sort_known
        assert not sorts_in_plan(sql, incremental=strict), (
            f"the page is sorted, not read in an index's order "
            f"({sorts_in_plan(sql, incremental=strict)}):\n{sql}"
        )
