"""The workspace's single-writer lock: an OS file lock plus who holds it."""

from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from resonanz.errors import WorkspaceLocked
from resonanz.records import utcnow

LOCK_NAME = ".resonanz.lock"


def holder(lock_path: Path) -> str:
    """Describe the process recorded in ``lock_path`` (pid, command, since)."""
    try:
        info = json.loads(lock_path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    pid = info.get("pid", "?")
    cmd = info.get("command", "")
    since = info.get("since", "")
    return f"process {pid} ({cmd}) since {since}"


class WriterLock:
    """Hold the exclusive writer lock of a workspace folder for the life of the object.

    The lock is an ``flock`` on ``.resonanz.lock``: the OS releases it when the process dies,
    so a ``kill -9`` never leaves a stale lock behind.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`WorkspaceLocked` naming the holder."""
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            who = holder(self.path)
            hint = (
                "; to listen or publish while the dashboard runs, start it as "
                "`resonanz serve --listen --publish`"
                if " serve" in who
                else ""
            )
            raise WorkspaceLocked(
                f"workspace {self.path.parent} is being written by {who}; "
                f"wait for it to finish or stop it (one writer at a time){hint}"
            ) from None
        handle.seek(0)
        handle.truncate()
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
        handle.write(
            json.dumps(
                {"pid": os.getpid(), "command": command[:200], "since": utcnow().isoformat()}
            )
        )
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
