"""Run the benchmark modules listed in :data:`resonanz.bench.BENCHMARKS` and record results."""

from __future__ import annotations

import importlib
import json
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from resonanz.bench import BENCHMARKS
from resonanz.bench.context import BenchContext
from resonanz.bench.machine import describe
from resonanz.bench.report import markdown, update_readme, write_result
from resonanz.records import utcnow


def benchmark_name(module_name: str) -> str:
    """Return the short name of a benchmark module (its ``NAME`` or last dotted part)."""
    module = importlib.import_module(module_name)
    return str(getattr(module, "NAME", module_name.rsplit(".", 1)[-1]))


def run_benchmarks(
    out: Path,
    *,
    quick: bool = False,
    only: Sequence[str] = (),
    repeat: int | None = None,
    readme: Path | None = None,
    echo: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """Run the benchmarks (all, or those named in ``only``); write JSON and the README table.

    A benchmark that fails is recorded with its error; the others still run.
    """
    selected = [m for m in BENCHMARKS if not only or benchmark_name(m) in only]
    unknown = set(only) - {benchmark_name(m) for m in BENCHMARKS}
    if unknown:
        names = ", ".join(benchmark_name(m) for m in BENCHMARKS)
        raise ValueError(f"unknown benchmark(s) {', '.join(sorted(unknown))}; known: {names}")
    machine = describe()
    results = []
    with tempfile.TemporaryDirectory(prefix="resonanz-bench-") as tmp:
        ctx = BenchContext(Path(tmp), quick=quick, repeat=repeat or (1 if quick else 3))
        for module_name in selected:
            echo(f"running {benchmark_name(module_name)} …")
            result = _run_one(module_name, ctx, machine)
            write_result(out, result)
            results.append(result)
    update_readme(readme or out.parent / "README.md", markdown(stored_results(out), machine))
    return results


def stored_results(out: Path) -> list[dict[str, Any]]:
    """Return every result in ``out``, listed benchmarks first, so the table covers them all."""
    order = {benchmark_name(m): i for i, m in enumerate(BENCHMARKS)}
    found = []
    for path in sorted(out.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "name" in data:
            found.append(data)
    return sorted(found, key=lambda r: (order.get(str(r["name"]), len(order)), str(r["name"])))


def _run_one(module_name: str, ctx: BenchContext, machine: dict[str, object]) -> dict[str, Any]:
    name = benchmark_name(module_name)
    started = time.perf_counter()
    result: dict[str, Any] = {"name": name, "module": module_name, "quick": ctx.quick}
    try:
        result["figures"] = importlib.import_module(module_name).run(ctx)
    except Exception as exc:  # a broken benchmark must not hide the others' results
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc(limit=5)
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["finished_at"] = utcnow().isoformat(timespec="seconds")
    result["machine"] = machine
    return result
