"""The one enqueue door: after commit, by name, and a broker outage is a warning, not a 500."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from lishui_fire.celery import app
from lishui_fire.core import jobs

RAN: list[tuple[tuple, dict]] = []


@app.task(name="tests.jobs_probe")
def probe(*args, **kwargs):
    RAN.append((args, kwargs))


@pytest.fixture(autouse=True)
def _clear():
    RAN.clear()


@pytest.mark.django_db
def test_it_runs_the_task_after_commit_by_name(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        jobs.enqueue("tests.jobs_probe", 1, when="now")
        assert RAN == []  # nothing before commit
    assert len(callbacks) == 1
    assert RAN == [((1,), {"when": "now"})]


@pytest.mark.django_db(transaction=True)
def test_it_enqueues_nothing_when_the_transaction_rolls_back():
    def decide() -> None:
        with transaction.atomic():
            jobs.enqueue("tests.jobs_probe", 2)
            raise RuntimeError("the decision failed")

    with pytest.raises(RuntimeError):
        decide()
    assert RAN == []


@pytest.mark.django_db(transaction=True)
def test_it_runs_at_once_outside_a_transaction():
    # Autocommit: whatever the caller wrote is already committed.
    jobs.enqueue("tests.jobs_probe", 3)
    assert RAN == [((3,), {})]


@pytest.mark.django_db(transaction=True)
def test_it_runs_after_the_outermost_commit_not_a_savepoint():
    with transaction.atomic():
        with transaction.atomic():
            jobs.enqueue("tests.jobs_probe", 4)
        assert RAN == []
    assert RAN == [((4,), {})]


def test_an_unknown_task_name_fails_at_the_call_site():
    with pytest.raises(jobs.UnknownTask, match="no-such-task"):
        jobs.enqueue("no-such-task", 1)


def test_every_project_task_has_an_explicit_stable_name():
    jobs.get_task("lishui_fire.core.tasks.deliver_notification")  # loads every tasks module
    names = {n for n in app.tasks if not n.startswith("celery.")}
    for name in (
        "lishui_fire.core.tasks.deliver_notification",
        "lishui_fire.core.tasks.sweep_reminders",
        "lishui_fire.core.tasks.retry_notifications",
        "lishui_fire.core.tasks.check_calendar_years",
        "permits.tasks.render_permit_document",
        "permits.tasks.render_precheck_notice",
        "lishui_fire.core.tasks.render_issued_document",
        "lishui_fire.core.tasks.render_missing_documents",
        "enterprises.process_import",
    ):
        assert name in names


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_is_a_warning_not_an_error(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="lishui_fire.core.jobs"), transaction.atomic():
        jobs.enqueue("tests.jobs_probe", 5)
    assert RAN == []
    warnings = [r for r in caplog.records if r.name == "lishui_fire.core.jobs"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "tests.jobs_probe(5)" in warnings[0].getMessage()
    assert "sweep will catch up" in warnings[0].getMessage()


@pytest.mark.django_db(transaction=True)
def test_the_broker_is_used_again_once_it_is_back(broker_down):
    with transaction.atomic():
        jobs.enqueue("tests.jobs_probe", 6)
    app.conf.task_always_eager = True  # "back": the test's in-process broker
    jobs.enqueue("tests.jobs_probe", 7)
    assert RAN == [((7,), {})]


def test_looking_a_task_up_does_not_reconfigure_logging(monkeypatch):
    """The first enqueue of a process looked the task up through Celery's default-module import,
    whose Django fix-up ran ``django.setup()`` again: LOGGING was re-applied and every handler
    added since was dropped (``make run`` printed 100 demo SMS lines it meant to hide)."""
    import logging.config

    configured: list[object] = []
    monkeypatch.setattr(logging.config, "dictConfig", configured.append)
    root = logging.getLogger()
    marker = logging.NullHandler()
    root.addHandler(marker)
    try:
        with pytest.raises(jobs.UnknownTask):
            jobs.get_task("tests.no_such_task")  # not registered: the discovery path
        assert marker in root.handlers
        assert configured == []
    finally:
        root.removeHandler(marker)
