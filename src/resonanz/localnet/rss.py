"""A local site with an RSS 2.0 and an Atom feed, conditional GET and feed autodiscovery.

``state.posts`` holds entries as dicts (``id``, ``title``, ``link``, ``summary``,
``published`` as an aware datetime, ``author``), oldest first.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from resonanz.localnet.state import NetworkState, gate

FEED_SIZE = 50


def _rss(entries: list[dict[str, Any]], base: str) -> str:
    items = []
    for e in entries:
        parts = [f"<title>{escape(str(e.get('title') or ''))}</title>"] if e.get("title") else []
        if e.get("link"):
            parts.append(f"<link>{escape(str(e['link']))}</link>")
        if e.get("id"):
            parts.append(f'<guid isPermaLink="false">{escape(str(e["id"]))}</guid>')
        if e.get("summary"):
            parts.append(f"<description>{escape(str(e['summary']))}</description>")
        if e.get("published"):
            parts.append(f"<pubDate>{format_datetime(e['published'])}</pubDate>")
        if e.get("author"):
            parts.append(f"<dc:creator>{escape(str(e['author']))}</dc:creator>")
        items.append(f"<item>{''.join(parts)}</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Local blog</title><link>{escape(base)}/</link>"
        f"<description>Posts of the local blog</description>{''.join(items)}</channel></rss>"
    )


def _atom(entries: list[dict[str, Any]], base: str) -> str:
    items = []
    for e in entries:
        when = e["published"].isoformat() if e.get("published") else ""
        items.append(
            f"<entry><id>{escape(str(e.get('id') or ''))}</id>"
            f"<title>{escape(str(e.get('title') or ''))}</title>"
            f'<link href="{escape(str(e.get("link") or ""))}"/>'
            f"<updated>{when}</updated><published>{when}</published>"
            f"<author><name>{escape(str(e.get('author') or ''))}</name></author>"
            f'<summary type="html">{escape(str(e.get("summary") or ""))}</summary></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Local blog</title><id>{escape(base)}/</id>{''.join(items)}</feed>"
    )


def routes(state: NetworkState) -> list[BaseRoute]:
    """Return the routes of a local site with feeds."""

    def feed(request: Request, render: Any, media: str) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        entries = list(reversed(state.visible_posts()))[:FEED_SIZE]
        body = render(entries, str(request.base_url).rstrip("/"))
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        dates = [e["published"] for e in entries if isinstance(e.get("published"), datetime)]
        headers = {"ETag": etag}
        if dates:
            headers["Last-Modified"] = format_datetime(max(dates), usegmt=True)
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media, headers=headers)

    async def rss(request: Request) -> Response:
        return feed(request, _rss, "application/rss+xml")

    async def atom(request: Request) -> Response:
        return feed(request, _atom, "application/atom+xml")

    async def home(request: Request) -> Response:
        if (early := gate(state, request)) is not None:
            return early
        return HTMLResponse(
            "<!doctype html><html><head><title>Local blog</title>"
            '<link rel="alternate" type="application/rss+xml" title="Feed" href="/feed.xml">'
            "</head><body><h1>Local blog</h1></body></html>"
        )

    return [Route("/feed.xml", rss), Route("/atom.xml", atom), Route("/", home)]
