"""Helpers every audience's pages share: a service's refusal onto a form or into a message, and
presentation shared by the owner's and the staff's pages. Who may open a page is said by the
decorators of ``lishui_fire.accounts.decorators`` over ``permits.policies``."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.translation import gettext as _

from lishui_fire.core.client import client_ip
from lishui_fire.core.views import act  # noqa: F401  (re-exported for the permits pages)
from lishui_fire.core.workflow import history_for

from .. import rules
from ..models import PrecheckBooking


def remote_addr(request: HttpRequest) -> str | None:
    return client_ip(request)


def add_errors(form: BaseForm, exc: ValidationError, default_field: str | None = None) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else default_field, errors)
    else:
        form.add_error(default_field, exc.messages)


def labelled_history(obj: Any, workflow: Any) -> list[Any]:
    """The status history of ``obj``, each change with ``to_label`` in the workflow's words."""
    rows = list(history_for(obj))
    for row in rows:
        row.to_label = workflow.label(row.to_status)
    return rows


def punctuality(booking: PrecheckBooking) -> str:
    """准时 / 迟到 N 分钟, from the arrival against the booked start (按照预约时间)."""
    if booking.arrived_at is None:
        return ""
    starts_at = booking.slot.starts_at
    if rules.is_punctual(
        starts_at=starts_at,
        arrived_at=booking.arrived_at,
        grace_minutes=settings.PRECHECK_PUNCTUALITY_GRACE_MINUTES,
    ):
        return _("准时")
    late = math.floor((booking.arrived_at - starts_at).total_seconds() / 60)
    return _("迟到 %(n)d 分钟") % {"n": late}
