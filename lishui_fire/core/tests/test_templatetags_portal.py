"""``{% load portal %}``: deadlines with the 暂定 badge and the masking filters, as rendered HTML."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from lishui_fire.core.calendar import Deadline

EXPLANATION = "该期限跨入节假日安排尚未公布的年份，按工作日和法定节日暂算，公布后自动重算"


def render(source: str, **context) -> str:
    return Template("{% load portal %}" + source).render(Context(context))


def test_a_firm_deadline_is_a_time_element_without_badge():
    html = render("{% deadline due False %}", due=dt.date(2026, 10, 19))
    assert html == '<time datetime="2026-10-19">2026-10-19</time>'


def test_a_provisional_deadline_carries_the_badge_and_its_explanation():
    html = render("{% deadline due True %}", due=dt.date(2027, 1, 8))
    assert html.startswith('<time datetime="2027-01-08">2027-01-08</time> ')
    assert '<span class="badge provisional"' in html
    assert f'title="{EXPLANATION}"' in html
    assert f'aria-label="暂定：{EXPLANATION}"' in html
    assert html.endswith(">暂定</span>")


def test_a_deadline_object_brings_its_own_flag():
    assert "provisional" in render("{% deadline d %}", d=Deadline(dt.date(2027, 1, 8), True))
    assert "provisional" not in render("{% deadline d %}", d=Deadline(dt.date(2026, 1, 8), False))


def test_the_provisional_flag_defaults_to_firm_and_missing_dates_show_a_dash():
    assert "badge" not in render("{% deadline due %}", due=dt.date(2026, 10, 19))
    assert render("{% deadline due True %}", due=None) == "—"
    assert render("{% deadline missing True %}") == "—"


def test_an_aware_datetime_is_shown_as_its_date_in_lishui():
    moment = dt.datetime(2026, 10, 18, 17, 0, tzinfo=dt.UTC)  # 01:00 on the 19th in Lishui
    assert 'datetime="2026-10-19"' in render("{% deadline due %}", due=moment)


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("{{ v|mask_phone }}", "13812345678", "138****5678"),
        ("{{ v|mask_id }}", "11010519491231002X", "110***********002X"),
        ("{{ v|mask_name }}", "张三", "张*"),
        ("{{ v|mask_email }}", "zhangsan@example.com", "z*******@example.com"),
        ("{{ v|mask_phone }}", None, ""),
        ("{{ v|mask_phone }}", 13812345678, "138****5678"),
    ],
)
def test_mask_filters(source, value, expected):
    assert render(source, v=value) == expected


def test_mask_filters_escape_what_they_show():
    html = render("{{ v|mask_name }}", v="<script>")
    assert "<" not in html
    assert html.startswith("&lt;")
