"""Per-file resume points: a file's fingerprint names its cursor, the cursor says where to go on.

The cursor is committed in the same transaction as the records it covers, so after a crash
(even ``kill -9``) the same import resumes right after the last stored batch.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from resonanz.importers.chunk import Position
from resonanz.store import Store

_HEAD_BYTES: Final = 65_536
_CHECK_BYTES: Final = 4096


def content_path(path: Path) -> Path:
    """Return the file whose bytes identify ``path`` (an extracted archive: its outbox)."""
    return path / "outbox.json" if path.is_dir() else path


def fingerprint(path: Path) -> str:
    """Identify a file by its first 64 KiB, so a grown or renamed file keeps its cursor."""
    with content_path(path).open("rb") as fh:
        return hashlib.sha256(fh.read(_HEAD_BYTES)).hexdigest()[:20]


def window_check(path: Path, offset: int) -> str:
    """Hash the bytes just before ``offset``: they must be unchanged to resume there."""
    with content_path(path).open("rb") as fh:
        start = max(0, offset - _CHECK_BYTES)
        fh.seek(start)
        return hashlib.sha256(fh.read(offset - start)).hexdigest()[:20]


@dataclass(frozen=True)
class FileCursor:
    """Where an import of one file stopped."""

    fmt: str
    offset: int
    line: int
    size: int
    check: str
    done: bool

    def to_json(self) -> str:
        """Serialise for the ``cursors`` table."""
        return json.dumps(asdict(self), sort_keys=True)


def cursor_key(fmt: str, print_: str) -> str:
    """Return the ``cursors.source`` of a file: its format and fingerprint."""
    return f"import:{fmt}:{print_}"


def make_cursor(path: Path, fmt: str, position: Position, *, done: bool) -> FileCursor:
    """Describe ``position`` in ``path`` so that a later run can verify and resume it."""
    size = content_path(path).stat().st_size
    check = window_check(path, position.offset) if fmt == "jsonl" else ""
    return FileCursor(fmt, position.offset, position.line, size, check, done)


def resume_position(store: Store, key: str, path: Path, fmt: str) -> tuple[Position, bool]:
    """Return where to start reading ``path`` and whether it is already fully imported.

    JSON Lines resume at a byte offset when the bytes before it are unchanged (so an
    appended file imports only its new lines); other formats resume only when the file's
    size is unchanged. Anything else starts over, which is safe since storage is idempotent.
    """
    raw = store.get_cursor(key)
    if raw is None:
        return Position(), False
    try:
        cursor = FileCursor(**json.loads(raw))
    except (TypeError, ValueError):
        return Position(), False
    size = content_path(path).stat().st_size
    position = Position(cursor.offset, cursor.line)
    if fmt == "jsonl":
        if cursor.offset > size or window_check(path, cursor.offset) != cursor.check:
            return Position(), False
        return position, cursor.offset == size
    if size != cursor.size:
        return Position(), False
    return position, cursor.done
