"""Charts drawn on the server as inline SVG (no JavaScript): horizontal bars and lines.

Each chart is `role="img"` with a <title> and <desc> it is labelled by; every mark
carries its number in `data-value` and a <title> (a tooltip), and the page puts a data
table beside the chart for screen readers. Text (OPD names) is escaped here, once.
Sizes are in viewBox units, so the chart scales to 320 px and prints.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

_ids = itertools.count(1)
COLOURS = ("#1d70b8", "#00703c", "#8a5a00")  # dark enough on white; series also differ by dash
DASHES = ("", "6 3", "2 3")


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # numbers, one per label


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    n = next(_ids)
    head = (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="chart-{n}-t chart-{n}-d" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="chart-{n}-t">{escape(title)}</title><desc id="chart-{n}-d">{escape(desc)}</desc>')
    return head, "</svg>"


def bars(title: str, desc: str, labels: list[str], values: list, shown: list[str],
         target: Decimal | int | None = None, target_label: str = "", maximum: Decimal | int | None = None) -> Markup:
    """Horizontal bars, one per label; `shown` is each value as the page writes it. A
    dashed vertical line marks `target` when given."""
    row, label_w, bar_w, width = 22, 150, 210, 440
    height = row * len(labels) + 24
    top = max([*(v or 0 for v in values), target or 0, maximum or 0, 1])
    head, tail = _open(width, height, title, desc)
    parts = [head]
    for i, (label, value, text) in enumerate(zip(labels, values, shown)):
        y = i * row + 4
        w = round(float(value or 0) / float(top) * bar_w, 1)
        short = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<text x="{label_w - 4}" y="{y + 14}" text-anchor="end" font-size="11">{escape(short)}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="{row - 8}" fill="{COLOURS[0]}" '
                     f'data-value="{escape(str(value if value is not None else ""))}">'
                     f'<title>{escape(label)}: {escape(text)}</title></rect>'
                     f'<text x="{label_w + w + 4}" y="{y + 14}" font-size="11">{escape(text)}</text>')
    if target is not None:
        x = label_w + round(float(target) / float(top) * bar_w, 1)
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height - 14}" stroke="#b10e1e" stroke-dasharray="4 3"/>'
                     f'<text x="{x}" y="{height - 2}" font-size="11" text-anchor="middle">{escape(target_label)}</text>')
    parts.append(tail)
    return Markup("".join(parts))  # nosec B704  # every text inside went through escape() above


def lines(title: str, desc: str, labels: list[str], series: list[Series]) -> Markup:
    """Lines over `labels` (months), one per series, with a legend; values start at zero."""
    width, height, left, bottom, top_pad = 440, 200, 60, 40, 10
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max([v or 0 for s in series for v in s.values] + [1])
    step = plot_w / max(len(labels) - 1, 1)
    head, tail = _open(width, height, title, desc)
    parts = [head, f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" '
                   f'stroke="#505a5f"/>',
             f'<text x="{left - 4}" y="{top_pad + 8}" font-size="10" text-anchor="end">{escape(_short(top))}</text>',
             f'<text x="{left - 4}" y="{top_pad + plot_h}" font-size="10" text-anchor="end">0</text>']
    for i, label in enumerate(labels):
        parts.append(f'<text x="{round(left + i * step, 1)}" y="{top_pad + plot_h + 14}" font-size="10" '
                     f'text-anchor="middle">{escape(label)}</text>')
    for k, s in enumerate(series):
        points = [(round(left + i * step, 1), round(top_pad + plot_h - float(v or 0) / float(top) * plot_h, 1))
                  for i, v in enumerate(s.values)]
        colour, dash = COLOURS[k % len(COLOURS)], DASHES[k % len(DASHES)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" '
                     f'points="{" ".join(f"{x},{y}" for x, y in points)}"/>')
        for (x, y), v, label in zip(points, s.values, labels):
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}" data-value="{escape(str(v))}">'
                         f'<title>{escape(s.name)}, {escape(label)}: {escape(str(v))}</title></circle>')
        lx = left + k * 125
        parts.append(f'<line x1="{lx}" y1="{height - 8}" x2="{lx + 18}" y2="{height - 8}" stroke="{colour}" '
                     f'stroke-width="2" stroke-dasharray="{dash}"/>'
                     f'<text x="{lx + 22}" y="{height - 4}" font-size="10">{escape(s.name)}</text>')
    parts.append(tail)
    return Markup("".join(parts))  # nosec B704  # every text inside went through escape() above


def _short(amount) -> str:
    """The axis top in short rupiah: 1,2 M (miliar), 350 jt (juta)."""
    value = float(amount)
    if value >= 1e9:
        return f"{value / 1e9:.1f} M".replace(".", ",")
    if value >= 1e6:
        return f"{value / 1e6:.0f} jt"
    return f"{value:.0f}"
