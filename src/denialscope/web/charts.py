"""Plotly figures of the leaders' pages, built in Python and drawn by app.js.

Each builder returns the figure's JSON (``fig.to_json()``) for a
``<script type="application/json">`` block. Values are shown the finance way in the hover
text (``$1,234``, ``14.2%``); a point whose ``customdata`` is a site path opens it on click
(the drill-down). Colours are the streams' colours of app.css.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

import plotly.graph_objects as go  # type: ignore[import-untyped]  # no type hints shipped

from denialscope.analytics.dashboard import NetPareto, StreamSummary
from denialscope.analytics.departments import Z95, Z998, DepartmentResult
from denialscope.analytics.pareto import ParetoEntry
from denialscope.analytics.trends import TrendPoint

__all__ = [
    "STREAM_COLORS",
    "funnel_figure",
    "pareto_figure",
    "stream_figure",
    "trend_figure",
]

STREAM_COLORS: Final = {
    "clinical": "#6941c6",
    "coding": "#0b5cad",
    "access": "#b54708",
    "billing": "#067647",
}
VITAL: Final = "#b42318"
OTHER: Final = "#8c959f"
FONT: Final = {"family": "system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif"}


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "font": FONT,
        "margin": {"l": 70, "r": 70, "t": 50, "b": 60},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"bgcolor": "#ffffff"},
        # Above the plot: below, it would cover the x axis' title and long tick labels.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
    }
    base.update(extra)
    return base


def _label(text: str) -> str:
    return text.replace("_", " ")


def pareto_figure(view: NetPareto, link: Callable[[ParetoEntry], str]) -> str:
    """Bars (claims or charges, by the measure) with the cumulative share on a second axis;
    the vital few in red, the target as a dashed line."""
    result = view.result
    entries = result.entries
    by_count = result.measure == "count"
    names = [_label(e.root_cause) for e in entries]
    values = [float(e.claims if by_count else e.dollars) for e in entries]
    colours = [VITAL if e.in_vital_few else OTHER for e in entries]
    hover = (
        "<b>%{x}</b><br>%{customdata[1]:,} claims<br>$%{customdata[2]:,.2f} denied charges"
        "<br>$%{customdata[3]:,.2f} expected net<br>%{customdata[4]:.1%} cumulative"
        "<extra>click for the claims</extra>"
    )
    custom = [
        [link(e), int(e.claims), float(e.dollars), float(view.net_of(e)), float(e.cumulative_share)]
        for e in entries
    ]
    figure = go.Figure()
    figure.add_bar(
        x=names, y=values, marker_color=colours, customdata=custom, hovertemplate=hover,
        name="claims" if by_count else "denied charges",
    )  # fmt: skip
    figure.add_scatter(
        x=names,
        y=[float(e.cumulative_share) for e in entries],
        yaxis="y2",
        mode="lines+markers",
        name="cumulative share",
        line={"color": "#1b1f24"},
        customdata=custom,
        hovertemplate="%{x}: %{y:.1%} cumulative<extra></extra>",
    )
    target = float(result.target)
    figure.update_layout(
        _layout(
            yaxis={
                "title": {"text": "Claims denied" if by_count else "Denied charges"},
                "tickformat": ",d" if by_count else "$,.0f",
                "rangemode": "tozero",
            },
            yaxis2={
                "title": {"text": "Cumulative share"},
                "overlaying": "y",
                "side": "right",
                "range": [0, 1.05],
                "tickformat": ".0%",
                "dtick": 0.25,
                "showgrid": False,
            },
            xaxis={
                "title": {"text": "Root cause (vital few in red)"},
                "tickangle": 0 if len(entries) <= 6 else -35,
                "automargin": True,
            },
            shapes=[
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "yref": "y2",
                    "y0": target,
                    "y1": target,
                    "line": {"dash": "dash", "color": VITAL},
                }
            ],
            annotations=[
                {
                    "xref": "paper",
                    "x": 1,
                    "yref": "y2",
                    "y": target,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "text": f"target {target:.0%}",
                    "font": {"color": VITAL},
                }
            ],
        )
    )
    return str(figure.to_json())


def _rate(count: int, claims: int) -> float:
    return count / claims if claims else math.nan


def trend_figure(points: Sequence[TrendPoint], link: Callable[[str], str]) -> str:
    """Per month: the initial denial rate and each stream's rate (its denials ÷ claims
    adjudicated); months with too few claims are left out, as in ``report trends``."""
    shown = [p for p in points if p.enough_data]
    months = [p.period for p in shown]
    custom = [link(p.period) for p in shown]
    figure = go.Figure()
    figure.add_scatter(
        x=months,
        y=[float(p.initial_denial_rate or 0) for p in shown],
        name="all streams",
        mode="lines+markers",
        line={"color": "#1b1f24", "width": 3},
        customdata=custom,
        hovertemplate="%{x}: %{y:.1%} initial denial rate<extra>all streams</extra>",
    )
    streams = sorted({s for p in shown for s in p.stream_denials})
    for stream in (s for s in STREAM_COLORS if s in streams):
        figure.add_scatter(
            x=months,
            y=[_rate(p.stream_denials.get(stream, 0), p.claims_adjudicated) for p in shown],
            name=stream,
            mode="lines+markers",
            line={"color": STREAM_COLORS[stream]},
            customdata=custom,
            hovertemplate=f"%{{x}}: %{{y:.1%}} denied ({stream})<extra></extra>",
        )
    figure.update_layout(
        _layout(
            yaxis={"title": {"text": "Claims denied ÷ adjudicated"}, "tickformat": ".0%",
                   "rangemode": "tozero"},
            xaxis={"title": {"text": "Submission month"}, "type": "category"},
        )
    )  # fmt: skip
    return str(figure.to_json())


def stream_figure(streams: Sequence[StreamSummary], link: Callable[[str], str]) -> str:
    """Denied dollars per stream on both bases, side by side (click: the stream's claims)."""
    names = [s.stream for s in streams]
    custom = [link(s.stream) for s in streams]
    figure = go.Figure()
    for basis, values, opacity in (
        ("denied charges", [float(s.denied_charges) for s in streams], 0.55),
        ("expected net", [float(s.denied_net) for s in streams], 1.0),
    ):
        figure.add_bar(
            x=names, y=values, name=basis, customdata=custom, opacity=opacity,
            marker_color=[STREAM_COLORS.get(n, OTHER) for n in names],
            hovertemplate=f"%{{x}}: $%{{y:,.0f}} {basis}<extra>click for the claims</extra>",
        )  # fmt: skip
    figure.update_layout(
        _layout(
            barmode="group",
            yaxis={"title": {"text": "Denied dollars"}, "tickformat": "$,.0f"},
            xaxis={"title": {"text": "Stream (light: charges, dark: expected net)"}},
            showlegend=False,
        )
    )
    return str(figure.to_json())


def funnel_figure(results: Sequence[DepartmentResult], link: Callable[[str], str]) -> str:
    """Funnel plot: O/E against expected denials with the 95% and 99.8% limits around 1."""
    # Below one expected denial the limits are meaningless (the table still lists them).
    drawn = [r for r in results if r.expected >= 1 and not math.isnan(r.ratio)]
    top = max((r.expected for r in drawn), default=10.0) * 1.1
    xs = [top * i / 200 for i in range(1, 201)]
    figure = go.Figure()
    for z, name, dash in ((Z95, "95% limits", "dash"), (Z998, "99.8% limits", "dot")):
        for sign in (1, -1):
            figure.add_scatter(
                x=xs, y=[max(0.0, 1 + sign * z / math.sqrt(x)) for x in xs], mode="lines",
                name=name, showlegend=sign == 1, legendgroup=name, hoverinfo="skip",
                line={"color": "#4a5562", "dash": dash, "width": 1},
            )  # fmt: skip
    colours = {"high": VITAL, "low": "#067647", "": "#0b5cad"}
    figure.add_scatter(
        x=[r.expected for r in drawn],
        y=[r.ratio for r in drawn],
        mode="markers+text",
        text=[r.department for r in drawn],
        textposition="top center",
        marker={"size": 11, "color": [colours.get(r.flag, "#0b5cad") for r in drawn]},
        name="departments",
        showlegend=False,
        customdata=[
            [link(r.department), r.encounters, float(r.per_1000), r.flag or "within limits"]
            for r in drawn
        ],
        hovertemplate=(
            "<b>%{text}</b><br>O/E %{y:.2f}<br>expected %{x:,.1f} denials<br>"
            "%{customdata[1]:,} encounters<br>%{customdata[2]:,.1f} per 1,000<br>"
            "%{customdata[3]}<extra>click for the claims</extra>"
        ),
    )
    figure.add_hline(y=1, line={"color": "#1b1f24", "width": 1})
    figure.update_layout(
        _layout(
            xaxis={"title": {"text": "Expected denials (case-mix model)"}, "rangemode": "tozero"},
            yaxis={"title": {"text": "Observed ÷ expected (O/E)"}, "rangemode": "tozero",
                   "range": [0, max([2.0, *(r.ratio * 1.15 for r in drawn)])]},
        )
    )  # fmt: skip
    return str(figure.to_json())
