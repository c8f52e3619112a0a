"""Warn when this year's or next year's holiday notice is not entered (the yearly reminder).

The State Council publishes next year's notice around November; until it is entered in the admin
(节假日安排年度 → 录入年度节假日安排通知), deadlines reaching into that year are provisional.
Always exits 0: a missing year is a to-do for an administrator, not a failure of the job that
runs this.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lishui_fire.core.calendar import year_has_data


class Command(BaseCommand):
    help = "检查本年度和下一年度的节假日安排是否已录入（未录入时跨入该年的期限为暂定）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="以该日期（YYYY-MM-DD）为今天检查，默认今天（Asia/Shanghai）。",
        )

    def handle(self, *args, **options) -> None:
        today = options.get("today") or timezone.localdate()
        for year in (today.year, today.year + 1):
            if year_has_data(year):
                self.stdout.write(_("%(year)s 年节假日安排已录入。") % {"year": year})
            else:
                self.stderr.write(
                    self.style.WARNING(
                        _(
                            "%(year)s 年节假日安排尚未录入：跨入该年的期限为暂定。"
                            "国务院办公厅通知公布后，请在管理后台“节假日安排年度”的"
                            "“录入年度节假日安排通知”页面（/admin/core/calendaryear/enter/）录入。"
                        )
                        % {"year": year}
                    )
                )
