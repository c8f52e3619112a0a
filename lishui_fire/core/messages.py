"""Reminder texts of the kernel, rendered when a reminder is sent (core.reminders.Message)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .reminders import Message

MESSAGES = {
    "core.clock.warning": Message(title=_("期限提醒"), body=_("%(rule)s 即将到期（%(due)s）。")),
    "core.clock.due": Message(title=_("期限提醒"), body=_("%(rule)s 今日到期（%(due)s）。")),
    "core.clock.overdue": Message(
        title=_("超期提醒"), body=_("%(rule)s 已超过法定期限（%(due)s）。")
    ),
}
