"""Tracked short links: ``/l/CODE`` redirects to the target with UTM parameters."""

from __future__ import annotations

import secrets
import string
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import duckdb

from resonanz.errors import ResonanzError
from resonanz.records import utcnow

_ALPHABET = string.ascii_letters + string.digits


class TrackError(ResonanzError):
    """A link, referral or conversion cannot be stored."""


def with_utm(url: str, **utm: str | None) -> str:
    """Add ``utm_*`` parameters to ``url`` (existing ones are kept).

    >>> with_utm("https://acme.example/p?x=1", source="mastodon", campaign="spring")
    'https://acme.example/p?x=1&utm_source=mastodon&utm_campaign=spring'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TrackError(f"{url!r} is not an http(s) link")
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    query += [(f"utm_{k}", v) for k, v in utm.items() if v and f"utm_{k}" not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def short_url(base: str, code: str) -> str:
    """Return the public short link of ``code``."""
    return f"{base.rstrip('/')}/l/{code}"


def create_link(
    con: duckdb.DuckDBPyConnection,
    target: str,
    *,
    campaign: str | None = None,
    post_ref: str | None = None,
    network: str | None = None,
    advocate: str | None = None,
) -> str:
    """Store a short link to ``target`` tagged for campaign, post and network; return its code."""
    medium = "referral" if advocate else "social"
    full = with_utm(
        target, source=network or "resonanz", medium=medium, campaign=campaign, content=post_ref
    )
    code = "".join(secrets.choice(_ALPHABET) for _ in range(7))
    con.execute(
        "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?)",
        [code, full, campaign, post_ref, network, advocate, utcnow()],
    )
    return code


def resolve(con: duckdb.DuckDBPyConnection, code: str) -> str | None:
    """Return the target of ``code`` (None: unknown)."""
    row = con.execute("SELECT target FROM links WHERE code = ?", [code]).fetchone()
    return None if row is None else str(row[0])


def list_links(con: duckdb.DuckDBPyConnection, campaign: str | None = None) -> list[dict[str, Any]]:
    """Return links with their click counts (of a campaign, or all)."""
    cur = con.execute(
        """
        SELECT l.code, l.target, l.campaign, l.post_ref, l.network, l.advocate, l.created_at,
               count(c.code) AS clicks, count(DISTINCT c.visitor) AS visitors
        FROM links l LEFT JOIN clicks c ON c.code = l.code
        WHERE ? IS NULL OR l.campaign = ?
        GROUP BY ALL ORDER BY l.created_at, l.code
        """,
        [campaign, campaign],
    )
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
