"""Charts made for particular insights (the generic layout in ``present`` covers the rest)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from resonanz.web.charts import Chart
from resonanz.web.i18n import Translate

ChartMaker = Callable[[Mapping[str, Any], Translate], list[Chart]]
Rows = Sequence[Mapping[str, Any]]
SENTIMENTS = ("negative", "neutral", "positive")


def _melt(
    rows: Rows, key: str, fields: Sequence[str], name: str = "series"
) -> list[dict[str, Any]]:
    """Turn wide rows into long rows: one per (row, field)."""
    return [{key: r.get(key), name: f, "value": r.get(f)} for r in rows for f in fields]


def share_of_voice(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw share per topic, volume over time, and the sentiment split per topic."""
    totals: Rows = data["totals"]
    charts = [
        Chart(_("chart.share"), "bar", totals, "topic", "share", x_title="", y_title="share"),
        Chart(
            _("chart.sentiment_split"),
            "stacked",
            _melt(totals, "topic", SENTIMENTS, "sentiment"),
            "topic",
            "value",
            color="sentiment",
            x_title="",
            y_title=_("chart.posts"),
        ),
    ]
    if data.get("over_time"):
        charts.insert(
            1,
            Chart(
                _("chart.volume_topics"),
                "line",
                data["over_time"],
                "bucket",
                "posts",
                color="topic",
                x_title="",
                y_title=_("chart.posts"),
            ),
        )
    return charts


def sentiment(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw posts per sentiment over time and the emotions' totals."""
    charts = []
    if data.get("series"):
        charts.append(
            Chart(
                _("chart.sentiment_time"),
                "line",
                _melt(data["series"], "bucket", SENTIMENTS, "sentiment"),
                "bucket",
                "value",
                color="sentiment",
                x_title="",
                y_title=_("chart.posts"),
            )
        )
    emotions = data["totals"].get("emotions") or {}
    rows = [{"emotion": k, "posts": v} for k, v in emotions.items() if k != "none"]
    if rows:
        charts.append(
            Chart(
                _("chart.emotions"),
                "bar",
                rows,
                "emotion",
                "posts",
                x_title="",
                y_title=_("chart.posts"),
                height=180,
            )
        )
    return charts


def feedback(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw aspects by mentions and negativity, and ours against the competitors'."""
    aspects: Rows = data["aspects"]
    charts = [
        Chart(
            _("chart.aspects"),
            "stacked",
            _melt(aspects[:15], "category", ("negative", "positive"), "sentiment"),
            "category",
            "value",
            color="sentiment",
            x_title="",
            y_title=_("chart.posts"),
        )
    ]
    comparison: Rows = data.get("comparison") or []
    if comparison:
        shares = [k for k in comparison[0] if k.endswith("_negative_share")]
        rows = [
            {
                "category": r["category"],
                "who": k.removesuffix("_negative_share"),
                "negative_share": r.get(k),
            }
            for r in comparison
            for k in shares
        ]
        charts.append(
            Chart(
                _("chart.compare_aspects"),
                "grouped",
                rows,
                "category",
                "negative_share",
                color="who",
                x_title="",
                y_title="negative share",
            )
        )
    return charts


def influencers(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw the top opinion leaders by influence, coloured by stance."""
    leaders: Rows = data["leaders"][:15]
    rows = [
        {"handle": r["handle"], "pagerank": r["pagerank"], "stance": r.get("stance") or "?"}
        for r in leaders
    ]
    return (
        [
            Chart(
                _("chart.leaders"),
                "bar",
                rows,
                "handle",
                "pagerank",
                color="stance",
                x_title="",
                y_title="PageRank",
            )
        ]
        if rows
        else []
    )


def cascades(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw the largest cascades by structural virality."""
    rows = [
        {
            "cascade": f"{c['root_author']} · {c['root_native_id']}",
            "virality": c["structural_virality"],
            "size": c["size"],
        }
        for c in data["cascades"][:12]
    ]
    return (
        [
            Chart(
                _("chart.cascades"),
                "bar",
                rows,
                "cascade",
                "virality",
                x_title="",
                y_title=_("chart.virality"),
            )
        ]
        if rows
        else []
    )


def timing(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw the best-time heatmap (weekday × hour) per network."""
    charts = []
    for group in data["networks"]:
        charts.append(
            Chart(
                f"{_('calendar.best_times')} · {group['platform']}",
                "heatmap",
                group["grid"],
                "hour",
                "weekday",
                color="expected_engagement",
                x_title=_("chart.hour"),
                y_title="",
                height=180,
            )
        )
    return charts


def goals(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw the three goals over time."""
    series: Rows = data["series"]
    if not series:
        return []
    groups = (
        ("goal.awareness", ("mentions",)),
        ("goal.retention", ("own_engagement",)),
        ("goal.acquisition", ("purchase_intent", "new_followers", "conversions")),
    )
    return [
        Chart(
            _(title),
            "line",
            _melt(series, "bucket", fields),
            "bucket",
            "value",
            color="series",
            x_title="",
            y_title="",
            height=150,
        )
        for title, fields in groups
    ]


def response_times(data: Mapping[str, Any], _: Translate) -> list[Chart]:
    """Draw the median response time per network."""
    rows = [r for r in data.get("by_network") or [] if r.get("median_minutes") is not None]
    return (
        [
            Chart(
                _("chart.response"),
                "bar",
                rows,
                "network",
                "median_minutes",
                x_title="",
                y_title=_("chart.minutes"),
                height=140,
            )
        ]
        if rows and "network" in rows[0]
        else []
    )


#: Insight name → function that draws its result.
MAKERS: dict[str, ChartMaker] = {
    "share-of-voice": share_of_voice,
    "sentiment": sentiment,
    "feedback": feedback,
    "influencers": influencers,
    "cascades": cascades,
    "timing": timing,
    "goals": goals,
    "response-times": response_times,
}


def charts_for(name: str, data: Mapping[str, Any], translate: Translate) -> list[Chart]:
    """Return the charts drawn for insight ``name``'s result (none: use the generic layout)."""
    maker = MAKERS.get(name)
    if maker is None:
        return []
    try:
        return maker(data, translate)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        # A result of another shape than expected falls back to the generic layout.
        return []
