"""The public progress look-up: a case's progress by its reference number and the phone number
on the case, proved with an SMS code, without an account (issue 9; 政务服务 "办件查询").

The kernel names no case type: each app offers ``AppConfig.progress_lookup`` (core/plugins.py),
a function ``find(reference) -> CaseProgress | None``. The steps:

1. :func:`request_code` — reference + phone. Throttled per client address and per reference
   (settings ``PROGRESS_LOOKUP_RATE_*``). Whether or not the pair matches a case, a code row is
   written and the caller answers the same ("if they match, a code was sent"); an SMS goes out
   only when they match. The request is audited.
2. :func:`confirm_code` — the code, once, within its lifetime and attempt limit
   (core/phone_codes.py). The look-up that succeeds is audited on the case.
3. The read-only progress page, for ``PROGRESS_VIEW_SECONDS`` in this browser session: status,
   dates, what is missing, the brigade's contact, the phone masked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.throttling import SimpleRateThrottle

from . import audit, phone_codes, plugins
from .client import client_ip
from .masking import mask_phone

PURPOSE = "progress_lookup"
SESSION_CODE = "progress_lookup_code"
SESSION_CASE = "progress_lookup_case"


@dataclass(frozen=True)
class CaseProgress:
    """What the public look-up shows of one case (an app's ``find`` builds it)."""

    reference: str
    kind: str  # what the case is, e.g. 公众聚集场所投入使用、营业前消防安全检查
    status: str  # the status label
    phone: str  # the phone on the case: compared here, never shown unmasked
    unit: Any  # the OrgUnit that handles it (its contact is shown)
    record: models.Model  # the case itself, for the audit entry
    title: str = ""  # the venue's name
    steps: Sequence[tuple[str, dt.date | dt.datetime | None]] = field(default_factory=tuple)
    due: Sequence[tuple[str, dt.date]] = field(default_factory=tuple)
    missing: Sequence[str] = field(default_factory=tuple)
    note: str = ""  # what the brigade said (a return for correction)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


def normalise_reference(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def find_case(reference: str) -> CaseProgress | None:
    reference = normalise_reference(reference)
    if not reference:
        return None
    for find in plugins.progress_finders():
        case = find(reference)
        if case is not None:
            return case
    return None


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


class _LookupThrottle(SimpleRateThrottle):
    """Codes asked for, counted in the shared cache like the API's throttles."""

    rate_setting = ""

    def __init__(self, ident: str = "") -> None:
        self.rate = getattr(settings, self.rate_setting)
        self.ident = ident
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


class AddressThrottle(_LookupThrottle):
    scope = "progress_lookup_address"
    rate_setting = "PROGRESS_LOOKUP_RATE_ADDRESS"


class ReferenceThrottle(_LookupThrottle):
    scope = "progress_lookup_reference"
    rate_setting = "PROGRESS_LOOKUP_RATE_REFERENCE"


def client_address(request: Any) -> str:
    """The client's address as the throttles, the lockout and the audit log see it (ADR 0023)."""
    return client_ip(request) or "unknown"


def allowed(request: Any, reference: str) -> bool:
    """Whether this address and this reference may ask for another code (counts the ask)."""
    address = AddressThrottle(client_address(request))
    if not address.allow_request(request, None):
        return False
    return ReferenceThrottle(normalise_reference(reference)).allow_request(request, None)


SMS_BODY = gettext_noop(
    "【丽水消防】您正在查询办件进度，验证码 %(code)s，%(minutes)s 分钟内有效。如非本人操作，请忽略本短信。"
)


def request_code(*, reference: str, phone: str, remote_addr: str | None) -> int:
    """Write a code row for this pair and send the code if the pair matches a case; the row's
    id (the caller keeps it in the session). The answer is the same either way."""
    reference = normalise_reference(reference)
    case = find_case(reference)
    matched = case is not None and _digits(case.phone) == _digits(phone)
    row = phone_codes.issue(
        purpose=PURPOSE,
        key=reference,
        phone=phone,
        matched=matched,
        body=_(SMS_BODY),
    )
    audit.record_view(
        row,
        actor=None,
        field="progress",
        purpose="progress_code_requested",
        remote_addr=remote_addr,
        reference=reference,
        matched=matched,
    )
    return row.pk


@dataclass(frozen=True)
class Confirmed:
    ok: bool
    spent: bool
    reference: str = ""


def confirm_code(*, pk: int, code: str, remote_addr: str | None) -> Confirmed:
    result = phone_codes.check(pk=pk, purpose=PURPOSE, code=code)
    if not result.ok or result.row is None:
        return Confirmed(ok=False, spent=result.spent)
    case = find_case(result.row.key)
    if case is None:  # withdrawn from view since the code was sent
        return Confirmed(ok=False, spent=True)
    audit.record_view(
        case.record,
        actor=None,
        field="progress",
        purpose="public_progress_lookup",
        remote_addr=remote_addr,
        reference=case.reference,
        phone=result.row.phone_masked,
    )
    return Confirmed(ok=True, spent=False, reference=case.reference)


def view_until() -> str:
    return (timezone.now() + dt.timedelta(seconds=int(settings.PROGRESS_VIEW_SECONDS))).isoformat()


def still_open(until: str | None) -> bool:
    if not until:
        return False
    try:
        return dt.datetime.fromisoformat(until) > timezone.now()
    except ValueError:
        return False
