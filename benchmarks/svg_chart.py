"""Grouped bar charts as SVG, written by hand (matplotlib is not a dependency of the project)."""

from __future__ import annotations

from html import escape
from pathlib import Path

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def bar_chart(
    path: Path,
    title: str,
    groups: list[str],
    series: dict[str, list[float]],
    ylabel: str,
    subtitle: str = "",
) -> None:
    """One group of bars per entry of ``groups``, one bar per series, each labelled."""
    width, height = max(640, 90 * len(groups) + 120), 420
    left, right, top, bottom = 70, 20, 60, 90
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for values in series.values() for v in values), default=1.0) or 1.0
    group_w = plot_w / max(1, len(groups))
    bar_w = group_w * 0.8 / max(1, len(series))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{escape(title)}</text>',
        f'<text x="{width / 2}" y="38" text-anchor="middle" fill="#555">{escape(subtitle)}</text>',
    ]
    for step in range(6):  # gridlines and the y axis's labels
        value = peak * step / 5
        y = top + plot_h - plot_h * step / 5
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y}" y2="{y}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 5}" y="{y + 4}" text-anchor="end">{value:,.0f}</text>')
    out.append(
        f'<text x="15" y="{top + plot_h / 2}" transform="rotate(-90 15 {top + plot_h / 2})" '
        f'text-anchor="middle">{escape(ylabel)}</text>'
    )
    for g, group in enumerate(groups):
        x0 = left + g * group_w + group_w * 0.1
        for s, (_name, values) in enumerate(series.items()):
            value = values[g]
            h = plot_h * value / peak
            x, y = x0 + s * bar_w, top + plot_h - h
            colour = COLOURS[s % len(COLOURS)]
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.95:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
        for line, text in enumerate(group.split("\n")):
            out.append(
                f'<text x="{left + (g + 0.5) * group_w:.1f}" y="{top + plot_h + 15 + 13 * line}" '
                f'text-anchor="middle">{escape(text)}</text>'
            )
    legend_y = height - 22
    for s, name in enumerate(series):
        x = left + s * 170
        colour = COLOURS[s % len(COLOURS)]
        out.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{legend_y}">{escape(name)}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n")
