"""Document numbers: yearly series, gap-free (a rolled-back decision gives its number back), and
never the same number twice when many officers issue at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from lishui_fire.core.documents import next_document_number, next_sequence_value
from lishui_fire.core.models import Sequence

TEMPLATE = "丽莲消受字〔{year}〕第{seq:04d}号"


@pytest.mark.django_db
def test_it_numbers_a_series_from_one_each_year():
    assert next_document_number("doc:test:LD", 2026, TEMPLATE) == "丽莲消受字〔2026〕第0001号"
    assert next_document_number("doc:test:LD", 2026, TEMPLATE) == "丽莲消受字〔2026〕第0002号"
    assert next_document_number("doc:test:LD", 2027, TEMPLATE) == "丽莲消受字〔2027〕第0001号"
    assert next_document_number("doc:test:LQ", 2026, TEMPLATE) == "丽莲消受字〔2026〕第0001号"
    assert next_document_number("doc:test:LD", 2026, TEMPLATE) == "丽莲消受字〔2026〕第0003号"


@pytest.mark.django_db
def test_a_rolled_back_issue_leaves_no_gap():
    assert next_sequence_value("doc:gap", 2026) == 1

    taken = []

    class Refused(Exception):
        pass

    def issue_then_refuse() -> None:
        with transaction.atomic():
            taken.append(next_sequence_value("doc:gap", 2026))
            raise Refused

    with pytest.raises(Refused):
        issue_then_refuse()
    assert taken == [2]

    assert next_sequence_value("doc:gap", 2026) == 2
    assert Sequence.objects.get(name="doc:gap", year=2026).last_value == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_consecutive_numbers_on_postgresql():
    from conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("the numbering race needs PostgreSQL (DATABASE_URL=postgres://…)")
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    numbers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def issue() -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                number = next_document_number("doc:race:LD", 2026, TEMPLATE)
            with lock:
                numbers.append(number)
        except Exception as exc:
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(numbers) == [TEMPLATE.format(year=2026, seq=n) for n in range(1, 17)]
