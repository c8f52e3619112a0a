"""Reminder texts of the permits app, rendered when sent in the recipient's language.

Codes are stored on reminder rows: keep them stable.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lishui_fire.core.reminders import Message

MESSAGES = {
    "permits.precheck.day_before.applicant": Message(
        body=_("提醒：您预约的消防体检将于 %(when)s 在 %(venue)s 进行，监督员将按时到场。")
    ),
    "permits.precheck.day_before.inspector": Message(
        body=_("提醒：明天 %(when)s 预约体检，场所 %(venue)s，地址 %(address)s。")
    ),
}
