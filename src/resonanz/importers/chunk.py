"""Collect the records of one import batch and turn them into a :class:`~resonanz.ingest.Batch`."""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
import pyarrow as pa

from resonanz.importers.normalize import AUTHOR_FIELDS, POST_FIELDS, Defaults, post_row
from resonanz.importers.values import RecordError
from resonanz.ingest import Batch
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, AuthorRecord, PostRecord
from resonanz.store import QuarantineItem

#: Bytes of a rejected input kept in quarantine (longer input is cut, the reason says so).
MAX_QUARANTINE_RAW: Final = 65_536
#: Slots of the register of author profiles one import has stored (a power of two): 4 MiB,
#: allocated once, whatever the number of authors in the input.
SENT_AUTHOR_SLOTS: Final = 1 << 18
_MASK: Final = (1 << 64) - 1


class SentAuthors:
    """Fingerprints of the author profiles one import run has stored, in a fixed space.

    A direct-mapped table of 64-bit fingerprints: the slot comes from a CRC-32 of
    (platform, handle), and holds the pair's 64-bit fingerprint and one of the profile's
    values. A profile is sent again when it changed or when another author took its slot
    since: a slot collision costs an extra (idempotent) profile update; skipping a changed
    profile would take two 64-bit fingerprints colliding at once. The slot does not come
    from ``hash()``, which is salted per process: which authors share a slot, and so which
    batches a profile goes with (and what the stakeholder enricher sees of it), is then
    the same in every run. The table is allocated up front, so the importer's memory does
    not grow with the number of authors in the input.
    """

    def __init__(self, slots: int = SENT_AUTHOR_SLOTS) -> None:
        if slots <= 0 or slots & (slots - 1):
            raise ValueError(f"slots must be a power of two, not {slots}")
        self._keys = array("Q", bytes(8 * slots))  # 0: an empty slot (fingerprints are odd)
        self._values = array("Q", bytes(8 * slots))
        self._mask = slots - 1

    def changed(self, key: tuple[str, str], values: tuple[object, ...]) -> bool:
        """Tell whether the profile differs from what the run stored; remember it as stored."""
        key_print, value_print = (hash(key) & _MASK) | 1, (hash(values) & _MASK) | 1
        slot = zlib.crc32(f"{key[0]}\x00{key[1]}".encode(errors="surrogatepass")) & self._mask
        if self._keys[slot] == key_print and self._values[slot] == value_print:
            return False
        self._keys[slot], self._values[slot] = key_print, value_print
        return True

    def __len__(self) -> int:
        """Return how many slots hold a profile."""
        return sum(1 for k in self._keys if k)


#: Where an author row holds ``updated_at``: the one field that does not tell a changed profile.
_SEEN: Final = AUTHOR_FIELDS.index("updated_at")


@dataclass
class Position:
    """Where a reader is in a file: a format-specific offset and the 1-based line number.

    ``offset`` is a byte offset for JSONL and the index of the next record elsewhere.
    """

    offset: int = 0
    line: int = 0


@dataclass(frozen=True)
class ReadContext:
    """What every format reader needs besides the file: record defaults and batch size."""

    defaults: Defaults
    quarantine_source: str
    name: str  # the file name used in quarantine locations
    batch_size: int = 25_000
    mapping: Mapping[str, str] = field(default_factory=dict)  # field -> input column
    #: Author profiles already stored by this run, so unchanged ones are not stored again.
    sent_authors: SentAuthors = field(default_factory=SentAuthors)

    def chunk(self, position: Position) -> Chunk:
        """Start an empty chunk at ``position``."""
        return Chunk(
            self.defaults, self.quarantine_source, position=position, sent=self.sent_authors
        )

    def location(self, line: int) -> str:
        """Return the quarantine location of ``line``."""
        return f"{self.name}:{line}"


@dataclass
class Chunk:
    """Records, rejects and the position after them: one batch of an import."""

    defaults: Defaults
    quarantine_source: str
    #: The posts as rows of values (POST_SCHEMA order): a record's dict is let go as soon
    #: as it is added, which keeps a chunk a fraction of the size of its records.
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    #: Author rows (AUTHOR_SCHEMA order) by (platform, handle).
    authors: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    quarantined: list[QuarantineItem] = field(default_factory=list)
    position: Position = field(default_factory=Position)
    table: pa.Table | None = None  # posts already in POST_SCHEMA form (Parquet)
    done_bytes: int = 0
    read: int = 0
    skipped: int = 0
    sent: SentAuthors = field(default_factory=SentAuthors)

    def add(self, obj: Mapping[str, Any], location: str, raw: bytes | None = None) -> None:
        """Normalise one input record, or quarantine it with the reason."""
        self.read += 1
        try:
            row, author = post_row(obj, self.defaults)
        except RecordError as exc:
            self.reject(location, str(exc), raw if raw is not None else _dump(obj), count=False)
            return
        self.rows.append(row)
        if author is not None:
            self._add_author_row(author)

    def add_line(self, obj: Mapping[str, Any], ctx: ReadContext, line: int, raw: bytes) -> None:
        """Add the record of input line ``line`` like :meth:`add` (located only if rejected)."""
        self.read += 1
        try:
            row, author = post_row(obj, self.defaults)
        except RecordError as exc:
            self.reject(ctx.location(line), str(exc), raw, count=False)
            return
        self.rows.append(row)
        if author is not None:
            self._add_author_row(author)

    def add_post(self, post: PostRecord, author: AuthorRecord | None) -> None:
        """Add an already normalised post (and its author)."""
        self.read += 1
        self._append(post)
        if author is not None:
            self.add_author(author)

    def _append(self, post: PostRecord) -> None:
        self.rows.append(tuple(map(post.get, POST_FIELDS)))

    @property
    def post_count(self) -> int:
        """Return how many posts the chunk holds as records (not counting a table)."""
        return len(self.rows)

    def add_table(self, posts: pa.Table) -> None:
        """Add posts that are already a valid posts table."""
        self.read += posts.num_rows
        self.table = posts if self.table is None else pa.concat_tables([self.table, posts])

    def skip(self) -> None:
        """Count an input record that is left out on purpose (e.g. a non-public post)."""
        self.read += 1
        self.skipped += 1

    def add_author(self, author: AuthorRecord) -> None:
        """Add an author profile; later non-empty fields win over earlier ones in one batch."""
        self._add_author_row(list(map(author.get, AUTHOR_FIELDS)))

    def _add_author_row(self, row: list[Any]) -> None:
        key = (row[0], row[1])
        known = self.authors.get(key)
        if known is None:
            self.authors[key] = row
            return
        for i, value in enumerate(row):
            if value is not None:
                known[i] = value

    def reject(self, location: str, reason: str, raw: bytes, *, count: bool = True) -> None:
        """Quarantine one input record."""
        if count:
            self.read += 1
        if len(raw) > MAX_QUARANTINE_RAW:
            reason = f"{reason} (first {MAX_QUARANTINE_RAW} of {len(raw)} bytes kept)"
            raw = raw[:MAX_QUARANTINE_RAW]
        self.quarantined.append(QuarantineItem(self.quarantine_source, location, reason, raw))

    def __len__(self) -> int:
        extra = self.table.num_rows if self.table is not None else 0
        return self.post_count + len(self.quarantined) + self.skipped + extra

    def _changed_authors(self) -> list[list[Any]]:
        """Return the profile rows that differ from what this run stored before."""
        changed = []
        sent = self.sent.changed
        for key, row in self.authors.items():
            if sent(key, tuple(row[:_SEEN] + row[_SEEN + 1 :])):
                changed.append(row)
        return changed

    def to_batch(self, cursor: tuple[str, str] | None) -> Batch:
        """Return the chunk as a batch for :meth:`resonanz.ingest.Ingestor.write`.

        The chunk lets go of its records (its counters stay): they are several times the
        size of the batch and would otherwise live on while the next chunk is read.
        """
        rows, self.rows = self.rows, []
        posts = _table(rows, POST_SCHEMA)
        if self.table is not None:
            posts = self.table if not posts.num_rows else pa.concat_tables([posts, self.table])
        authors = _table(self._changed_authors(), AUTHOR_SCHEMA)
        batch = Batch(posts=posts, authors=authors, quarantined=self.quarantined, cursor=cursor)
        self.authors, self.table, self.quarantined = {}, None, []
        return batch


def _table(rows: Sequence[Sequence[Any]], schema: pa.Schema) -> pa.Table:
    """Convert rows of values in ``schema`` order (the list is emptied) column by column."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    if isinstance(rows, list):
        rows.clear()  # the rows go now, their values with their column
    arrays = []
    for i, spec in enumerate(schema):
        arrays.append(_array(columns[i], spec.type))
        columns[i] = ()
    return pa.Table.from_arrays(arrays, schema=schema)


def _array(values: Sequence[Any], type_: pa.DataType) -> pa.Array:
    """Convert one column; a time column of one value (the import's own) is not converted per row.

    Converting a Python datetime costs as much as parsing it, and every post of an import
    usually carries the same ``collected_at`` (every author the same ``updated_at``).
    """
    if values and pa.types.is_timestamp(type_) and values.count(values[0]) == len(values):
        return pa.repeat(pa.scalar(values[0], type_), len(values))
    return pa.array(values, type=type_)


def _dump(obj: Mapping[str, Any]) -> bytes:
    return orjson.dumps(dict(obj), default=str)
