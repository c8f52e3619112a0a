"""Template helpers shared by every app: deadlines with their 暂定 badge, masked personal data.

``{% load portal %}`` then ``{% deadline application.decision_due application.due_provisional %}``
(or ``{% deadline some_deadline %}`` with a ``calendar.Deadline``), and
``{{ phone|mask_phone }}``, ``{{ id_number|mask_id }}``, ``{{ name|mask_name }}``,
``{{ email|mask_email }}``.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .. import masking
from ..calendar import Deadline

register = template.Library()


@register.simple_tag
def deadline(value: dt.date | Deadline | None, provisional: bool | None = None) -> SafeString:
    """``<time datetime="YYYY-MM-DD">YYYY-MM-DD</time>``, with a 暂定 badge when provisional.

    A provisional date was counted into a year whose holiday notice is not yet entered; it is
    recomputed automatically when it is, and the badge says so to sighted and screen-reader users.
    """
    if isinstance(value, Deadline):
        value, provisional = value.date, value.provisional if provisional is None else provisional
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        return format_html("{}", "—")
    iso = value.isoformat()
    html = format_html('<time datetime="{}">{}</time>', iso, iso)
    if provisional:
        explanation = _(
            "该期限跨入节假日安排尚未公布的年份，按工作日和法定节日暂算，公布后自动重算"
        )
        html = format_html(
            '{} <span class="badge provisional" title="{}" role="note" aria-label="{}">{}</span>',
            html,
            explanation,
            "{}：{}".format(_("暂定"), explanation),
            _("暂定"),
        )
    return html


@register.filter
def mask_phone(value: object) -> str:
    return masking.mask_phone(_text(value))


@register.filter
def mask_id(value: object) -> str:
    return masking.mask_id_number(_text(value))


@register.filter
def mask_name(value: object) -> str:
    return masking.mask_name(_text(value))


@register.filter
def mask_email(value: object) -> str:
    return masking.mask_email(_text(value))


def _text(value: object) -> str:
    return "" if value is None else str(value)
