"""Run ``resonanz import`` in a child process; measure its wall time and its own peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from resonanz.workspace import Workspace


@dataclass(frozen=True)
class ChildRun:
    """One measured import."""

    seconds: float
    peak_rss_mb: float
    summary: dict[str, Any]

    @property
    def posts_per_s(self) -> float:
        """Records read per wall-clock second (process start included)."""
        return float(self.summary.get("read", 0)) / self.seconds if self.seconds else 0.0


def import_in_child(data: Path, workspace: Path, *, enrich: bool = False) -> ChildRun:
    """Import ``data`` into a new workspace at ``workspace`` in a fresh Python process.

    Peak memory is the child's own maximum resident set size (``wait4`` rusage), so runs
    do not blur into each other the way ``RUSAGE_CHILDREN`` would.
    """
    Workspace.init(workspace)
    command = [sys.executable, "-m", "resonanz", "import", str(data), "-w", str(workspace)]
    command += ["--json"] + ([] if enrich else ["--no-enrich"])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode not in (0, 3):
        raise RuntimeError(f"import failed ({proc.returncode}): {stderr[-2000:]}")
    return ChildRun(seconds, usage.ru_maxrss / 1024, json.loads(stdout))
