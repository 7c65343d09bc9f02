"""Open a workspace database as the single writer or as a reader."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Final

import duckdb
import pyarrow as pa

from resonanz.errors import WorkspaceError, WorkspaceLocked
from resonanz.store import writer
from resonanz.store.lock import LOCK_NAME, WriterLock, holder
from resonanz.store.matches import check_keys
from resonanz.store.migrate import migrate

#: DuckDB's words for a file another process holds ("Could not set lock on file …"), but
#: not "block".
_DUCKDB_LOCK = re.compile(r"\block", re.IGNORECASE)
_SETTING = re.compile(r"[a-z_]+")
#: How DuckDB words running out of its memory limit outside an OutOfMemoryException: a
#: commit that cannot pin a block fails with a TransactionException saying so.
_NO_MEMORY = re.compile(r"(could not allocate|failed to pin) block")

#: DuckDB memory limit of a writing connection. DuckDB's default (80 % of the machine's
#: memory) lets its buffer pool keep every block a long import wrote and read, so the
#: writer's peak memory grew with the input; with a bounded pool it stays flat. Work that
#: needs more is spilled to ``<database>.tmp`` beside the database.
WRITER_MEMORY_LIMIT: Final = "128MB"
#: DuckDB memory limit while files are imported. The pool fills up to its limit as an import
#: reads back stored keys batch after batch, so the limit is what the peak grows by: at
#: 128MB an import's peak grew by a fifth from 100k to 1M posts, at 64MB by a tenth from
#: 100k to 500k, at 32MB by a twentieth. With a new connection every
#: :data:`resonanz.ingest.REATTACH_POSTS`, the full pipeline's peak grew from 100k to 5M
#: posts by 26 MB at 32MB and by 14 MB at 16MB (two runs side by side), in the same time
#: (the blocks a batch reads again come from the operating system's cache); 8MB was no
#: flatter than 16MB. Upserts need no more since they stopped using ``INSERT … ON
#: CONFLICT`` (whose pinned memory grew with the table), edges since their insert stopped
#: joining the whole posts table.
IMPORT_MEMORY_LIMIT: Final = "16MB"
#: DuckDB settings of long runs of appends (imports, listening). Each automatic checkpoint
#: (every 16 MiB of log, about 25,000 posts) also merged the tables' row groups ("vacuum"),
#: work that grew with the table: 0.3 s at 25,000 stored posts, 5 s at 375,000. Appends and
#: refreshes leave little to reclaim; a 1M-post import took a fifth less CPU time without it.
#: Other writers (forgetting, retention) still vacuum when they checkpoint.
APPEND_SETTINGS: Final = {"max_vacuum_tasks": 0}
#: Rows per row group of a writing connection (DuckDB's default: 122,880). A transaction
#: writes every full row group it appends straight into the file, compressed; the rest goes
#: through the log, and each checkpoint compresses and writes the table's last, unfinished
#: row group again. With 122,880-row groups, batches of 25,000 posts went through the log
#: and each group was written up to five times: storing a batch of the full pipeline took
#: 791 ms, with 24,576-row groups 538 ms (mean of 13 batches in turn, same data). Smaller
#: groups stored no faster and hold more metadata in memory. DuckDB keeps each written row
#: group's metadata in memory until the database is detached: alone, a long import's
#: resident memory grew by about 13 MB per million posts (pipeline_memory: 437 MB at 1M
#: posts, 488 MB at 5M), so long runs open the file afresh (Store.reattach).
#: Checkpointing every 96 MB of log instead kept memory flat, but the full pipeline then
#: measured 0.97× VADER against 1.08× and 1.13× with these groups (pipeline_speed): the log
#: is still written, and spilled from the import's small pool.
ROW_GROUP_SIZE: Final = 24_576
#: Database names DuckDB itself uses, which an attached workspace cannot take.
_TAKEN_NAMES: Final = frozenset({"memory", "system", "temp", "main"})
#: DuckDB memory limit of a checkpoint that empties a full pool (Store.checkpoint_with_room).
RELIEF_MEMORY_LIMIT: Final = "1GB"
#: Settings a writer changes for a while (imports, streams) that :meth:`Store.reattach`
#: carries over to its new connection; the memory limit follows the store's own state.
CARRIED_SETTINGS: Final = ("threads", "checkpoint_threshold", *APPEND_SETTINGS)
#: Seconds :meth:`Store.reattach` waits for a reader that opened the file in between.
REOPEN_WAIT_S: Final = 30.0
#: Environment variable overriding both limits ("4GB"; empty: DuckDB's default).
MEMORY_LIMIT_ENV: Final = "RESONANZ_WRITER_MEMORY_LIMIT"


class Store:
    """A connection to one workspace database.

    Use :func:`open_store`. Writers hold the workspace lock until :meth:`close`. All record
    writes of one batch go through :meth:`transaction` so that records and the source's
    cursor are committed together.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, lock: WriterLock | None) -> None:
        self.con = con
        self.path = path
        self._lock = lock
        self._import_limit_mb = 0  # the limit (MB) set by import_memory(); 0: none
        self._alone = False  # inside alone(): one writer at a time, no cursor open

    @property
    def writable(self) -> bool:
        """True when this store holds the writer lock."""
        return self._lock is not None

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return a new connection to this store's database (for another thread)."""
        return cursor_of(self.con)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction; roll back on any error."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        try:
            self.con.execute("COMMIT")
        except duckdb.Error:
            _rollback_quietly(self.con)  # a failed commit may leave the transaction open
            raise

    @contextmanager
    def settings(self, values: Mapping[str, int]) -> Iterator[None]:
        """Apply integer DuckDB settings for the block, then restore the previous values."""
        before: dict[str, str] = {}
        try:
            for name, value in values.items():
                if not _SETTING.fullmatch(name):
                    raise ValueError(f"not a setting name: {name!r}")
                row = self.con.execute("SELECT current_setting(?)", [name]).fetchone()
                if row is not None:
                    before[name] = str(row[0])
                self.con.execute(f"SET {name} = ?", [int(value)])
            yield
        finally:
            for name, previous in before.items():
                self.con.execute(f"SET {name} = ?", [int(previous)])

    @contextmanager
    def import_memory(self) -> Iterator[None]:
        """Run a long import under :data:`IMPORT_MEMORY_LIMIT` on one DuckDB thread.

        One thread, because each of DuckDB's threads keeps its own partial hash tables and
        buffers: with two, a batch's edges sometimes ran out of the import's limit, and the
        grown limit raised the rest of the run's peak by a tenth. A batch's statements are
        too small to gain from a second thread (the import's time did not change). An
        environment-set limit (:data:`MEMORY_LIMIT_ENV`) leaves both settings alone.
        :data:`APPEND_SETTINGS` apply either way.
        """
        with self.alone():
            if os.environ.get(MEMORY_LIMIT_ENV) is not None:
                with self.settings(APPEND_SETTINGS):
                    yield
                return
            row = self.con.execute("SELECT current_setting('memory_limit')").fetchone()
            _limit_memory(self.con, IMPORT_MEMORY_LIMIT)
            self._import_limit_mb = _megabytes(IMPORT_MEMORY_LIMIT)
            try:
                with self.settings({"threads": 1, **APPEND_SETTINGS}):
                    yield
            finally:
                self._import_limit_mb = 0
                _limit_memory(self.con, str(row[0]) if row else WRITER_MEMORY_LIMIT)

    @contextmanager
    def alone(self) -> Iterator[None]:
        """Mark a block in which one thread at a time uses the connection and no cursor is open.

        Imports (:meth:`import_memory`) and ``resonanz listen`` run so (a stream's sources
        take turns under one lock); :meth:`reattach` works only inside.
        """
        before, self._alone = self._alone, True
        try:
            yield
        finally:
            self._alone = before

    def grow_import_memory(self) -> bool:
        """Double the import's memory limit, up to :data:`WRITER_MEMORY_LIMIT`; False if at it.

        Batches of large posts (long texts, enrichment, many topic matches) can need more
        than :data:`IMPORT_MEMORY_LIMIT` to commit; the import then retries the batch under
        the larger limit and keeps it for the rest of the run.
        """
        ceiling = _megabytes(WRITER_MEMORY_LIMIT)
        if not self._import_limit_mb or self._import_limit_mb >= ceiling:
            return False
        self._import_limit_mb = min(2 * self._import_limit_mb, ceiling)
        _limit_memory(self.con, f"{self._import_limit_mb}MB")
        return True

    def checkpoint(self) -> None:
        """Write DuckDB's log into the database file now, under the current memory limit.

        Closing checkpoints too, but after an import the limit is back at the writer's,
        and a checkpoint fills whatever pool it may: at the end of a 500k-post import that
        was a peak 70 MB above the whole import's, growing with the store.
        """
        while True:
            try:
                self.con.execute("CHECKPOINT")
                return
            except duckdb.Error as exc:
                if not (is_out_of_memory(exc) and self.grow_import_memory()):
                    raise

    def reattach(self) -> bool:
        """Checkpoint, close the connection and open the workspace in a new one; False if not alone.

        DuckDB keeps the metadata of every row group a connection wrote in memory until the
        database is detached, and a database instance keeps a handle of every temporary
        block it ever made (about 1.9 MB per million posts) until it is closed. A new
        connection is a new instance: it reads metadata only when a query needs it, and
        appends do not. Long runs of batches call it now and then (see
        :data:`resonanz.ingest.REATTACH_POSTS`). Only a writer that owns its connection
        and uses it alone (:meth:`alone`) can; elsewhere it does nothing: another cursor's
        open transaction makes the checkpoint fail, and a cursor (:meth:`cursor`, the
        dashboard's) would lose the database under it. The settings a writer changes
        (:data:`CARRIED_SETTINGS` and the memory limit) carry over to the new connection.
        """
        if self._lock is None or not self._alone:
            return False
        self.checkpoint()
        carried = {
            name: str(row[0])
            for name in CARRIED_SETTINGS
            if (row := self.con.execute("SELECT current_setting(?)", [name]).fetchone())
        }
        self.con.close()
        self.con = _reconnect_writer(self.path)
        for name, value in carried.items():
            self.con.execute(f"SET {name} = ?", [value])
        _limit_memory(self.con, self._memory_limit())
        return True

    def checkpoint_with_room(self) -> None:
        """Checkpoint under :data:`RELIEF_MEMORY_LIMIT`, then restore the memory limit.

        Data committed since the last checkpoint waits in DuckDB's pool. When it fills the
        pool, commits run out of memory, and so would a checkpoint under the same limit
        (which DuckDB treats as fatal); with room it writes that data out and empties the pool.
        """
        self.con.execute("SET memory_limit = ?", [RELIEF_MEMORY_LIMIT])
        try:
            self.con.execute("CHECKPOINT")
        finally:
            limit = self._memory_limit()
            if limit is None:  # the environment asked for DuckDB's default
                self.con.execute("RESET memory_limit")
            _limit_memory(self.con, limit)

    def _memory_limit(self) -> str | None:
        """Return the memory limit in force: the import's, else the writer's (None: DuckDB's)."""
        importing = self._import_limit_mb
        return f"{importing}MB" if importing else writer_memory_limit()

    def upsert_posts(self, posts: pa.Table) -> int:
        """See :func:`resonanz.store.writer.upsert_posts`."""
        return writer.upsert_posts(self.con, posts)

    def upsert_authors(self, authors: pa.Table) -> int:
        """See :func:`resonanz.store.writer.upsert_authors`."""
        return writer.upsert_authors(self.con, authors)

    def insert_edges(self, edges: pa.Table) -> int:
        """See :func:`resonanz.store.writer.insert_edges`."""
        return writer.insert_edges(self.con, edges)

    def insert_matches(self, matches: pa.Table) -> None:
        """See :func:`resonanz.store.writer.insert_matches`."""
        writer.insert_matches(self.con, matches)

    def quarantine(self, items: list[writer.QuarantineItem]) -> int:
        """See :func:`resonanz.store.writer.quarantine`."""
        return writer.quarantine(self.con, items)

    def get_cursor(self, source: str) -> str | None:
        """Return the stored cursor of ``source``."""
        return writer.get_cursor(self.con, source)

    def set_cursor(self, source: str, cursor: str) -> None:
        """Store the cursor of ``source``."""
        writer.set_cursor(self.con, source, cursor)

    def count(self, table: str) -> int:
        """Return the number of rows of one of the store's tables."""
        if not re.fullmatch(r"[a-z_]+", table):
            raise ValueError(f"not a table name: {table!r}")
        rows = self.con.execute(f"SELECT count(*) FROM {table}").fetchall()  # noqa: S608
        return int(rows[0][0])  # fetched to the end: the connection is free for what follows

    def close(self) -> None:
        """Close the connection and release the writer lock."""
        try:
            self.con.close()
        finally:
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_store(path: Path, *, write: bool = True, create: bool = False) -> Store:
    """Open the DuckDB file at ``path``.

    ``write=True`` takes the workspace's writer lock (a second writer gets
    :class:`WorkspaceLocked` naming the holder) and applies pending migrations.
    ``write=False`` opens read-only; it fails with the same clear error while a writer runs.
    """
    folder = path.parent
    if not path.exists() and not create:
        raise WorkspaceError(
            f"no workspace database at {path}; create one with `resonanz init {folder}`"
        )
    lock: WriterLock | None = None
    if write:
        lock = WriterLock(folder)
        lock.acquire()
    try:
        con = _connect_writer(path) if write else duckdb.connect(str(path), read_only=True)
    except (duckdb.IOException, duckdb.ResourceInUseException) as exc:
        if lock is not None:
            lock.release()
        # in one process, a reader meets the writer's handle of the file instead of its lock
        if _DUCKDB_LOCK.search(str(exc)) or isinstance(exc, duckdb.ResourceInUseException):
            raise WorkspaceLocked(
                f"workspace {folder} is being written by {holder(folder / LOCK_NAME)}; "
                "wait for it to finish or stop it (one writer at a time)"
            ) from None
        raise WorkspaceError(f"cannot open {path}: {exc}") from None
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    if write:
        try:
            _limit_memory(con, writer_memory_limit())
            migrate(con)
            check_keys(con)
        except BaseException:
            con.close()
            if lock is not None:
                lock.release()
            raise
    return Store(con, path, lock)


def _connect_writer(path: Path) -> duckdb.DuckDBPyConnection:
    """Open ``path`` for writing with :data:`ROW_GROUP_SIZE` (an option of ``ATTACH`` only).

    The database is attached to an in-memory one under the name a plain ``connect`` gives
    it (the file's stem) and made the default, so every statement reads as before; its
    spill files stay beside it.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET temp_directory = ?", [f"{path}.tmp"])
        _attach(con, path)
    except BaseException:
        con.close()
        raise
    return con


def _reconnect_writer(path: Path) -> duckdb.DuckDBPyConnection:
    """Open ``path`` for writing again (:meth:`Store.reattach`), waiting out a reader.

    Between closing the file and opening it again, a reader in another process (``resonanz
    search`` while an import runs) may open it and hold DuckDB's lock for its query.
    """
    deadline = time.monotonic() + REOPEN_WAIT_S
    pause = 0.01
    while True:
        try:
            return _connect_writer(path)
        except duckdb.IOException as exc:
            if not _DUCKDB_LOCK.search(str(exc)):
                raise
            if time.monotonic() >= deadline:
                raise WorkspaceLocked(
                    f"workspace {path.parent} could not be opened again for writing: {exc}"
                ) from None
            time.sleep(pause)
            pause = min(2 * pause, 0.5)


def _attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Attach the workspace file ``path`` to ``con`` under its name and make it the default."""
    name = _quoted(_attached_name(path))
    con.execute(f"ATTACH ? AS {name} (ROW_GROUP_SIZE {ROW_GROUP_SIZE})", [str(path)])
    con.execute(f"USE {name}")


def _attached_name(path: Path) -> str:
    """Return the name a writer attaches ``path`` under: the name a plain ``connect`` gives."""
    return path.stem if path.stem.lower() not in _TAKEN_NAMES else "workspace"


def cursor_of(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Return ``con.cursor()`` reading the workspace ``con`` reads by default.

    A cursor starts in DuckDB's default database: for a writer (see :func:`_connect_writer`)
    the in-memory one, so the attached workspace file is made its default too (``USE`` is
    per cursor). Only the new cursor is asked: ``con`` may be in the middle of a result.
    """
    cursor = con.cursor()
    files = cursor.execute(
        "SELECT database_name FROM duckdb_databases() WHERE path IS NOT NULL AND NOT internal"
    ).fetchall()
    current = cursor.execute("SELECT current_database()").fetchall()
    if len(files) == 1 and current and current[0][0] == "memory":
        cursor.execute(f"USE {_quoted(str(files[0][0]))}")
    return cursor


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def writer_memory_limit() -> str | None:
    """Return the memory limit for writing connections (None: DuckDB's own default)."""
    value = os.environ.get(MEMORY_LIMIT_ENV, WRITER_MEMORY_LIMIT).strip()
    return value or None


def is_out_of_memory(exc: BaseException | None) -> bool:
    """Tell whether a DuckDB error, or one it was raised while handling, is out of memory.

    The chain matters: clean-up after an out-of-memory error inside a transaction fails
    with "transaction is aborted", which hides the original error. A commit that runs out
    fails as a transaction error ("Failed to commit: failed to pin block …").
    """
    while exc is not None:
        if isinstance(exc, duckdb.OutOfMemoryException) or (
            isinstance(exc, duckdb.Error) and _NO_MEMORY.search(str(exc))
        ):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _megabytes(size: str) -> int:
    """Return the megabytes of a size written like ``32MB``."""
    return int(size.removesuffix("MB"))


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    with suppress(duckdb.Error):  # no transaction left open: DuckDB rolled it back itself
        con.execute("ROLLBACK")


def _limit_memory(con: duckdb.DuckDBPyConnection, limit: str | None) -> None:
    if limit is None:
        return
    try:
        con.execute("SET memory_limit = ?", [limit])
    except duckdb.Error:
        raise WorkspaceError(
            f"invalid {MEMORY_LIMIT_ENV}={limit!r}; give a size such as 512MB or 2GB, "
            "or leave it empty for DuckDB's default"
        ) from None
