"""One door for background work: ``enqueue("<task name>", *args, **kwargs)``.

Why one door, and why by name:

* **After commit.** The message is sent from ``transaction.on_commit`` (``robust=True``), so a
  worker never looks for a row the request has not committed yet, and a rolled-back decision
  enqueues nothing. Outside a transaction (autocommit) the callback runs at once, which is right:
  whatever the caller wrote is already committed.
* **A broker outage never fails the request.** The decision is saved before the message is
  sent; turning "Redis is down" into a 500 at that point would tell the user their approval failed
  when it did not. The failure is logged and the caller goes on: every kind of job has a periodic
  sweep that finds the work nobody enqueued (``core.retry_notifications`` for the outbox,
  ``core.sweep_reminders`` for the ledger, each app's render sweep for its documents).
* **By name, not by import.** Services never import ``tasks`` modules (tasks import services, so
  the other way round is an import circle). Every task declares an explicit, stable ``name=``
  in ``@shared_task``; messages already in Redis and beat rows refer to that name, so it must
  not change when a module moves.
* **Eager mode** (no ``REDIS_URL``, and every ordinary test: ADR 0003) goes through the same
  ``apply_async``, which then runs the task in-process after commit.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# What a publish raises when the broker cannot be reached (kombu wraps redis-py's errors in its
# OperationalError; a refused or reset socket may surface as a plain OSError).
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerError, ConnectionError, OSError)

# A request waits at most about a second for the broker before giving up on the message.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


# Two threads asking for a task before the tasks modules are imported must not see a half-done
# import (the loader marks the import done when it starts it).
_discovery = threading.Lock()


class UnknownTask(LookupError):
    """No task is registered under that name: a programming error, raised at the call site."""


def enqueue(task_name: str, /, *args: Any, **kwargs: Any) -> None:
    """Send ``task_name(*args, **kwargs)`` to the workers once the current transaction commits.

    Never raises for a broker outage (logged as a warning; the periodic sweeps catch up). Raises
    :class:`UnknownTask` at once for a name no module registers, so a typo fails in tests.
    """
    task = get_task(task_name)
    transaction.on_commit(lambda: _publish(task, args, kwargs), robust=True)


def enqueue_now(task_name: str, /, *args: Any, **kwargs: Any) -> None:
    """Send ``task_name(*args, **kwargs)`` at once, for work on rows committed before the caller
    began (a download asking for a letter's PDF reads a committed row; nothing of its own is
    waiting for a commit, and inside a test's transaction ``on_commit`` would never come).

    The same guarantees otherwise: a broker outage is logged, never raised; in eager mode the
    task runs here, and its failure is logged with its traceback like ``on_commit``'s robust
    mode does, never turned into the caller's error.
    """
    task = get_task(task_name)
    try:
        _publish(task, args, kwargs)
    except Exception:
        logger.exception("%s%s failed in-process", task.name, _describe(args, kwargs))


def get_task(task_name: str) -> Task:
    from lishui_fire.celery import app

    task = app.tasks.get(task_name)
    if task is None:
        # The web process may not have imported every app's tasks module yet (the worker
        # does at start-up); autodiscovery imports ``<app>.tasks`` for every installed app.
        # Not ``loader.import_default_modules()``: its Django fix-up calls ``django.setup()``
        # again, which re-applies LOGGING mid-request and drops every handler added since.
        with _discovery:
            app.autodiscover_tasks(force=True)
            task = app.tasks.get(task_name)
    if task is None:
        raise UnknownTask(f"no Celery task is registered as {task_name!r}")
    return task


def _publish(task: Task, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if task.app.conf.task_always_eager:
        # In-process: there is no broker to miss, and a failing task is the task's own error
        # (on_commit's robust mode logs it with its traceback; the request has committed).
        task.apply_async(args=args, kwargs=kwargs)
        return
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except BROKER_ERRORS as exc:
        logger.warning(
            "could not enqueue %s%s: %s (a periodic sweep will catch up)",
            task.name,
            _describe(args, kwargs),
            exc,
        )


def _describe(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"({', '.join(parts)})"
