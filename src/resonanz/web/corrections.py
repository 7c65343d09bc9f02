"""Analysts' corrections of a post's sentiment, emotion, aspects and intents.

A correction changes the stored post (so every page shows it), is logged with who made it,
and is exported as ``resonanz train`` JSONL: one object per post and field with ``text``,
``lang`` and ``label``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import duckdb

from resonanz.errors import ResonanzError
from resonanz.records import EMOTIONS, INTENTS, SENTIMENTS, utcnow

FIELDS: Final = ("sentiment", "emotion", "aspects", "intents")
POLARITIES: Final = ("negative", "neutral", "positive")


class CorrectionError(ResonanzError):
    """A correction was not valid."""


@dataclass(frozen=True)
class Correction:
    """One logged correction."""

    field: str
    value: Any
    previous: Any
    username: str
    created_at: datetime


def _aspects(value: object) -> list[dict[str, str]]:
    """Validate ``[{category, polarity}]`` (also accepts ``"battery:negative"`` strings)."""
    items = value if isinstance(value, list) else []
    out: list[dict[str, str]] = []
    for item in items:
        if isinstance(item, str):
            category, _, polarity = item.partition(":")
            item = {"category": category, "polarity": polarity or "neutral"}
        if not isinstance(item, dict):
            raise CorrectionError("aspects are a list of {category, polarity}")
        category = str(item.get("category", "")).strip().lower()
        polarity = str(item.get("polarity", "neutral")).strip().lower()
        if not category or len(category) > 40 or polarity not in POLARITIES:
            raise CorrectionError(f"aspect polarity is one of {', '.join(POLARITIES)}")
        out.append({"category": category, "polarity": polarity})
    return out


def _validate(field: str, value: object) -> object:
    if field == "sentiment" and value in SENTIMENTS:
        return value
    if field == "emotion" and value in EMOTIONS:
        return value
    if field == "intents" and isinstance(value, list) and all(v in INTENTS for v in value):
        return sorted(set(value))
    if field == "aspects":
        return _aspects(value)
    raise CorrectionError(
        f"{field} cannot be {value!r}; sentiment is one of {', '.join(SENTIMENTS)}, "
        f"emotion one of {', '.join(EMOTIONS)}, intents from {', '.join(INTENTS)}"
    )


def correct(
    con: duckdb.DuckDBPyConnection,
    platform: str,
    native_id: str,
    field: str,
    value: object,
    username: str,
) -> None:
    """Store a correction and apply it to the post."""
    if field not in FIELDS:
        raise CorrectionError(f"only {', '.join(FIELDS)} can be corrected")
    clean = _validate(field, value)
    row = con.execute(
        f"SELECT {field} FROM posts WHERE platform = ? AND native_id = ?",  # noqa: S608
        [platform, native_id],
    ).fetchone()
    if row is None:
        raise CorrectionError(f"no post {platform}:{native_id}")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO post_corrections (platform, native_id, field, value, previous, "
            "username, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [platform, native_id, field, json.dumps(clean), json.dumps(row[0]), username, utcnow()],
        )
        extra = ", sentiment_score = NULL" if field == "sentiment" else ""
        con.execute(
            f"UPDATE posts SET {field} = ?{extra} "  # noqa: S608 - field from FIELDS
            "WHERE platform = ? AND native_id = ?",
            [clean, platform, native_id],
        )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def history(con: duckdb.DuckDBPyConnection, platform: str, native_id: str) -> list[Correction]:
    """Return the corrections of one post, newest first."""
    rows = con.execute(
        "SELECT field, value, previous, username, created_at FROM post_corrections "
        "WHERE platform = ? AND native_id = ? ORDER BY id DESC",
        [platform, native_id],
    ).fetchall()
    return [
        Correction(str(f), json.loads(v), json.loads(p) if p else None, str(u), t)
        for f, v, p, u, t in rows
    ]


def training_rows(
    con: duckdb.DuckDBPyConnection, field: str | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the latest correction per post and field in ``resonanz train`` JSONL shape."""
    rows = con.execute(
        """
        SELECT c.field, c.value, p.text, p.lang, c.platform, c.native_id
        FROM post_corrections c
        JOIN posts p ON p.platform = c.platform AND p.native_id = c.native_id
        WHERE (? IS NULL OR c.field = ?)
        QUALIFY row_number() OVER (PARTITION BY c.platform, c.native_id, c.field
                                   ORDER BY c.id DESC) = 1
        ORDER BY c.field, c.id
        """,
        [field, field],
    ).fetchall()
    for fld, value, text, lang, platform, native_id in rows:
        # the label sits under the task's own field, the shape `resonanz enrich` writes and
        # `resonanz train TASK` reads
        yield {
            "task": fld,
            "text": text,
            "lang": lang,
            fld: json.loads(value),
            "id": f"{platform}:{native_id}",
        }


def to_jsonl(rows: Iterator[dict[str, Any]]) -> str:
    """Return rows as JSON Lines."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
