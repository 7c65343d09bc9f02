"""Turn any insight result (plain JSON-like data) into page blocks: figures, tables, charts.

Insight results differ in shape; this reads their structure (numbers become key figures,
lists of records become tables, time series become line charts) so that every insight can
be shown, in the dashboard and in reports, by the same few templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from resonanz.web.charts import Chart, Rendered, render

MAX_ROWS = 25
MAX_COLUMNS = 8
TIME_KEYS = ("date", "day", "week", "bucket", "period", "time", "start", "hour_start", "ts")
LABEL_KEYS = ("label", "name", "topic", "term", "category", "aspect", "author", "handle", "key")
_HIDDEN = {"raw", "params", "window", "query"}


@dataclass
class Block:
    """One piece of a page: key figures, a table, a chart, or a titled group of blocks."""

    kind: str  # figures | table | chart | text | group
    title: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    chart: Rendered | None = None
    text: str = ""
    children: list[Block] = field(default_factory=list)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value[:6]) + (" …" if len(value) > 6 else "")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_fmt(v)}" for k, v in list(value.items())[:6])
    text = str(value)
    if len(text) >= 19 and text[4:5] == "-" and text[10:11] == "T":
        return text[:16].replace("T", " ")
    return text if len(text) <= 280 else text[:279] + "…"


def _title(key: str) -> str:
    return key.replace("_", " ").replace("-", " ").strip().capitalize()


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def table(records: Sequence[Mapping[str, Any]], title: str = "", max_rows: int = MAX_ROWS) -> Block:
    """Make a table block of records (the first columns, the first rows)."""
    columns: list[str] = []
    for rec in records[:max_rows]:
        for key in rec:
            if key not in columns and key not in _HIDDEN and len(columns) < MAX_COLUMNS:
                columns.append(key)
    rows = [[_fmt(rec.get(c)) for c in columns] for rec in records[:max_rows]]
    return Block("table", title=title, columns=[_title(c) for c in columns], rows=rows)


def time_chart(records: Sequence[Mapping[str, Any]], title: str) -> Block | None:
    """Make a line chart of records with a time key and numbers (one line per label/number)."""
    first = records[0]
    tkey = next((k for k in TIME_KEYS if k in first), None)
    if tkey is None:
        return None
    label = next((k for k in LABEL_KEYS if isinstance(first.get(k), str)), None)
    numbers = [
        k
        for k, v in first.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k != tkey
    ]
    if not numbers:
        return None
    rows: list[dict[str, Any]] = []
    for rec in records[:2000]:
        for num in numbers[:1] if label else numbers[:4]:
            series = str(rec.get(label)) if label else _title(num)
            rows.append({"time": rec.get(tkey), "value": rec.get(num), "series": series})
    chart = Chart(title, "line", rows, "time", "value", color="series", x_title="", y_title="")
    return Block("chart", title=title, chart=render(chart))


def bar_chart(records: Sequence[Mapping[str, Any]], title: str) -> Block | None:
    """Make a bar chart of records with a label and a number."""
    first = records[0]
    label = next((k for k in LABEL_KEYS if isinstance(first.get(k), str)), None)
    num = next(
        (k for k, v in first.items() if isinstance(v, int | float) and not isinstance(v, bool)),
        None,
    )
    if label is None or num is None:
        return None
    rows = [{"label": str(r.get(label)), "value": r.get(num)} for r in records[:15]]
    chart = Chart(title, "bar", rows, "label", "value", x_title="", y_title=_title(num))
    return Block("chart", title=title, chart=render(chart))


def _is_series(records: Sequence[Mapping[str, Any]]) -> bool:
    return any(k in records[0] for k in TIME_KEYS)


def blocks(
    data: Mapping[str, Any],
    *,
    depth: int = 0,
    charts: bool = True,
    max_rows: int = MAX_ROWS,
    series: bool = True,
) -> list[Block]:
    """Lay out a result: its numbers as figures, its lists as tables and charts.

    ``series=False`` leaves out tables of time series (for reports, whose charts show them).
    """
    out: list[Block] = []
    figures = [(_title(k), _fmt(v)) for k, v in data.items() if _scalar(v) and k not in _HIDDEN]
    if figures:
        out.append(Block("figures", figures=figures))
    for key, value in data.items():
        if key in _HIDDEN:
            continue
        if _is_records(value):
            if not series and _is_series(value):
                continue
            if charts:
                chart = time_chart(value, _title(key)) or (
                    bar_chart(value, _title(key)) if depth == 0 else None
                )
                if chart is not None:
                    out.append(chart)
            out.append(table(value, _title(key), max_rows))
        elif isinstance(value, dict) and value and depth < 2:
            children = blocks(
                value, depth=depth + 1, charts=charts, max_rows=max_rows, series=series
            )
            if children:
                out.append(Block("group", title=_title(key), children=children))
        elif isinstance(value, list) and value and all(_scalar(v) for v in value):
            out.append(Block("text", title=_title(key), text=_fmt(value)))
    return out
