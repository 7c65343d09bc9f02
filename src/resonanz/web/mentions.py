"""Read the mention stream with the dashboard's filters (read-only, parameters always bound)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import duckdb

from resonanz.errors import ResonanzError
from resonanz.web.library import compile_query

COLUMNS = (
    "platform",
    "native_id",
    "url",
    "author",
    "display_name",
    "stakeholder",
    "followers",
    "created_at",
    "lang",
    "text",
    "sentiment",
    "sentiment_score",
    "emotion",
    "aspects",
    "intents",
    "likes",
    "reposts",
    "replies",
)
_SELECT = """
SELECT p.platform, p.native_id, p.url, p.author, a.display_name, a.stakeholder, a.followers,
       p.created_at, p.lang, p.text, p.sentiment, p.sentiment_score, p.emotion,
       [x.category || ':' || coalesce(x.polarity, '') for x in p.aspects] AS aspects,
       p.intents, p.likes, p.reposts, p.replies
FROM posts p LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
"""


@dataclass(frozen=True)
class MentionFilter:
    """What the mention stream shows; empty strings mean "any"."""

    query: str = ""
    topic: str = ""
    platform: str = ""
    lang: str = ""
    sentiment: str = ""
    emotion: str = ""
    aspect: str = ""
    intent: str = ""
    stakeholder: str = ""
    since: str = ""
    until: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> MentionFilter:
        """Build a filter from query-string parameters, ignoring unknown ones."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v).strip()[:500] for k, v in params.items() if k in names})

    def as_params(self) -> dict[str, str]:
        """Return the non-empty filter values (for links that keep the filter)."""
        return {k: v for k, v in asdict(self).items() if v}


def _day(value: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ResonanzError(f"{name} must be a date like 2026-01-31, not {value!r}") from None


def _where(flt: MentionFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    simple = {
        "platform": "p.platform = ?",
        "lang": "p.lang = ?",
        "sentiment": "p.sentiment = ?",
        "emotion": "p.emotion = ?",
        "stakeholder": "a.stakeholder = ?",
        "intent": "list_contains(p.intents, ?)",
        "aspect": "list_contains([x.category for x in p.aspects], ?)",
        "topic": "EXISTS (SELECT 1 FROM matches m WHERE m.platform = p.platform "
        "AND m.native_id = p.native_id AND m.topic = ?)",
    }
    for name, clause in simple.items():
        value = getattr(flt, name)
        if value:
            clauses.append(clause)
            params.append(value)
    if flt.since:
        clauses.append("p.created_at >= ?")
        params.append(_day(flt.since, "since"))
    if flt.until:
        clauses.append("p.created_at < ?")
        params.append(_day(flt.until, "until") + timedelta(days=1))
    if flt.query:
        fragment, bound = compile_query(flt.query)
        clauses.append(f"({fragment})")
        params.extend(bound)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def mentions(
    con: duckdb.DuckDBPyConnection, flt: MentionFilter, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Return the posts matching ``flt``, newest first, with their authors' facts."""
    where, params = _where(flt)
    sql = f"{_SELECT}{where} ORDER BY p.created_at DESC, p.native_id LIMIT ? OFFSET ?"
    rows = con.execute(sql, [*params, limit, offset]).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def count_mentions(con: duckdb.DuckDBPyConnection, flt: MentionFilter) -> int:
    """Return how many posts match ``flt``."""
    where, params = _where(flt)
    sql = (
        "SELECT count(*) FROM posts p LEFT JOIN authors a "  # noqa: S608 - fixed clauses
        f"ON a.platform = p.platform AND a.handle = p.author{where}"
    )
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Return the values each filter can take in this workspace."""

    def values(sql: str) -> list[str]:
        return [str(r[0]) for r in con.execute(sql).fetchall() if r[0] is not None]

    return {
        "topic": values("SELECT name FROM topics ORDER BY name"),
        "platform": values("SELECT DISTINCT platform FROM posts ORDER BY 1"),
        "lang": values("SELECT DISTINCT lang FROM posts ORDER BY 1"),
        "aspect": values(
            "SELECT DISTINCT x.category FROM (SELECT unnest(aspects) AS x FROM posts) ORDER BY 1"
        ),
    }


def _spreadsheet_safe(value: object) -> str:
    """Return a CSV cell that spreadsheets will not run as a formula."""
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(rows: list[dict[str, Any]]) -> str:
    """Return posts as CSV text (formula-like cells defused)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_spreadsheet_safe(row.get(c)) for c in COLUMNS])
    return buf.getvalue()


def export_json(rows: list[dict[str, Any]]) -> str:
    """Return posts as a JSON array."""
    return json.dumps(rows, ensure_ascii=False, default=_iso, indent=1)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def volume_by_day(con: duckdb.DuckDBPyConnection, flt: MentionFilter) -> list[dict[str, Any]]:
    """Return posts per day and sentiment for the posts matching ``flt``."""
    where, params = _where(flt)
    sql = (
        "SELECT date_trunc('day', p.created_at) AS day, "  # noqa: S608 - fixed clauses
        "coalesce(p.sentiment, 'unknown') AS sentiment, count(*) AS posts "
        "FROM posts p LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author"
        f"{where} GROUP BY ALL ORDER BY 1, 2"
    )
    rows = con.execute(sql, params).fetchall()
    return [
        {"day": day.date().isoformat(), "sentiment": str(s), "posts": int(n)} for day, s, n in rows
    ]
