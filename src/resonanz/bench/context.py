"""What a benchmark module gets: sizes to use, a scratch folder, timing helpers."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class BenchContext:
    """Options and scratch space shared by the benchmarks of one ``resonanz bench`` run.

    ``quick`` asks for small sizes (a smoke run of seconds); ``repeat`` is how many
    repetitions a timing takes its median over; ``tmp`` is a scratch folder removed after
    the run; ``shared`` lets benchmarks reuse expensive results of earlier ones.
    """

    tmp: Path
    quick: bool = False
    repeat: int = 3
    shared: dict[str, Any] = field(default_factory=dict)

    def size(self, full: int, quick: int) -> int:
        """Return ``quick`` in a quick run, else ``full``."""
        return quick if self.quick else full

    def scratch(self, name: str) -> Path:
        """Return a fresh sub-folder of the scratch space."""
        path = self.tmp / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def median_seconds(self, action: Callable[[], object], repeat: int | None = None) -> float:
        """Run ``action`` ``repeat`` times (default ``self.repeat``); return the median seconds."""
        times = []
        for _ in range(repeat or self.repeat):
            started = time.perf_counter()
            action()
            times.append(time.perf_counter() - started)
        return statistics.median(times)
