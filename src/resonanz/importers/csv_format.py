"""Read CSV (or TSV, semicolon-separated) files with a header row.

Columns are matched to the import fields by name, by common aliases (``tweet_id``,
``body``, ``screen_name`` …) or by an explicit mapping (``--map text=body``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Final

from resonanz.errors import ImportFormatError
from resonanz.importers.chunk import Chunk, Position, ReadContext
from resonanz.importers.lines import MAX_LINE_BYTES
from resonanz.importers.normalize import FIELDS

#: Header names (lower-case, ``_`` for spaces and dashes) understood without a mapping.
ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "id": ("native_id", "post_id", "tweet_id", "status_id", "message_id", "uid"),
    "text": ("body", "content", "message", "full_text", "tweet", "post", "selftext"),
    "created_at": (
        "date",
        "timestamp",
        "time",
        "datetime",
        "published",
        "created",
        "posted_at",
        "created_utc",
    ),
    "author": (
        "user",
        "username",
        "handle",
        "screen_name",
        "user_screen_name",
        "author_handle",
        "account",
    ),
    "author_name": ("name", "display_name", "user_name", "user_display_name"),
    "author_bio": ("bio", "description", "user_description"),
    "author_followers": ("followers", "followers_count", "user_followers_count"),
    "author_following": ("following", "friends_count", "following_count"),
    "likes": ("like_count", "favorite_count", "favourites_count", "favorites", "favourites"),
    "reposts": ("retweet_count", "retweets", "reblogs_count", "shares", "repost_count"),
    "replies": ("reply_count", "replies_count", "num_comments", "comments"),
    "views": ("view_count", "impressions", "impression_count"),
    "lang": ("language",),
    "url": ("link", "permalink"),
    "reply_to": ("in_reply_to", "in_reply_to_status_id", "in_reply_to_id", "parent_id"),
    "repost_of": ("retweeted_status_id", "reblog_of"),
    "quote_of": ("quoted_status_id",),
}
_ALIAS_INDEX: Final = {alias: name for name, names in ALIASES.items() for alias in names} | {
    name: name for name in FIELDS
}


def column_fields(header: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    """Return the field name for each header column (unknown columns keep their name).

    ``mapping`` is ``{field: column}``; explicit mappings win over aliases.
    """
    unknown = [name for name in mapping if name not in FIELDS]
    if unknown:
        raise ImportFormatError(
            f"--map names unknown field(s) {', '.join(unknown)}; fields are {', '.join(FIELDS)}"
        )
    missing = [column for column in mapping.values() if column not in header]
    if missing:
        raise ImportFormatError(
            f"--map names column(s) {', '.join(missing)} not in the header: {', '.join(header)}"
        )
    by_column = {column: name for name, column in mapping.items()}
    taken = set(mapping)
    fields: list[str] = []
    for column in header:
        if column in by_column:
            fields.append(by_column[column])
            continue
        guess = _ALIAS_INDEX.get(column.strip().lower().replace(" ", "_").replace("-", "_"))
        if guess is not None and guess not in taken:
            taken.add(guess)
            fields.append(guess)
        elif column in FIELDS or column in _ALIAS_INDEX:
            fields.append(f"csv:{column}")  # a field name already taken: keep it in raw only
        else:
            fields.append(column)
    return fields


def read(path: Path, start: Position, ctx: ReadContext) -> Iterator[Chunk]:
    """Yield chunks of rows, skipping the ``start.offset`` rows already imported."""
    csv.field_size_limit(MAX_LINE_BYTES)
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
        try:
            yield from _read_rows(text, binary, start, ctx)
        finally:
            text.detach()


def _read_rows(
    text: io.TextIOWrapper, binary: io.BufferedReader, start: Position, ctx: ReadContext
) -> Iterator[Chunk]:
    sample = text.read(16_384)
    text.seek(0)
    try:
        dialect: type[csv.Dialect] | str = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = "excel"
    reader = csv.reader(text, dialect)
    header = next(reader, None)
    if header is None:
        return
    fields = column_fields(header, ctx.mapping)
    chunk = ctx.chunk(start)
    index = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row = None
            problem = f"unreadable CSV row: {exc}"
        index += 1
        if index <= start.offset:
            continue
        location = ctx.location(reader.line_num)
        if row is None:
            chunk.reject(location, problem, b"")
        elif any(row):
            _add_row(chunk, row, fields, location)
        chunk.position = Position(index, reader.line_num)
        chunk.done_bytes = binary.tell()
        if len(chunk) >= ctx.batch_size:
            yield chunk
            chunk = ctx.chunk(chunk.position)
    if len(chunk) or chunk.position != start:
        yield chunk


def _add_row(chunk: Chunk, row: list[str], fields: list[str], location: str) -> None:
    raw = _row_bytes(row)
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError as bad:
        chunk.reject(location, f"invalid UTF-8 in row at character {bad.start}", raw)
        return
    if len(row) > len(fields):
        chunk.reject(location, f"{len(row)} cells but the header has {len(fields)}", raw)
        return
    record = {
        name: (value if value != "" else None) for name, value in zip(fields, row, strict=False)
    }
    chunk.add(record, location, raw)


def _row_bytes(row: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue().rstrip("\r\n").encode("utf-8", "surrogateescape")
