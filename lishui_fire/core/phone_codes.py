"""One-time codes by SMS: prove that the person at the keyboard holds a phone number.

A reusable kernel primitive (issue 9: the public progress look-up is its first user; a
registration by SMS code can be the next):

* :func:`issue` writes a ``PhoneCode`` and, when the number is the right one (``matched``), puts
  the SMS in the notifications outbox (``notifications.notify``, sent through the one enqueue door
  after commit). When it is not, nothing is sent but a row is written all the same, so the caller
  can answer exactly as it would have: whoever asks learns nothing about the pair they typed.
* :func:`check` accepts the code once, before it expires, within the attempt limit; a wrong
  code counts an attempt under a row lock, so two quick guesses cannot both be the fifth.

Only a keyed hash of the code is stored (``salted_hmac`` with the site's secret). The numbers —
lifetime, attempts, digits — are settings (``PHONE_CODE_*``), not constants here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .masking import mask_phone
from .models import Notification, PhoneCode
from .notifications import notify

_SALT = "lishui_fire.core.phone_codes"


def _hash(row_key: str, code: str) -> str:
    return salted_hmac(_SALT, f"{row_key}:{code}").hexdigest()


def ttl() -> timedelta:
    return timedelta(seconds=int(settings.PHONE_CODE_TTL_SECONDS))


def max_attempts() -> int:
    return int(settings.PHONE_CODE_MAX_ATTEMPTS)


def new_code() -> str:
    digits = int(settings.PHONE_CODE_DIGITS)
    return "".join(secrets.choice("0123456789") for _ in range(digits))


@transaction.atomic
def issue(*, purpose: str, key: str, phone: str, matched: bool, body: str) -> PhoneCode:
    """A new code for ``(purpose, key)`` (earlier unused ones stop working); sent by SMS to
    ``phone`` only when ``matched``. ``body`` is the message with ``%(code)s`` and
    ``%(minutes)s`` in it."""
    now = timezone.now()
    PhoneCode.objects.filter(purpose=purpose, key=key, used_at__isnull=True).update(expires_at=now)
    code = new_code()
    row = PhoneCode.objects.create(
        purpose=purpose,
        key=key,
        phone_masked=mask_phone(phone),
        code_hash="",
        matched=matched,
        created_at=now,
        expires_at=now + ttl(),
    )
    # The hash binds the code to its row: a code sent for one look-up opens no other.
    row.code_hash = _hash(str(row.pk), code)
    row.save(update_fields=["code_hash"])
    if matched:
        minutes = max(1, int(ttl().total_seconds() // 60))
        notify(
            channel=Notification.Channel.SMS,
            address=phone,
            body=body % {"code": code, "minutes": minutes},
        )
    return row


@dataclass(frozen=True)
class Checked:
    ok: bool
    # The code can no longer pass (used, expired, too many tries): ask for a new one.
    spent: bool
    row: PhoneCode | None


@transaction.atomic
def check(*, pk: int, purpose: str, code: str) -> Checked:
    """Whether ``code`` opens row ``pk`` of ``purpose``; a wrong code counts an attempt."""
    row = PhoneCode.objects.select_for_update().filter(pk=pk, purpose=purpose).first()
    if row is None:
        return Checked(ok=False, spent=True, row=None)
    now = timezone.now()
    if row.used_at is not None or row.expires_at <= now or row.attempts >= max_attempts():
        return Checked(ok=False, spent=True, row=row)
    given = "".join(ch for ch in code if ch.isdigit())
    if row.matched and constant_time_compare(_hash(str(row.pk), given), row.code_hash):
        row.used_at = now
        row.save(update_fields=["used_at"])
        return Checked(ok=True, spent=False, row=row)
    row.attempts += 1
    row.save(update_fields=["attempts"])
    return Checked(ok=False, spent=row.attempts >= max_attempts(), row=row)
