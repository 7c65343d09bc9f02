"""Guess the format of an input file from its content (the extension is only a tie-breaker)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

import orjson

from resonanz.errors import ImportFormatError

FORMATS: Final = ("jsonl", "csv", "mastodon-archive", "parquet")
_HEAD_BYTES: Final = 65_536
_ZIP: Final = b"PK\x03\x04"
_GZIP: Final = b"\x1f\x8b"
_PARQUET: Final = b"PAR1"
_OUTBOX_MARKS: Final = (b'"orderedItems"', b'"OrderedCollection"')


def detect_format(path: Path) -> str:
    """Return one of :data:`FORMATS` for ``path`` or raise :class:`ImportFormatError`."""
    if path.is_dir():
        if (path / "outbox.json").is_file():
            return "mastodon-archive"
        raise ImportFormatError(f"{path} is a folder without outbox.json; name the files instead")
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head.startswith((_ZIP, _GZIP)):
        return "mastodon-archive"
    if head.startswith(_PARQUET):
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise ImportFormatError(f"{path} is empty")
    if text.startswith(b"{"):
        return _json_kind(text)
    if text.startswith(b"["):
        raise ImportFormatError(
            f"{path} is one JSON array; write one object per line (JSON Lines) instead"
        )
    if _looks_like_csv(text):
        return "csv"
    raise ImportFormatError(
        f"cannot tell the format of {path}; pass --format ({', '.join(FORMATS)})"
    )


def _json_kind(text: bytes) -> str:
    """Tell a JSON Lines file from an ActivityStreams outbox (one multi-line object)."""
    first = text.split(b"\n", 1)[0]
    try:
        obj = orjson.loads(first)
    except orjson.JSONDecodeError:
        obj = None
    if isinstance(obj, dict):
        if obj.get("type") == "OrderedCollection" and "orderedItems" in obj:
            return "mastodon-archive"
        return "jsonl"
    if any(mark in text for mark in _OUTBOX_MARKS):
        return "mastodon-archive"
    return "jsonl"


def _looks_like_csv(text: bytes) -> bool:
    sample = text[:8192].decode("utf-8", "replace")
    lines = [line for line in sample.splitlines() if line.strip()]
    if not lines:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|")
    except csv.Error:
        return "," in lines[0]
    return bool(dialect.delimiter)
