"""Describe the machine a benchmark ran on: CPU, cores, memory, OS, Python, DuckDB."""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

import duckdb
import pyarrow as pa


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except (OSError, ValueError, IndexError):
        pass
    return None


def cpu_probe_ms(repeat: int = 3, loops: int = 1_000_000) -> float:
    """Return the median CPU milliseconds of a fixed pure-Python loop: the host's speed now.

    Shared and virtual machines run at different speeds from hour to hour (other guests, CPU
    steal) although the load average inside looks the same; the same probe before two runs
    tells whether their figures are comparable.
    """
    times = []
    for _ in range(repeat):
        started, total = time.process_time(), 0
        for i in range(loops):
            total += i * i % 7
        times.append(time.process_time() - started)
    return round(statistics.median(times) * 1000, 1)


def describe() -> dict[str, object]:
    """Return the facts that make benchmark figures comparable."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pyarrow": pa.__version__,
        "load_average": load,
        "cpu_probe_ms": cpu_probe_ms(),
    }
