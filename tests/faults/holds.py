"""The worker of the fault tests: the portal's Celery app, with holds a test can kill it in.

``celery -A tests.faults.holds worker`` is the portal's worker (``lishui_fire.celery.app``) plus,
in each pool process, a pause at a chosen point so that a test can kill the worker *in the middle*
of a task, deterministically:

* ``FAULTS_HOLD_RENDER=<seconds>``: the first render of each document writes a line to
  ``FAULTS_TRACE_FILE`` and sleeps before drawing the PDF (later attempts do not sleep).
* ``SMS_BACKEND=tests.faults.holds.HoldingSmsBackend`` with ``FAULTS_HOLD_SMS_AT=<n>``: the n-th
  message this deployment sends (counted in ``FAULTS_TRACE_FILE``) is held for
  ``FAULTS_HOLD_SECONDS`` before it reaches the gateway (the SMS file).

Nothing of this is imported by the portal itself.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from celery.signals import worker_process_init

from lishui_fire.celery import app
from lishui_fire.core.sms import FileSmsBackend

__all__ = ["HoldingSmsBackend", "app"]


def _trace(line: str) -> list[str]:
    """Append ``line`` to the trace file under a lock; return every line so far (with it)."""
    path = Path(os.environ["FAULTS_TRACE_FILE"])
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line + "\n")
        handle.flush()
        handle.seek(0)
        lines = handle.read().splitlines()
        fcntl.flock(handle, fcntl.LOCK_UN)
    return lines


@worker_process_init.connect
def _install_holds(**_: object) -> None:
    seconds = float(os.environ.get("FAULTS_HOLD_RENDER", "0") or 0)
    if not seconds:
        return
    from lishui_fire.core import documents

    real_import_string = documents.import_string
    renderers = {model.renderer for model in documents.issued_document_models()}

    def import_string(path: str):  # type: ignore[no-untyped-def]
        renderer = real_import_string(path)
        if path not in renderers:
            return renderer

        def held(document):  # type: ignore[no-untyped-def]
            tag = f"render {document._meta.label} {document.pk}"
            lines = _trace(f"{tag} pid={os.getpid()}")
            if sum(line.startswith(tag + " ") for line in lines) == 1:
                time.sleep(seconds)
            return renderer(document)

        return held

    documents.import_string = import_string


class HoldingSmsBackend(FileSmsBackend):
    def send(self, *, to: str, body: str) -> None:
        lines = _trace(f"sms {to} pid={os.getpid()}")
        if len(lines) == int(os.environ.get("FAULTS_HOLD_SMS_AT", "0") or 0):
            time.sleep(float(os.environ.get("FAULTS_HOLD_SECONDS", "60")))
        super().send(to=to, body=body)
