"""Charts as server-side SVG strings: no JavaScript, fine under the CSP, the same in the PDF.

Pure functions of plain data; the caller formats numbers for the user's locale. Every text
is escaped. Presentation attributes (fill, width) rather than style attributes, which the
CSP forbids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

STATUS_COLOURS = {"met": "#1b7a3a", "near": "#a15c00", "behind": "#b3261e", "none": "#8a8f94"}
#: distinguishable in colour-blindness simulations, and each line also has its own marker
SERIES_COLOURS = ("#0b57d0", "#e8710a", "#7b1fa2", "#1b7a3a")
MARKERS = ("circle", "square", "diamond", "triangle")
WIDTH = 320


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float | None  # None: no baseline (drawn as an empty track)
    target: float | None  # percent target, drawn as a tick
    status: str
    text: str  # e.g. "72,5% · mục tiêu 80%"


def _svg(height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" '
        f'height="{height:g}" role="img" font-family="sans-serif" font-size="14">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def bar_chart(bars: Sequence[Bar], title: str) -> str:
    """Horizontal bars from 0 to 100%, one per indicator, coloured by status, with the target as a tick."""
    # text 14 px at the chart's own width, the smallest a phone shows without zooming (WCAG checks in
    # tests/test_browser_a11y.py); the label and the figures get a line each so they never overlap
    left, track, row = 2, WIDTH - 4, 58
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = i * row + 4
        body.append(f'<text x="{left}" y="{y + 12}" fill="#1a1a1a">{escape(bar.label)}</text>')
        body.append(f'<text x="{left}" y="{y + 29}" fill="#333">{escape(bar.text)}</text>')
        body.append(f'<rect x="{left}" y="{y + 35}" width="{track}" height="14" rx="3" fill="#eceff1"/>')
        if bar.percent is not None:
            width = track * min(max(bar.percent, 0.0), 100.0) / 100
            body.append(f'<rect x="{left}" y="{y + 35}" width="{width:.1f}" height="14" rx="3" '
                        f'fill="{STATUS_COLOURS.get(bar.status, STATUS_COLOURS["none"])}"/>')
        if bar.target is not None:
            x = left + track * min(bar.target, 100.0) / 100
            body.append(f'<line x1="{x:.1f}" y1="{y + 32}" x2="{x:.1f}" y2="{y + 52}" stroke="#1a1a1a" '
                        f'stroke-width="2"/>')
    return _svg(len(bars) * row + 6, title, body)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]  # one per month from January, as far as the report goes


def _nice_max(value: int) -> int:
    """A round top for the axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 1
    while power * 10 <= value:
        power *= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if kind == "diamond":
        return f'<path d="M{x:.1f} {y - 4:.1f}l4 4-4 4-4-4z" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f} {y - 4:.1f}l4 7h-8z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'


def trend_chart(series: Sequence[Series], month_labels: Sequence[str], title: str,
                number: Callable[[int], str] = str) -> str:
    """Cumulative covered persons at the end of each month: one line per audience, a legend below."""
    left, right, top, plot_h = 64, WIDTH - 12, 8, 150
    top_value = _nice_max(max((v for s in series for v in s.values), default=0))
    step = (right - left) / max(len(month_labels) - 1, 1)

    def y_of(value: int) -> float:
        return top + plot_h - plot_h * value / top_value

    body = []
    for fraction in (0, 0.5, 1):
        y = y_of(int(top_value * fraction))
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#d0d5da"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
                    f"{escape(number(int(top_value * fraction)))}</text>")
    every = 1 if len(month_labels) <= 6 else 2  # 14 px labels: every other month when the year is long
    for i, label in enumerate(month_labels):
        if i % every:
            continue
        body.append(f'<text x="{left + i * step:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                    f'fill="#555">{escape(label)}</text>')
    for index, line in enumerate(series):
        colour, marker = SERIES_COLOURS[index % 4], MARKERS[index % 4]
        points = [(left + i * step, y_of(v)) for i, v in enumerate(line.values)]
        if len(points) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body.extend(_marker(marker, x, y, colour) for x, y in points)
    legend_top = top + plot_h + 26
    for index, line in enumerate(series):  # one per line: audience names are long at 14 px
        x, y = 4, legend_top + index * 20
        body.append(_marker(MARKERS[index % 4], x + 4, y + 7, SERIES_COLOURS[index % 4]))
        body.append(f'<text x="{x + 14}" y="{y + 12}" fill="#1a1a1a">{escape(line.label)}</text>')
    return _svg(legend_top + len(series) * 20 + 4, title, body)
