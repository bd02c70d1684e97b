"""Bar charts as inline SVG, drawn on the server: no script, no CDN, readable offline and printed.

Pure functions of the figures; the result is markup safe to put in a page (labels escaped).
"""
from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP = 36, 28, 14


def stacked_bars(days: list[str], series: list[tuple[str, str, list[int]]], title: str) -> str:
    """One bar per day, stacked by series (name, colour, one value per day), with a legend.

    `days` are the x labels ("1/10"); every series has len(days) values, each >= 0.
    """
    totals = [sum(values[i] for _, _, values in series) for i in range(len(days))]
    top = _nice_ceiling(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(days), 1)
    bar = max(4.0, slot * 0.6)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 24}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for step in range(5):  # grid lines and their values
        value = top * step // 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#555">{value}</text>')
    for i, day in enumerate(days):
        x = LEFT + slot * i + (slot - bar) / 2
        y = TOP + plot_h
        for name, colour, values in series:
            if values[i] <= 0:
                continue
            h = plot_h * values[i] / top
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{escape(day)}: {escape(name)} {values[i]}</title></rect>')
        if totals[i]:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11">'
                         f'{totals[i]}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#333">{escape(day)}</text>')
    x = LEFT
    for name, colour, _ in series:  # the legend, under the axis
        parts.append(f'<rect x="{x}" y="{HEIGHT + 8}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{HEIGHT + 18}" font-size="12">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _nice_ceiling(value: int) -> int:
    """The axis top: four equal, round steps reaching at least `value`."""
    step = max(1, -(-value // 4))
    magnitude = 10 ** (len(str(step)) - 1)
    for nice in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = nice * magnitude
        if candidate >= step and candidate == int(candidate):
            return int(candidate) * 4
    raise AssertionError("unreachable: 10 * magnitude >= step")
