"""Read Parquet files: our own export layout (fast, columnar) or any table of import fields.

A file with the columns ``platform``, ``native_id``, ``text`` and ``created_at`` is taken
as our layout (``resonanz export --parquet``): its columns, enrichment ones included, are
stored as they are. Any other file is read row by row like JSON Lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from resonanz.errors import ImportFormatError
from resonanz.importers.chunk import Chunk, Position, ReadContext
from resonanz.importers.normalize import MAX_TEXT_CHARS
from resonanz.records import ENRICHED_POST_SCHEMA, POST_SCHEMA

NATIVE_COLUMNS: Final = frozenset({"platform", "native_id", "text", "created_at"})
_REQUIRED: Final = (("native_id", "missing id"), ("text", "missing text"))


def read(path: Path, start: Position, ctx: ReadContext) -> Iterator[Chunk]:
    """Yield one chunk per Parquet record batch from row ``start.offset`` on."""
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFormatError(f"{path} is not a readable Parquet file: {exc}") from None
    with parquet:
        names = set(parquet.schema_arrow.names)
        native = names >= NATIVE_COLUMNS
        size = max(1, path.stat().st_size)
        total = max(1, parquet.metadata.num_rows)
        row = 0
        for batch in parquet.iter_batches(batch_size=ctx.batch_size):
            first = row
            row += batch.num_rows
            if row <= start.offset:
                continue
            if first < start.offset:
                batch = batch.slice(start.offset - first)
                first = start.offset
            chunk = ctx.chunk(start)
            if native:
                _add_native(chunk, pa.Table.from_batches([batch]), first, ctx)
            else:
                for i, record in enumerate(batch.to_pylist()):
                    chunk.add(record, ctx.location(first + i + 1))
            chunk.position = Position(row, row)
            chunk.done_bytes = size * row // total
            yield chunk


def _add_native(chunk: Chunk, table: pa.Table, first: int, ctx: ReadContext) -> None:
    """Validate and conform a table in our layout; quarantine rows missing required values."""
    bad = pc.or_(pc.is_null(table["native_id"]), pc.is_null(table["text"]))
    bad = pc.or_(bad, pc.is_null(table["created_at"]))
    bad = pc.or_(bad, pc.greater(pc.utf8_length(pc.fill_null(table["text"], "")), MAX_TEXT_CHARS))
    bad = pc.fill_null(bad, True)
    if pc.any(bad).as_py():
        for index in pc.indices_nonzero(bad).to_pylist():
            row = table.slice(index, 1).to_pylist()[0]
            raw = orjson.dumps(row, default=str)
            chunk.reject(ctx.location(first + index + 1), _problem(row), raw)
        table = table.filter(pc.invert(bad))
    chunk.add_table(_conform(table, ctx))
    for platform, handle in _authors(chunk.table):
        seen = ctx.defaults.collected_at
        chunk.add_author({"platform": platform, "handle": handle, "updated_at": seen})


def _problem(row: dict[str, object]) -> str:
    for column, reason in _REQUIRED:
        if row.get(column) is None:
            return reason
    if row.get("created_at") is None:
        return "missing created_at"
    return f"text too long (limit {MAX_TEXT_CHARS} characters)"


def _conform(table: pa.Table, ctx: ReadContext) -> pa.Table:
    """Cast to the posts schema; fill platform, source and collected time where empty."""
    fills = {
        "platform": pa.scalar(ctx.defaults.platform),
        "source": pa.scalar("import:parquet"),
        "collected_at": pa.scalar(
            ctx.defaults.collected_at, POST_SCHEMA.field("collected_at").type
        ),
        "has_media": pa.scalar(False),
    }
    arrays, fields = [], []
    for field in ENRICHED_POST_SCHEMA:
        if field.name in table.column_names:
            try:
                column = table[field.name].cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ImportFormatError(
                    f"column {field.name} cannot be read as {field.type}: {exc}"
                ) from None
        elif field.name in POST_SCHEMA.names:
            column = pa.nulls(table.num_rows, field.type)
        else:
            continue
        if field.name in fills:
            column = pc.fill_null(column, fills[field.name])
        arrays.append(column)
        fields.append(field)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _authors(table: pa.Table | None) -> list[tuple[str, str]]:
    if table is None or table.num_rows == 0:
        return []
    pairs = table.select(["platform", "author"]).filter(pc.is_valid(table["author"]))
    unique = pairs.group_by(["platform", "author"]).aggregate([])
    return list(zip(unique["platform"].to_pylist(), unique["author"].to_pylist(), strict=True))
