"""Server-rendered SVG bar charts for the supervisors' dashboard: no script, no CDN, no library.

The table printed beside each chart is the source of truth (screen readers, printing, copying
figures); the chart is a picture of it, with a ``<title>`` and a ``<desc>`` that say what it
shows and name the table (``aria-labelledby``). Bars are horizontal, so long Chinese labels
(plan titles, brigade names) fit on a phone; the SVG scales to its container (``viewBox``).
Colours are presentation attributes (the strict CSP allows no inline style), each at least 3:1
against white (WCAG 1.4.11), and every series is named in a legend with its value printed at the
end of each bar, so colour is never the only carrier of meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Dark enough against white (≥ 3:1) and apart from each other.
PALETTE = ("#1f5fa8", "#b3261e", "#1e7a3c", "#7a4a00", "#5b3f8c", "#00695c")
WIDTH = 640
LABEL_WIDTH = 200
VALUE_WIDTH = 56
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 12
LEGEND_HEIGHT = 24
MAX_LABEL_CHARS = 14


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float]


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _number(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    limit: int | float | None = None,
    limit_label: str = "",
) -> SafeString:
    """A grouped horizontal bar chart: one group per category, one bar per series.

    ``limit`` draws a dashed vertical line (a cap: "at most one a year") with its label, so the
    picture shows that no bar crosses it. Empty data gives a chart that says so in its desc.
    """
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(categories)}")
    peak = max([0, *(v for s in series for v in s.values), *([limit] if limit else [])])
    scale_max = peak or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    top = LEGEND_HEIGHT + 8
    height = top + max(1, len(categories)) * (group_height + GROUP_GAP) + 8

    parts: list[str] = []
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts.append(
        format_html(
            '<svg class="chart" id="{}" role="img" aria-labelledby="{} {}" viewBox="0 0 {} {}" '
            'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
            '<title id="{}">{}</title><desc id="{}">{}</desc>',
            chart_id,
            title_id,
            desc_id,
            WIDTH,
            height,
            title_id,
            title,
            desc_id,
            description,
        )
    )
    # Legend.
    x = 0
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="12" height="12" fill="{}"></rect>'
                '<text x="{}" y="15" font-size="12" fill="#1a1a1a">{}</text>',
                x,
                colour,
                x + 16,
                s.name,
            )
        )
        x += 16 + 14 * len(str(s.name)) + 16
    # Bars.
    for row, category in enumerate(categories):
        y0 = top + row * (group_height + GROUP_GAP)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1a1a1a">{}</text>',
                LABEL_WIDTH - 8,
                y0 + group_height / 2 + 4,
                _short(category),
            )
        )
        for index, s in enumerate(series):
            value = s.values[row]
            y = y0 + index * (BAR_HEIGHT + BAR_GAP)
            width = round(plot * (value / scale_max), 1) if value > 0 else 0
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" font-size="11" fill="#1a1a1a">{}</text>',
                    LABEL_WIDTH,
                    y,
                    width,
                    BAR_HEIGHT,
                    PALETTE[index % len(PALETTE)],
                    LABEL_WIDTH + width + 4,
                    y + BAR_HEIGHT - 3,
                    _number(value),
                )
            )
    if limit is not None:
        lx = LABEL_WIDTH + round(plot * (limit / scale_max), 1)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1a1a1a" stroke-width="2" '
                'stroke-dasharray="6 4"></line>'
                '<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#1a1a1a">{}</text>',
                lx,
                top - 4,
                lx,
                height - 4,
                lx - 4,
                top - 8 if top > 12 else 12,
                limit_label,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through format_html


def describe(figures: Sequence[tuple[str, int | float]]) -> str:
    """A plain sentence of the figures, for a chart's ``<desc>`` (escaped when rendered)."""
    return "；".join(f"{label} {_number(value)}" for label, value in figures)


__all__ = ["Series", "bar_chart", "describe"]
