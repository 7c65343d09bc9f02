"""Insights: one module per question a marketing team asks of the stored posts.

Each module has ``NAME`` and ``compute(con, params: InsightParams) -> result``, a frozen
dataclass with ``to_dict()`` (JSON) and ``rows()`` (its main table). The CLI, dashboard,
reports and alerts all consume the same results.
"""

from __future__ import annotations

from types import ModuleType

from resonanz.insights import (
    cascades,
    feedback,
    goals,
    influencers,
    response_times,
    sentiment,
    share_of_voice,
    timing,
    trends,
)
from resonanz.insights.params import InsightParams, post_filter

#: Every built-in insight by its command-line name.
INSIGHTS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        share_of_voice,
        sentiment,
        feedback,
        trends,
        influencers,
        cascades,
        timing,
        response_times,
        goals,
    )
}

__all__ = ["INSIGHTS", "InsightParams", "post_filter"]
