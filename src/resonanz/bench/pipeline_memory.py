"""Peak memory of the full pipeline as the input grows: 100k, 1M, 5M posts in a child process.

The child imports the posts part by part into one workspace through the full pipeline and
notes its resident memory at each checkpoint; flat means the peak does not grow with the
input. A time budget bounds the run on slow machines: the child stops after the part that
crosses it and says how many posts it reached.

``python -m resonanz.bench.pipeline_memory --checkpoints 100000,1000000,5000000 --budget-s 0``
(0: no budget)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from resonanz.bench.pipeline_runs import current_rss_mb, import_file, open_db, peak_rss_mb, recipe
from resonanz.ingest import Ingestor
from resonanz.scale.firehose import write_jsonl

FULL_CHECKPOINTS = (100_000, 1_000_000, 5_000_000)
QUICK_CHECKPOINTS = (1_000, 3_000)
FULL_BUDGET_S = 180.0
QUICK_BUDGET_S = 120.0


def grow(folder: Path, checkpoints: tuple[int, ...], budget_s: float) -> dict[str, Any]:
    """Import up to ``checkpoints[-1]`` posts; return the memory at every checkpoint reached."""
    part = max(1_000, min(100_000, checkpoints[0]))
    enrich, enrich_authors, match = recipe().build()
    store = open_db(folder / "db")
    ingestor = Ingestor(store, enrich, match, enrich_authors)
    started = time.perf_counter()
    reached, points = 0, []
    try:
        while reached < checkpoints[-1]:
            path = folder / "part.jsonl"
            write_jsonl(path, part, start=reached)
            reached += import_file(ingestor, path)
            path.unlink()
            if reached in checkpoints:
                points.append(_point(reached, started, store.con))
            if budget_s and time.perf_counter() - started > budget_s:
                break
        if not points or points[-1]["posts"] != reached:
            points.append(_point(reached, started, store.con))
    finally:
        store.close()
    return {"reached": reached, "complete": reached >= checkpoints[-1], "points": points}


def _point(posts: int, started: float, con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return {
        "posts": posts,
        "rss_mb": current_rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
        "duckdb_mb": duckdb_memory(con),
        "seconds": round(time.perf_counter() - started, 1),
    }


def duckdb_memory(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Return DuckDB's own memory by tag (MiB), the largest first: where the growth is."""
    rows = con.execute(
        "SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0 "
        "ORDER BY memory_usage_bytes DESC"
    ).fetchall()
    return {str(tag): round(int(size) / 2**20, 1) for tag, size in rows}


def series(
    folder: Path,
    *,
    quick: bool,
    budget_s: float | None = None,
    checkpoints: tuple[int, ...] | None = None,
) -> dict[str, Any]:
    """Run :func:`grow` in a child process (a clean peak) and return its figures."""
    if checkpoints is None:
        checkpoints = QUICK_CHECKPOINTS if quick else FULL_CHECKPOINTS
    budget = budget_s if budget_s is not None else (QUICK_BUDGET_S if quick else FULL_BUDGET_S)
    args = [sys.executable, "-m", "resonanz.bench.pipeline_memory", "--budget-s", str(budget)]
    args += ["--checkpoints", ",".join(map(str, checkpoints)), "--dir", str(folder)]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    grown: dict[str, Any] = json.loads(done.stdout)
    points = grown["points"]
    peaks = [p["peak_rss_mb"] for p in points]
    figures: dict[str, Any] = {
        "peak_growth_first_to_last": round(peaks[-1] / peaks[0], 2) if peaks[0] else None,
        # the first point still holds the warm-up (DuckDB's pool, the heap) beside the growth
        "peak_growth_second_to_last": (
            round(peaks[-1] / peaks[1], 2) if len(peaks) > 2 and peaks[1] else None
        ),
        "reached_posts": grown["reached"],
        "complete": grown["complete"],
        "budget_s": budget,
    }
    figures.update({f"peak_rss_mb_at_{p['posts']}": p["peak_rss_mb"] for p in points})
    figures.update({f"rss_mb_at_{p['posts']}": p["rss_mb"] for p in points})
    figures.update({f"seconds_to_{p['posts']}": p["seconds"] for p in points})
    figures["duckdb_mb_at_last"] = points[-1]["duckdb_mb"]
    return figures


def main() -> None:
    """Run the child side (prints JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--checkpoints", default=",".join(map(str, FULL_CHECKPOINTS)))
    parser.add_argument("--budget-s", type=float, default=FULL_BUDGET_S)
    parser.add_argument("--dir", type=Path, default=None, help="scratch folder")
    args = parser.parse_args()
    checkpoints = tuple(sorted(int(x) for x in args.checkpoints.split(",")))
    with tempfile.TemporaryDirectory(prefix="resonanz-mem-", dir=args.dir) as tmp:
        print(json.dumps(grow(Path(tmp), checkpoints, args.budget_s)))


if __name__ == "__main__":
    main()
