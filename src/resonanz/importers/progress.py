"""Show a progress bar for imports that take longer than a second, only on a terminal."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Final

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

#: Imports quicker than this never show a bar.
SHOW_AFTER_S: Final = 1.0


class ImportProgress:
    """Track bytes read per file; draw a bar once the import has run for a second.

    The bar is drawn on stderr and only when both stdout and stderr are terminals, so
    piped or captured output never contains control sequences.
    """

    def __init__(self, *, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = sys.stdout.isatty() and sys.stderr.isatty()
        self.enabled = enabled
        self._started = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._file = ("", 0)
        self._done = 0

    def start_file(self, name: str, total_bytes: int) -> None:
        """Begin reporting on one file."""
        self._file = (name, total_bytes)
        self._done = 0
        if self._bar is not None:
            self._new_task()

    def update(self, done_bytes: int) -> None:
        """Report how many bytes of the current file are done."""
        self._done = done_bytes
        if not self.enabled:
            return
        if self._bar is None and time.monotonic() - self._started >= SHOW_AFTER_S:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._new_task()
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done_bytes)

    def _new_task(self) -> None:
        assert self._bar is not None
        name, total = self._file
        self._task = self._bar.add_task(name, total=total or None, completed=self._done)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> ImportProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
