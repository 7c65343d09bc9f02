"""Read a file as lines with their byte offsets, in large blocks, without trusting line sizes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

#: Longest input line accepted (1 MiB); longer lines are quarantined, not parsed.
MAX_LINE_BYTES: Final = 1_048_576
BLOCK_BYTES: Final = 4 * 1_048_576


@dataclass(frozen=True)
class Line:
    """One line without its newline; ``end`` is the byte offset just after it.

    ``size`` is the full length of an over-long line, whose ``data`` holds only its head.
    """

    data: bytes
    end: int
    size: int = 0


def iter_blocks(
    fh: BinaryIO, start: int, *, max_bytes: int = MAX_LINE_BYTES, block: int = BLOCK_BYTES
) -> Iterator[tuple[list[bytes], Line | None]]:
    """Yield the lines of ``fh`` from byte ``start`` on, a block's worth at a time.

    Each item is a list of lines that ended with a newline (without it; each took its
    length plus one byte), then one :class:`Line` that follows them or None: an over-long
    line (head only) or the last line of a file that does not end with a newline. The
    same lines as :func:`iter_lines`, without an object per line.
    """
    pending = b""
    offset = start  # file offset of pending[0]
    while True:
        data = fh.read(block)
        if not data:
            yield [], (Line(pending, offset + len(pending)) if pending else None)
            return
        pending += data
        parts = pending.split(b"\n")
        pending = parts.pop()
        offset += sum(map(len, parts)) + len(parts)
        if len(pending) > max_bytes:
            long_line, pending = _skip_long_line(fh, pending, offset, block, max_bytes)
            offset = long_line.end
            yield parts, long_line
        else:
            yield parts, None


def iter_lines(
    fh: BinaryIO, start: int, *, max_bytes: int = MAX_LINE_BYTES, block: int = BLOCK_BYTES
) -> Iterator[Line]:
    """Yield the lines of ``fh`` from byte ``start`` on (``fh`` is positioned there).

    Memory stays bounded by ``block + max_bytes`` however long a line is: the rest of an
    over-long line is skipped while reading.
    """
    pending = b""
    offset = start  # file offset of pending[0]
    while True:
        data = fh.read(block)
        if not data:
            if pending:
                yield Line(pending, offset + len(pending))
            return
        pending += data
        parts = pending.split(b"\n")
        pending = parts.pop()
        for part in parts:
            offset += len(part) + 1
            yield Line(part, offset)
        if len(pending) > max_bytes:
            long_line, pending = _skip_long_line(fh, pending, offset, block, max_bytes)
            offset = long_line.end
            yield long_line


def _skip_long_line(
    fh: BinaryIO, head: bytes, offset: int, block: int, max_bytes: int
) -> tuple[Line, bytes]:
    """Consume the rest of an over-long line; return it (head only) and what follows it."""
    size = len(head)
    kept = head[: max_bytes + 1]
    while True:
        data = fh.read(block)
        if not data:
            return Line(kept, offset + size, size), b""
        newline = data.find(b"\n")
        if newline < 0:
            size += len(data)
            continue
        size += newline
        return Line(kept, offset + size + 1, size), data[newline + 1 :]
