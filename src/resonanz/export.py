"""Export stored posts to Parquet (for a data lake or Spark), JSON Lines or CSV.

Parquet keeps the posts table's own columns, enrichment included, and reads back with
``resonanz import --format parquet``. JSON Lines and CSV use the field names of the import
format (docs/import-formats.md) plus the enrichment and the matched topics, so they read
back with ``resonanz import`` too. Exports stream in batches: memory stays flat.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from resonanz.errors import ResonanzError
from resonanz.privacy.salt import Pseudonymiser
from resonanz.store.post_keys import PUBLIC_COLUMNS_SQL

EXPORT_FORMATS: Final = ("parquet", "jsonl", "csv")
BATCH_ROWS: Final = 50_000

_FIELDS_SQL: Final = """
SELECT p.native_id AS id, p.text, p.created_at, p.author, p.platform, p.lang, p.url,
       a.display_name AS author_name, a.bio AS author_bio, a.followers AS author_followers,
       a.following AS author_following, a.is_bot AS author_is_bot,
       p.reply_to, p.repost_of, p.quote_of, p.thread_root,
       p.likes, p.reposts, p.replies, p.views, p.hashtags, p.mentions, p.links, p.has_media,
       p.collected_at, p.sentiment, p.sentiment_score, p.emotion, p.aspects, p.intents,
       (SELECT list(m.topic ORDER BY m.topic) FROM matches m
         WHERE m.platform = p.platform AND m.native_id = p.native_id) AS topics,
       p.raw
FROM posts p LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
"""
_WHERE: Final = (
    " WHERE (CAST(? AS TIMESTAMPTZ) IS NULL OR p.created_at >= ?)"
    " AND (CAST(? AS TIMESTAMPTZ) IS NULL OR p.created_at < ?)"
    " ORDER BY p.created_at, p.platform, p.native_id"
)
#: Columns that identify a person beyond the handle; left out of pseudonymised exports.
_IDENTIFYING: Final = ("url", "raw", "author_name", "author_bio")


class ExportError(ResonanzError):
    """An export could not be written."""


def export_posts(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    fmt: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    pseudonymise: Pseudonymiser | None = None,
) -> int:
    """Write the posts created in ``[since, until)`` to ``out``; return how many."""
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    parquet = f"SELECT {PUBLIC_COLUMNS_SQL} FROM posts p"  # noqa: S608 - fixed pieces
    base = parquet if fmt == "parquet" else _FIELDS_SQL
    params = [since, since, until, until]
    reader = con.sql(base + _WHERE, params=params).to_arrow_reader(BATCH_ROWS)
    batches = (_pseudonymised(b, pseudonymise) if pseudonymise else b for b in reader)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        return _write_parquet(out, batches, reader.schema)
    with out.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "jsonl":
            return _write_jsonl(fh, batches)
        return _write_csv(fh, batches, reader.schema)


def _pseudonymised(batch: pa.RecordBatch, pseudo: Pseudonymiser) -> pa.RecordBatch:
    """Replace handles (author, mentions, @handles in text) and drop identifying columns."""
    data = batch.to_pydict()
    platforms = data["platform"]
    texts = data["text"]
    for i, platform in enumerate(platforms):
        author = data["author"][i]
        mentions = data["mentions"][i] or []
        names = {handle: pseudo(platform, handle) or "" for handle in [author, *mentions] if handle}
        data["author"][i] = pseudo(platform, author)
        data["mentions"][i] = [names[m] for m in mentions]
        texts[i] = _replace_handles(texts[i], names)
    for name in _IDENTIFYING:
        if name in data:
            data[name] = [None] * batch.num_rows
    return pa.RecordBatch.from_pydict(data, schema=batch.schema)


def _replace_handles(text: str, names: dict[str, str]) -> str:
    """Replace ``@handle`` (also just its local part before a second ``@``) by pseudonyms."""
    if "@" not in text or not names:
        return text
    forms: dict[str, str] = {}
    for handle, pseudonym in names.items():
        forms[handle.lower()] = pseudonym
        forms.setdefault(handle.split("@")[0].lower(), pseudonym)
    pattern = re.compile(
        r"@(" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    return pattern.sub(lambda m: "@" + forms[m.group(1).lower()], text)


def _write_parquet(out: Path, batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> int:
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch)
            count += batch.num_rows
    return count


def _write_jsonl(fh: IO[str], batches: Iterator[pa.RecordBatch]) -> int:
    count = 0
    for batch in batches:
        lines = [orjson.dumps(_clean(row)).decode() for row in batch.to_pylist()]
        if lines:
            fh.write("\n".join(lines) + "\n")
        count += len(lines)
    return count


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values so exported lines stay short."""
    return {key: value for key, value in row.items() if value is not None}


def _write_csv(fh: IO[str], batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> int:
    names = [n for n in schema.names if n != "raw"]
    writer = csv.DictWriter(fh, fieldnames=names, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for batch in batches:
        for row in batch.to_pylist():
            writer.writerow({key: _cell(row.get(key)) for key in names})
            count += 1
    return count


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return " ".join(value)
        return orjson.dumps(value).decode()
    return value
