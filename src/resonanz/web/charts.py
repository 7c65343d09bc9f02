"""One chart definition for the page and the PDF: Vega-Lite (Altair) rendered to SVG here.

Charts reach the browser as ``<img>`` data URIs, so nothing inside them (labels come from
posts) can ever run as script; every chart carries a table as its text alternative.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import altair as alt
import vl_convert

Kind = Literal["line", "bar", "stacked", "grouped", "heatmap", "network"]
WIDTH = 640
HEIGHT = 260
PALETTE = ["#2f6fdf", "#e0663a", "#2a9d74", "#b5449b", "#c9a227", "#5a6b7b", "#8c5a3c"]
SENTIMENT_COLORS = {"negative": "#d1495b", "neutral": "#9aa5b1", "positive": "#2a9d74"}
STANCE_COLORS = {"critic": "#d1495b", "neutral": "#9aa5b1", "supporter": "#2a9d74"}
#: A font that vl-convert measures the same way browsers and WeasyPrint draw it.
FONT = "DejaVu Sans"


@dataclass(frozen=True)
class Chart:
    """What to draw: rows of data and which fields go on which channel."""

    title: str
    kind: Kind
    rows: Sequence[Mapping[str, Any]]
    x: str
    y: str
    color: str | None = None
    x_title: str | None = None
    y_title: str | None = None
    edges: Sequence[Mapping[str, Any]] = field(default_factory=tuple)  # network only
    height: int = HEIGHT


@dataclass(frozen=True)
class Rendered:
    """A chart as SVG plus its table alternative."""

    title: str
    svg: str
    columns: list[str]
    rows: list[list[str]]

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URI for an ``<img>`` (scripts in it never run)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _scale(field_name: str | None) -> alt.Scale | Any:
    if field_name == "sentiment":
        return alt.Scale(domain=list(SENTIMENT_COLORS), range=list(SENTIMENT_COLORS.values()))
    if field_name == "stance":
        return alt.Scale(domain=list(STANCE_COLORS), range=list(STANCE_COLORS.values()))
    return alt.Scale(range=PALETTE)


def _color(chart: Chart) -> Any:
    if chart.color is None:
        return alt.value(PALETTE[0])
    return alt.Color(f"{chart.color}:N", scale=_scale(chart.color), title=chart.color)


def _network(chart: Chart, data: alt.Data) -> Any:
    """Draw nodes at given (x, y) with edges between them (layout is computed by the caller)."""
    axis_off = alt.Axis(labels=False, ticks=False, grid=False, domain=False, title=None)
    lines = alt.Data(values=[dict(e) for e in chart.edges])  # type: ignore[no-untyped-call]
    edges = (
        alt.Chart(lines)
        .mark_rule(color="#b8c2cc", opacity=0.7)
        .encode(
            x=alt.X("x:Q", axis=axis_off),
            y=alt.Y("y:Q", axis=axis_off),
            x2="x2:Q",
            y2="y2:Q",
        )
    )
    nodes = (
        alt.Chart(data)
        .mark_circle(opacity=0.9, stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("x:Q", axis=axis_off),
            y=alt.Y("y:Q", axis=axis_off),
            size=alt.Size("size:Q", legend=None, scale=alt.Scale(range=[30, 900])),
            color=_color(chart),
        )
    )
    labels = (
        alt.Chart(data)
        .transform_filter("datum.label != ''")
        .mark_text(dy=-12, fontSize=10, color="#243b53")
        .encode(x="x:Q", y="y:Q", text="label:N")
    )
    return alt.layer(edges, nodes, labels)


def to_altair(chart: Chart) -> Any:
    """Build the Altair chart of a :class:`Chart` (the single definition used everywhere)."""
    data = alt.Data(values=[dict(r) for r in chart.rows])  # type: ignore[no-untyped-call]
    base = alt.Chart(data)
    x_title = chart.x if chart.x_title is None else (chart.x_title or None)
    y_title = chart.y if chart.y_title is None else (chart.y_title or None)
    spec: Any
    if chart.kind == "line":
        # Points help on short series; on long ones they only slow the PDF down.
        spec = base.mark_line(point=len(chart.rows) <= 40, strokeWidth=2).encode(
            x=alt.X(f"{chart.x}:T", title=x_title),
            y=alt.Y(f"{chart.y}:Q", title=y_title),
            color=_color(chart),
        )
    elif chart.kind in ("bar", "stacked", "grouped"):
        spec = base.mark_bar().encode(
            y=alt.Y(f"{chart.x}:N", title=x_title, sort=None),
            x=alt.X(f"{chart.y}:Q", title=y_title, stack=True if chart.kind == "stacked" else None),
            color=_color(chart),
        )
        if chart.kind == "grouped" and chart.color:
            spec = spec.encode(yOffset=alt.YOffset(f"{chart.color}:N"))
    elif chart.kind == "heatmap":
        spec = base.mark_rect().encode(
            x=alt.X(f"{chart.x}:O", title=x_title),
            y=alt.Y(f"{chart.y}:O", title=y_title, sort=None),
            color=alt.Color(f"{chart.color}:Q", scale=alt.Scale(scheme="blues"), title=None),
        )
    else:
        spec = _network(chart, data)
    sized = spec.properties(title=chart.title, width=WIDTH, height=chart.height)
    return sized.configure_view(stroke=None).configure(font=FONT)


@lru_cache(maxsize=256)
def _svg(spec_json: str) -> str:
    return str(vl_convert.vegalite_to_svg(json.loads(spec_json)))


def _table(chart: Chart) -> tuple[list[str], list[list[str]]]:
    if chart.kind == "network":
        cols = ["label", "size"] + ([chart.color] if chart.color else [])
    else:
        cols = [c for c in (chart.x, chart.color, chart.y) if c]
    cols = list(dict.fromkeys(cols))
    body = [[_cell(row.get(c)) for c in cols] for row in chart.rows if row.get("label", "x") != ""]
    return cols, body


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def render(chart: Chart) -> Rendered:
    """Render a chart to SVG (cached by its spec) and build its table alternative."""
    spec = to_altair(chart).to_dict()
    svg = _svg(json.dumps(spec, sort_keys=True, default=str))
    cols, body = _table(chart)
    return Rendered(chart.title, svg, cols, body)
