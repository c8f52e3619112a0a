"""The workflow helper: table-driven moves, compare-and-set, and a history row per move."""

import threading

import pytest
from django.db import connection, connections, transaction

from lishui_fire.core.errors import IllegalTransition, StaleState
from lishui_fire.core.models import StatusChange
from lishui_fire.core.workflow import Workflow, history_for, transition
from lishui_fire.enterprises.models import EnterpriseImport

Status = EnterpriseImport.Status
FLOW = Workflow(
    choices=Status,
    transitions={
        Status.PENDING: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.DONE, Status.FAILED},
    },
)


@pytest.fixture
def job(citizen):
    return EnterpriseImport.objects.create(original_name="x.csv", uploaded_by=citizen)


def test_workflow_rejects_unknown_statuses_in_its_table():
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(choices=Status, transitions={Status.PENDING: {"archived"}})


@pytest.mark.django_db
def test_a_legal_move_updates_the_row_and_writes_history(job, inspector):
    with transaction.atomic():
        transition(job, workflow=FLOW, to=Status.RUNNING, actor=inspector, note="开始处理")
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    (row,) = history_for(job)
    assert (row.from_status, row.to_status, row.actor, row.note) == (
        "pending",
        "running",
        inspector,
        "开始处理",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.PENDING, Status.DONE),
        (Status.DONE, Status.RUNNING),
        (Status.FAILED, Status.PENDING),
        (Status.RUNNING, Status.PENDING),
        (Status.RUNNING, Status.RUNNING),
    ],
)
def test_an_illegal_move_is_refused_and_changes_nothing(job, source, target):
    EnterpriseImport.objects.filter(pk=job.pk).update(status=source)
    job.refresh_from_db()
    with pytest.raises(IllegalTransition) as excinfo, transaction.atomic():
        transition(job, workflow=FLOW, to=target, actor=None)
    assert "不能变更为" in str(excinfo.value)
    job.refresh_from_db()
    assert job.status == source
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_a_stale_object_loses_to_the_first_writer(job):
    first = EnterpriseImport.objects.get(pk=job.pk)
    second = EnterpriseImport.objects.get(pk=job.pk)
    with transaction.atomic():
        transition(first, workflow=FLOW, to=Status.RUNNING, actor=None)
    with pytest.raises(StaleState), transaction.atomic():
        transition(second, workflow=FLOW, to=Status.FAILED, actor=None)
    job.refresh_from_db()
    assert job.status == Status.RUNNING
    assert StatusChange.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_transition_outside_a_transaction_is_a_programming_error(job):
    with pytest.raises(RuntimeError):
        transition(job, workflow=FLOW, to=Status.RUNNING, actor=None)


@pytest.mark.django_db
def test_illegal_move_message_follows_the_language(job):
    from django.utils import translation

    EnterpriseImport.objects.filter(pk=job.pk).update(status=Status.DONE)
    job.refresh_from_db()
    with (
        translation.override("en"),
        pytest.raises(IllegalTransition) as excinfo,
        transaction.atomic(),
    ):
        transition(job, workflow=FLOW, to=Status.RUNNING, actor=None)
    assert "cannot" in str(excinfo.value).lower()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_one_wins_on_postgresql(job, inspector):
    """Two clerks press different buttons on the same record at the same moment."""
    if connection.vendor != "postgresql":
        from conftest import skip_or_fail

        skip_or_fail("row-level concurrency is tested on PostgreSQL")
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[str, object] = {}

    def attempt(name: str, target: str) -> None:
        try:
            obj = EnterpriseImport.objects.get(pk=job.pk)  # both read status "pending"
            barrier.wait()
            with transaction.atomic():
                transition(obj, workflow=FLOW, to=target, actor=inspector)
                barrier_after.wait()  # hold the row lock until the other UPDATE is queued
            outcomes[name] = "won"
        except StaleState:
            outcomes[name] = "stale"
        except threading.BrokenBarrierError:
            outcomes[name] = "stale-late"
        finally:
            connections.close_all()

    barrier_after = threading.Barrier(1)
    threads = [
        threading.Thread(target=attempt, args=("a", Status.RUNNING)),
        threading.Thread(target=attempt, args=("b", Status.FAILED)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(outcomes.values()) == ["stale", "won"]
    job.refresh_from_db()
    winner = "a" if outcomes["a"] == "won" else "b"
    assert job.status == {"a": Status.RUNNING, "b": Status.FAILED}[winner]
    assert StatusChange.objects.filter(object_id=str(job.pk)).count() == 1
