"""Read JSON Lines: one post object per line (fields in docs/import-formats.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from resonanz.importers.chunk import Chunk, Position, ReadContext
from resonanz.importers.lines import MAX_LINE_BYTES, Line, iter_lines

_BOM = b"\xef\xbb\xbf"


def read(path: Path, start: Position, ctx: ReadContext) -> Iterator[Chunk]:
    """Yield chunks of at most ``ctx.batch_size`` records from byte ``start.offset`` on.

    Blank lines are skipped; every other line becomes a post or a quarantine row.
    """
    with path.open("rb") as fh:
        fh.seek(start.offset)
        chunk = ctx.chunk(start)
        line_no = start.line
        for line in iter_lines(fh, start.offset):
            line_no += 1
            _read_line(chunk, line, line_no, ctx)
            chunk.position = Position(line.end, line_no)
            chunk.done_bytes = line.end
            if len(chunk) >= ctx.batch_size:
                yield chunk
                chunk = ctx.chunk(chunk.position)
        if len(chunk) or chunk.position != start:
            yield chunk


def _read_line(chunk: Chunk, line: Line, line_no: int, ctx: ReadContext) -> None:
    data = line.data
    location = ctx.location(line_no)
    if line.size or len(data) > MAX_LINE_BYTES:
        size = line.size or len(data)
        chunk.reject(location, f"line too long: {size} bytes (limit {MAX_LINE_BYTES})", data)
        return
    if line_no == 1 and data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        return
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        chunk.reject(location, _json_problem(data, exc), data)
        return
    if not isinstance(obj, dict):
        chunk.reject(location, f"not a JSON object but {type(obj).__name__}", data)
        return
    chunk.add(obj, location, data)


def _json_problem(data: bytes, exc: orjson.JSONDecodeError) -> str:
    """Name the problem of a line that did not parse: bad UTF-8 or bad JSON."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"invalid UTF-8 at byte {bad.start}"
    return f"invalid JSON: {exc.msg} at column {exc.colno}"
