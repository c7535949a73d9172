"""Charts as plain SVG text: a Pareto, a funnel plot and a trend line, no plotting library.

SVG is written by hand so that charts need no extra dependency and render offline in any
browser; the figures stay simple on purpose (a person should see the answer at a glance).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from denialscope.analytics.departments import DepartmentResult, funnel_limits
from denialscope.analytics.pareto import ParetoResult

__all__ = ["funnel_svg", "pareto_svg", "trend_svg"]

# Room below and to the right for root-cause ids written at 45 degrees (up to ~30 chars).
WIDTH, HEIGHT = 800, 480
LEFT, RIGHT, TOP, BOTTOM = 70, 110, 40, 170


def _frame(title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">'
    )
    title_text = f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">'
    return "\n".join(
        [
            head,
            '<rect width="100%" height="100%" fill="white"/>',
            f"{title_text}{escape(title)}</text>",
            *body,
            "</svg>\n",
        ]
    )


def _axes(y_max: float, y_label: str, *, percent: bool = False) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="black"/>',
        f'<text x="16" y="{TOP + plot_h / 2}" transform="rotate(-90 16 {TOP + plot_h / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>',
    ]
    for step in range(5):
        value = y_max * step / 4
        y = HEIGHT - BOTTOM - plot_h * step / 4
        text = f"{value:.0%}" if percent else f"{value:.3g}"
        out.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{text}</text>')
    return out


def _y(value: float, y_max: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return HEIGHT - BOTTOM - plot_h * (value / y_max if y_max else 0)


def pareto_svg(result: ParetoResult) -> str:
    """Bars per root cause (largest first) and the cumulative share line."""
    entries = result.entries[:20]
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(entries), 1)
    values = [float(e.claims if result.measure == "count" else e.dollars) for e in entries]
    y_max = max(values, default=1.0) or 1.0
    body = _axes(y_max, "claims" if result.measure == "count" else "denied dollars")
    points = []
    for i, (entry, value) in enumerate(zip(entries, values, strict=True)):
        x = LEFT + i * slot
        color = "#c0392b" if entry.in_vital_few else "#95a5a6"
        top = _y(value, y_max)
        body.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{top:.1f}" width="{slot * 0.8:.1f}" '
            f'height="{HEIGHT - BOTTOM - top:.1f}" fill="{color}"/>'
        )
        cx = x + slot / 2
        body.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 10}" transform="rotate(45 {cx:.1f} '
            f'{HEIGHT - BOTTOM + 10})">{escape(entry.root_cause)}</text>'
        )
        points.append(f"{cx:.1f},{_y(float(entry.cumulative_share), 1.0):.1f}")
    body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#2c3e50"/>')
    target_y = _y(float(result.target), 1.0)
    body.append(
        f'<line x1="{LEFT}" y1="{target_y:.1f}" x2="{WIDTH - RIGHT}" y2="{target_y:.1f}" '
        'stroke="#2c3e50" stroke-dasharray="4 3"/>'
    )
    title = f"Pareto of root causes: red = the vital few reaching {float(result.target):.0%}"
    return _frame(title, body)


def funnel_svg(results: Sequence[DepartmentResult]) -> str:
    """O/E against expected denials, with 95% and 99.8% funnel limits around 1."""
    shown = [r for r in results if r.expected > 0 and not math.isnan(r.ratio)]
    x_max = max((r.expected for r in shown), default=1.0) * 1.1
    y_max = max([2.0, *(r.ratio * 1.1 for r in shown)])
    plot_w = WIDTH - LEFT - RIGHT
    body = _axes(y_max, "observed / expected denials")

    def x_of(expected: float) -> float:
        return LEFT + plot_w * expected / x_max

    for key, dash in (("95", "4 3"), ("998", "1 3")):
        for side in ("lower", "upper"):
            points = []
            for step in range(1, 101):
                e = x_max * step / 100
                limit = funnel_limits(e)[f"{side}_{key}"]
                points.append(f"{x_of(e):.1f},{_y(min(limit, y_max), y_max):.1f}")
            body.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="#7f8c8d" '
                f'stroke-dasharray="{dash}"/>'
            )
    one = _y(1.0, y_max)
    body.append(
        f'<line x1="{LEFT}" y1="{one:.1f}" x2="{WIDTH - RIGHT}" y2="{one:.1f}" stroke="black"/>'
    )
    for r in shown:
        color = {"high": "#c0392b", "low": "#27ae60"}.get(r.flag, "#2c3e50")
        x, y = x_of(r.expected), _y(r.ratio, y_max)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"/>')
        body.append(f'<text x="{x + 6:.1f}" y="{y - 4:.1f}">{escape(r.department)}</text>')
    body.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - BOTTOM + 30}" text-anchor="middle">'
        "expected denials (case mix)</text>"
    )
    return _frame("Departments: case-mix adjusted O/E with funnel limits", body)


def trend_svg(rows: Sequence[dict[str, Any]]) -> str:
    """The initial denial rate per period as a line."""
    key = next(iter(rows[0])) if rows else "month"
    values = [float(r.get("initial_denial_rate") or 0.0) for r in rows]
    y_max = max([*values, 0.01]) * 1.2
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(len(rows), 1)
    body = _axes(y_max, "initial denial rate", percent=True)
    points = []
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        cx = LEFT + i * slot + slot / 2
        points.append(f"{cx:.1f},{_y(value, y_max):.1f}")
        body.append(
            f'<text x="{cx:.1f}" y="{HEIGHT - BOTTOM + 10}" transform="rotate(45 {cx:.1f} '
            f'{HEIGHT - BOTTOM + 10})">{escape(str(row.get(key)))}</text>'
        )
    body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#c0392b"/>')
    return _frame("Initial denial rate", body)
