"""SMS sending behind a pluggable backend, chosen by ``settings.SMS_BACKEND`` (a dotted path).

Like Django's e-mail backends: production plugs in the gateway the detachment contracts with;
local runs log the message; tests collect messages in memory (``LocmemSmsBackend``) or, when the
sender is a Celery worker in another process, in a JSON-lines file (``FileSmsBackend``).

A backend raises ``SmsError`` only when it knows the message was NOT accepted (refused, bad
number, gateway down before sending): the outbox retries those. Any other exception means "we do
not know whether it went out", and the outbox does not resend it on its own.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .masking import mask_phone

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message was not accepted by the gateway; sending it again later is safe."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class BaseSmsBackend:
    def __init__(self, **options: object) -> None:
        self.options = options

    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Logs the message; the number is masked because logs are kept and read by many (PIPL)."""

    def send(self, *, to: str, body: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(to), body)


# Module-level on purpose, like django.core.mail.outbox: tests reset it with ``outbox.clear()``.
outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in ``lishui_fire.core.sms.outbox`` (tests in one process)."""

    def send(self, *, to: str, body: str) -> None:
        outbox.append(SmsMessage(to=to, body=body))


class FileSmsBackend(BaseSmsBackend):
    """Appends one JSON line per message to ``settings.SMS_FILE_PATH``.

    Several worker processes may write at once: each line is written with one ``write`` call
    under an exclusive lock, so lines never interleave.
    """

    def __init__(self, *, path: str | os.PathLike[str] | None = None, **options: object) -> None:
        super().__init__(**options)
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, body: str) -> None:
        line = json.dumps(
            {"to": to, "body": body, "at": timezone.now().isoformat()}, ensure_ascii=False
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise SmsError(f"cannot open {self.path}: {exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)


def read_sms_file(path: str | os.PathLike[str]) -> list[SmsMessage]:
    """The messages a ``FileSmsBackend`` wrote (for tests and for checking a demo)."""
    p = Path(path)
    if not p.exists():
        return []
    rows = [json.loads(line) for line in p.read_text("utf-8").splitlines() if line.strip()]
    return [SmsMessage(to=row["to"], body=row["body"]) for row in rows]


def get_sms_backend(backend: str | None = None, **options: object) -> BaseSmsBackend:
    cls = import_string(backend or settings.SMS_BACKEND)
    return cls(**options)


def send_sms(*, to: str, body: str) -> None:
    """Send one message through the configured backend; raises ``SmsError`` on refusal."""
    get_sms_backend().send(to=to, body=body)
