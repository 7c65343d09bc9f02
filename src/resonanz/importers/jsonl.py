"""Read JSON Lines: one post object per line (fields in docs/import-formats.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from resonanz.importers.chunk import Chunk, Position, ReadContext
from resonanz.importers.lines import MAX_LINE_BYTES, iter_blocks

_BOM = b"\xef\xbb\xbf"


def read(path: Path, start: Position, ctx: ReadContext) -> Iterator[Chunk]:
    """Yield chunks of at most ``ctx.batch_size`` records from byte ``start.offset`` on.

    Blank lines are skipped; every other line becomes a post or a quarantine row.
    """
    with path.open("rb") as fh:
        fh.seek(start.offset)
        chunk = ctx.chunk(start)
        line_no, offset, size = start.line, start.offset, ctx.batch_size
        records = 0  # the chunk's posts and rejects (what len(chunk) counts)
        for parts, last in iter_blocks(fh, start.offset):
            for data in parts:
                line_no += 1
                offset += len(data) + 1
                if line_no == 1 or len(data) > MAX_LINE_BYTES:
                    records += _read_line(chunk, data, line_no, ctx, 0)
                else:
                    records += _read_fast(chunk, data, line_no, ctx)
                if records >= size:
                    _place(chunk, offset, line_no)
                    yield chunk
                    chunk, records = ctx.chunk(chunk.position), 0
            if last is not None:  # an over-long line, or the last one without a newline
                line_no += 1
                offset = last.end
                records += _read_line(chunk, last.data, line_no, ctx, last.size)
                if records >= size:
                    _place(chunk, offset, line_no)
                    yield chunk
                    chunk, records = ctx.chunk(chunk.position), 0
        _place(chunk, offset, line_no)
        if records or chunk.position != start:
            yield chunk


def _place(chunk: Chunk, offset: int, line_no: int) -> None:
    chunk.position = Position(offset, line_no)
    chunk.done_bytes = offset


def _read_fast(chunk: Chunk, data: bytes, line_no: int, ctx: ReadContext) -> int:
    """Read one line of usual length past the first; return 1, or 0 for a blank line."""
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if not data.strip():
            return 0
        chunk.reject(ctx.location(line_no), _json_problem(data, exc), data)
        return 1
    if obj.__class__ is not dict:
        chunk.reject(ctx.location(line_no), f"not a JSON object but {type(obj).__name__}", data)
        return 1
    chunk.add_line(obj, ctx, line_no, data)
    return 1


def _read_line(chunk: Chunk, data: bytes, line_no: int, ctx: ReadContext, size: int) -> int:
    """Read any line (``size``: the full length of an over-long one); return what it added."""
    location = ctx.location(line_no)
    if size or len(data) > MAX_LINE_BYTES:
        size = size or len(data)
        chunk.reject(location, f"line too long: {size} bytes (limit {MAX_LINE_BYTES})", data)
        return 1
    if line_no == 1 and data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        return 0
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        chunk.reject(location, _json_problem(data, exc), data)
        return 1
    if not isinstance(obj, dict):
        chunk.reject(location, f"not a JSON object but {type(obj).__name__}", data)
        return 1
    chunk.add(obj, location, data)
    return 1


def _json_problem(data: bytes, exc: orjson.JSONDecodeError) -> str:
    """Name the problem of a line that did not parse: bad UTF-8 or bad JSON."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"invalid UTF-8 at byte {bad.start}"
    return f"invalid JSON: {exc.msg} at column {exc.colno}"
