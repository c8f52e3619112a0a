"""The dashboard's SVG charts: accessible pictures of their tables, drawn without script."""

from __future__ import annotations

import re

import pytest

from lishui_fire.core.charts import PALETTE, Series, bar_chart, describe


def chart(**overrides):
    fields = {
        "chart_id": "c1",
        "title": "抽查计划完成情况",
        "description": "每个计划的检查数",
        "categories": ["计划甲", "计划乙"],
        "series": [Series("已抽取", [10, 5]), Series("已检查", [4, 0])],
    }
    return str(bar_chart(**{**fields, **overrides}))


def test_the_chart_is_an_image_named_by_its_title_and_description():
    svg = chart()
    assert svg.startswith(
        '<svg class="chart" id="c1" role="img" aria-labelledby="c1-title c1-desc"'
    )
    assert '<title id="c1-title">抽查计划完成情况</title>' in svg
    assert '<desc id="c1-desc">每个计划的检查数</desc>' in svg
    assert "<script" not in svg
    assert "style=" not in svg  # the strict CSP: presentation attributes only


def test_bars_are_proportional_to_the_largest_value_and_zero_draws_nothing():
    widths = [float(w) for w in re.findall(r'<rect x="200" y="[\d.]+" width="([\d.]+)"', chart())]
    assert widths == [384.0, 153.6, 192.0, 0.0]  # group by group


def test_every_value_is_printed_and_every_series_named_in_the_legend():
    svg = chart()
    for text in ("已抽取", "已检查", ">10<", ">5<", ">4<", ">0<"):
        assert text in svg
    assert svg.count(f'fill="{PALETTE[0]}"') == 3  # legend + two bars


def test_labels_are_escaped():
    svg = chart(categories=["<b>甲</b>", "乙&丙"], title="<script>x</script>")
    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg
    assert "<script>" not in svg
    assert "乙&amp;丙" in svg


def test_long_labels_are_shortened_in_the_picture_only():
    svg = chart(categories=["丽水市莲都区某某某某某某某某大酒店有限公司", "乙"])
    assert "丽水市莲都区某某某某某某某…" in svg


def test_a_limit_line_is_drawn_at_its_value_with_its_label():
    svg = chart(series=[Series("次数", [1, 1])], limit=1, limit_label="年度上限")
    assert 'stroke-dasharray="6 4"' in svg
    assert re.search(r'<line x1="584.0" y1="[\d.]+" x2="584.0"', svg)
    assert "年度上限" in svg


def test_no_data_still_gives_a_valid_empty_chart():
    svg = chart(categories=[], series=[Series("已抽取", [])])
    assert svg.endswith("</svg>")
    assert 'width="0"' not in svg


def test_a_series_of_the_wrong_length_is_a_programming_error():
    with pytest.raises(ValueError, match="2 values for 1"):
        chart(categories=["甲"], series=[Series("已抽取", [1, 2])])


def test_the_description_reads_the_figures():
    assert describe([("已抽取", 10), ("平均", 2.5)]) == "已抽取 10；平均 2.5"
