"""Charts drawn on the server as inline SVG: no script, no library, no CDN.

Each chart is sized by its ``viewBox`` only, so CSS (``.chart { width: 100% }``) scales
it to a phone's width; colours and fonts come from classes styled in
``static/css/insight.css`` (the CSP forbids style attributes). Every piece of text is
escaped here, and each chart carries a ``<title>`` and ``<desc>`` (named by
``aria-labelledby``) so a screen reader announces what it shows; the tables beside the
charts hold the exact figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_WIDTH = 400  # bars are read in a column or on a phone: a narrow drawing


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    value_text: str  # what is written at the end of the bar, e.g. "Rp 1.250.000 (33,3 %)"


@dataclass(frozen=True)
class Line:
    name: str
    css: str  # a class suffix: "online" -> chart-line-online / chart-area-online
    values: Sequence[int]
    area: bool = False


def _n(x: float) -> str:
    """A coordinate: one decimal at most, no trailing zeros (compact and stable output)."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value``, and at least 4, so
    that the axis's quarters are whole numbers even when little or nothing was sold."""
    if value <= 4:
        return 4
    exp = 10 ** max(0, int(math.floor(math.log10(value))))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value:
            return int(step * exp)
    return 10 * exp  # pragma: no cover - the loop always returns


SUFFIXES = ("T", "M", "jt", "rb")  # triliun, miliar, juta, ribu


def compact_rupiah(value: int, suffixes: Sequence[str] = SUFFIXES) -> str:
    """Short axis labels: ``Rp 1,5 M`` (miliar), ``Rp 350 jt``, ``Rp 12 rb``; ``suffixes``
    names 10^12, 10^9, 10^6 and 10^3 (the view passes them translated)."""
    for size, suffix in zip((10**12, 10**9, 10**6, 10**3), suffixes):
        if abs(value) >= size:
            amount = value / size
            text = f"{amount:.1f}".rstrip("0").rstrip(".") if amount < 10 else f"{amount:.0f}"
            return f"Rp {text.replace('.', ',')} {suffix}"
    return f"Rp {value}"


def _open(chart_id: str, width: int, height: float, title: str, desc: str,
          css: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart {escape(css)}" viewBox="0 0 {width} {_n(height)}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def empty_chart(chart_id: str, title: str, message: str, *, width: int = BAR_WIDTH,
                css: str = "") -> Markup:
    parts = _open(chart_id, width, 50, title, message, f"chart-empty {css}".strip())
    parts.append(f'<text class="chart-note" x="{width // 2}" y="30" text-anchor="middle">'
                 f'{escape(message)}</text></svg>')
    return Markup("".join(parts))  # nosec B704: every text in it went through escape()


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, width: int = BAR_WIDTH,
              empty: str = "-") -> Markup:
    """Horizontal bars, one row per item: the label and its value on a line, the bar
    under them across the whole width (narrow enough to read on a phone)."""
    if not bars:
        return empty_chart(chart_id, title, empty, width=width)
    row, top = 40, 4
    scale = max(b.value for b in bars) or 1
    height = top + row * len(bars)
    desc = "; ".join(f"{b.label}: {b.value_text}" for b in bars)
    parts = _open(chart_id, width, height, title, desc, "chart-bars")
    for i, b in enumerate(bars):
        y = top + i * row
        bar = width * max(b.value, 0) / scale
        parts.append('<g class="chart-bar">')
        parts.append(f'<title>{escape(b.label)}: {escape(b.value_text)}</title>')
        parts.append(f'<text x="0" y="{_n(y + 14)}"><tspan class="chart-label">{escape(b.label)}'
                     f'</tspan><tspan class="chart-value" dx="8">{escape(b.value_text)}</tspan></text>')
        parts.append(f'<rect class="chart-bar-track" x="0" y="{_n(y + 20)}" width="{width}" '
                     f'height="12" rx="3"></rect>')
        parts.append(f'<rect class="chart-bar-fill" x="0" y="{_n(y + 20)}" width="{_n(bar)}" '
                     f'height="12" rx="3"></rect>')
        parts.append('</g>')
    parts.append('</svg>')
    return Markup("".join(parts))  # nosec B704: every text in it went through escape()


def line_chart(chart_id: str, title: str, labels: Sequence[str], lines: Sequence[Line], *,
               width: int = 640, height: int = 280, x_labels: int = 5,
               axis: Callable[[int], str] = compact_rupiah, point_text: Callable[[int], str] = str,
               empty: str = "-", css: str = "") -> Markup:
    """Values over time: one polyline per series (an area under the first, if asked),
    horizontal grid lines with axis labels, ``x_labels`` dates spread along the bottom
    (the first and the last among them), a legend, and a dot per point whose ``<title>``
    reads the exact figures (shown on hover)."""
    n = len(labels)
    if n == 0 or not lines or all(len(line.values) != n for line in lines):
        return empty_chart(chart_id, title, empty, width=width, css=css)
    left, right, top, bottom = 62, 10, 12, 62
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = nice_ceiling(max((max(line.values) for line in lines), default=0))

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: int) -> float:
        return top + plot_h * (1 - max(v, 0) / peak)

    totals = "; ".join(
        f"{line.name}: {point_text(sum(line.values))}" for line in lines)
    desc = f"{labels[0]} – {labels[-1]}. {totals}"
    parts = _open(chart_id, width, height, title, desc, f"chart-series {css}".strip())
    # Grid and y axis: 0, 1/4 ... peak.
    for k in range(5):
        v = peak * k // 4
        gy = y(v)
        parts.append(f'<line class="chart-grid" x1="{left}" x2="{width - right}" '
                     f'y1="{_n(gy)}" y2="{_n(gy)}"></line>')
        parts.append(f'<text class="chart-axis" x="{left - 6}" y="{_n(gy + 4)}" '
                     f'text-anchor="end">{escape(axis(v))}</text>')
    # A few x labels, evenly spread, always the first and the last.
    steps = max(x_labels - 1, 1)
    shown = (sorted({round(j * (n - 1) / steps) for j in range(steps + 1)})
             if n > x_labels else range(n))
    for i in shown:
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        parts.append(f'<text class="chart-axis" x="{_n(x(i))}" y="{height - bottom + 18}" '
                     f'text-anchor="{anchor}">{escape(labels[i])}</text>')
    for line in lines:
        if len(line.values) != n:
            continue
        key = escape(line.css)
        coords = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in enumerate(line.values))
        if line.area:
            base = _n(y(0))
            parts.append(f'<polygon class="chart-area-{key}" points="{_n(x(0))},{base} {coords} '
                         f'{_n(x(n - 1))},{base}"></polygon>')
        parts.append(f'<polyline class="chart-line-{key}" points="{coords}"></polyline>')
        for i, v in enumerate(line.values):
            parts.append(f'<circle class="chart-dot-{key}" cx="{_n(x(i))}" cy="{_n(y(v))}" r="3">'
                         f'<title>{escape(labels[i])} · {escape(line.name)}: '
                         f'{escape(point_text(v))}</title></circle>')
    # Legend under the axis.
    lx = left
    for line in lines:
        key = escape(line.css)
        ly = height - 12
        parts.append(f'<rect class="chart-key-{key}" x="{lx}" y="{ly - 10}" width="14" height="11" '
                     f'rx="2"></rect>')
        parts.append(f'<text class="chart-legend" x="{lx + 20}" y="{ly}">{escape(line.name)}</text>')
        lx += 44 + 9 * len(line.name)
    parts.append('</svg>')
    return Markup("".join(parts))  # nosec B704: every text in it went through escape()
