"""The analysis pages: each shows one or more insights over the chosen window."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import Response

from resonanz.web.charts import Rendered, render
from resonanz.web.context import web_context
from resonanz.web.graphs import Tree, cascade_tree, interaction_graph
from resonanz.web.i18n import translator
from resonanz.web.insight_charts import charts_for
from resonanz.web.library import Outcome, Window, run_insight
from resonanz.web.pages.common import window_of
from resonanz.web.present import Block, blocks
from resonanz.web.render import language, page


@dataclass(frozen=True)
class Spec:
    """One analysis page: its insights (name, heading key, extra parameters)."""

    title: str
    lead: str
    insights: tuple[tuple[str, str, dict[str, Any]], ...]


@dataclass
class Section:
    """One insight's part of a page."""

    heading: str
    outcome: Outcome | None = None
    charts: list[Rendered] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


PAGES: dict[str, Spec] = {
    "sentiment": Spec("nav.sentiment", "lead.sentiment", (("sentiment", "", {}),)),
    "feedback": Spec("nav.feedback", "lead.feedback", (("feedback", "", {}),)),
    "competitors": Spec("nav.competitors", "lead.competitors", (("share-of-voice", "", {}),)),
    "trends": Spec("nav.trends", "lead.trends", (("trends", "", {}),)),
    "leaders": Spec("nav.leaders", "lead.leaders", (("influencers", "", {}),)),
    "cascades": Spec("nav.cascades", "lead.cascades", (("cascades", "", {}),)),
}


def _sections(
    con: duckdb.DuckDBPyConnection, spec: Spec, window: Window, lang: str
) -> list[Section]:
    _ = translator(lang)
    out: list[Section] = []
    for name, heading, extra in spec.insights:
        outcome = run_insight(con, name, replace(window, extra=extra))
        section = Section(_(heading) if heading else "", outcome)
        if outcome.data is not None:
            section.charts = [render(c) for c in charts_for(name, outcome.data, _)]
            drawn = bool(section.charts)  # a drawn series keeps its table inside the chart
            section.blocks = blocks(outcome.data, charts=not drawn, series=not drawn)
        out.append(section)
    return out


async def _insight_page(request: Request, key: str, **extra: Any) -> Response:
    form, window, options = await window_of(request)
    lang = language(request)
    sections = await web_context(request).run(_sections, PAGES[key], window, lang)
    _ = translator(lang)
    spec = PAGES[key]
    return await page(
        request,
        extra.pop("template", "insight.html"),
        title=_(spec.title),
        lead=_(spec.lead),
        window=form,
        options=options,
        sections=sections,
        **extra,
    )


async def sentiment(request: Request) -> Response:
    """Show sentiment and emotions over time."""
    return await _insight_page(request, "sentiment")


async def feedback(request: Request) -> Response:
    """Show product feedback by aspect, ours and competitors'."""
    return await _insight_page(request, "feedback")


async def competitors(request: Request) -> Response:
    """Show share of voice against the competitors."""
    return await _insight_page(request, "competitors")


async def trends(request: Request) -> Response:
    """Show bursting terms and emerging topics."""
    return await _insight_page(request, "trends")


async def leaders(request: Request) -> Response:
    """Show the opinion leaders as a ranked table and the interaction graph."""
    form, window, _options = await window_of(request)
    _ = translator(language(request))
    graph = await web_context(request).run(
        interaction_graph, window.since, window.until, form.platform or None, _("leaders.graph")
    )
    return await _insight_page(
        request, "leaders", template="leaders.html", graph=render(graph) if graph else None
    )


def _tree(con: duckdb.DuckDBPyConnection, platform: str, root: str, title: str) -> Tree | None:
    return cascade_tree(con, platform, root, title) if platform and root else None


async def cascades(request: Request) -> Response:
    """Show cascade statistics and one cascade as a tree."""
    platform = request.query_params.get("cascade_platform", "")[:100]
    root = request.query_params.get("root", "")[:300]
    _ = translator(language(request))
    tree = await web_context(request).run(_tree, platform, root, _("cascades.tree"))
    return await _insight_page(
        request,
        "cascades",
        template="cascades.html",
        tree=tree,
        tree_chart=render(tree.chart) if tree and tree.chart else None,
        root=root,
        cascade_platform=platform,
    )


ROUTES = [
    ("/sentiment", "sentiment", sentiment, ["GET"]),
    ("/feedback", "feedback", feedback, ["GET"]),
    ("/competitors", "competitors", competitors, ["GET"]),
    ("/trends", "trends", trends, ["GET"]),
    ("/leaders", "leaders", leaders, ["GET"]),
    ("/cascades", "cascades", cascades, ["GET"]),
]
