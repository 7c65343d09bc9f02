"""Benchmark: the full ingest pipeline beside its floor (bare import) and VADER-only scoring.

The posts (1M by default) are cut into segments; each segment goes, in turn, through the
floor (parse + store), VADER-only scoring and the full pipeline (normalise, language,
sentiment, emotion, aspects, intents, stakeholders, matching against 500 topic queries,
storage), and optionally the full pipeline with a worker process. Interleaving keeps the
runs comparable on a busy machine: every other segment runs the floor and the full pipeline
in the opposite order, VADER between them, so that a host getting slower or faster favours
neither. The targets compare the runs segment by segment (the median of the per-segment
ratios), which cancels the host's drift between segments; the median rate of each run over
the segments is reported too, with the totals. Peak memory comes from child processes
(:mod:`resonanz.bench.pipeline_memory`).

``python -m resonanz.bench.pipeline_speed [--quick] [--posts N] [--out FILE]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from resonanz.bench import pipeline_memory
from resonanz.bench.machine import cpu_probe_ms
from resonanz.bench.pipeline_runs import (
    TOPICS,
    Pipelines,
    Timing,
    file_texts,
    import_file,
    timed,
    vader_scorer,
)
from resonanz.bench.pipeline_runs import (
    recipe as pipeline_recipe,
)
from resonanz.bench.report import print_figures
from resonanz.scale.firehose import write_jsonl

NAME = "pipeline_speed"
FULL_POSTS, QUICK_POSTS = 1_000_000, 6_000
SEGMENTS, QUICK_SEGMENTS = 10, 2
RUNS = ("floor", "vader", "full", "full_workers")
#: The worker variant runs on the first segments only (it answers "does it pay", not more).
WORKER_SEGMENTS = 2


def measure(
    folder: Path, posts: int, segments: int, workers: int, probes: list[float] | None = None
) -> dict[str, list[Timing]]:
    """Run every segment through every run; return the timings per run.

    ``probes`` gets the host's :func:`cpu_probe_ms` before each segment.
    """
    recipe = pipeline_recipe()
    size = -(-posts // segments)
    runs: dict[str, list[Timing]] = {name: [] for name in RUNS}
    score = vader_scorer()
    pipes = Pipelines(folder / "db", recipe, workers)
    ingestors = {"floor": pipes.floor, "full": pipes.full}
    try:
        for k in range(segments):
            count = min(size, posts - k * size)
            path = folder / f"segment{k}.jsonl"
            write_jsonl(path, count, start=k * size)
            texts = file_texts(path)
            if probes is not None:
                probes.append(cpu_probe_ms())
            first, last = ("floor", "full") if k % 2 == 0 else ("full", "floor")
            with timed(count, runs[first]):
                import_file(ingestors[first], path)
            with timed(count, runs["vader"]):
                score(texts)
            with timed(count, runs[last]):
                import_file(ingestors[last], path)
            if pipes.parallel is not None and pipes.pool is not None and k < WORKER_SEGMENTS:
                with timed(count, runs["full_workers"], pipes.pool.pids):
                    import_file(pipes.parallel, path)
            path.unlink()
    finally:
        pipes.close()
    return {name: values for name, values in runs.items() if values}


def summarise(runs: dict[str, list[Timing]]) -> dict[str, Any]:
    """Return the targets first, then medians and totals per run.

    The comparisons are medians of per-segment ratios (each segment's runs ran back to
    back); ``*_of_medians`` gives the ratio of the runs' median rates beside them.
    """
    medians = {
        name: round(statistics.median(t.per_cpu_s for t in values)) for name, values in runs.items()
    }
    full, floor, vader = medians["full"], medians["floor"], medians["vader"]
    versus_vader = paired_ratio(runs["full"], runs["vader"])
    floor_time = paired_ratio(runs["floor"], runs["full"])
    out: dict[str, Any] = {
        "targets": {
            "full_posts_per_cpu_s": full,
            "full_ge_10k_per_core": full >= 10_000,
            "full_vs_vader": round(versus_vader, 2),
            "full_at_least_vader": versus_vader >= 1.0,
            "full_x_floor_time": round(floor_time, 2),
            "full_within_3x_floor": floor_time <= 3.0,
            "full_vs_vader_of_medians": round(full / vader, 2) if vader else None,
            "full_x_floor_time_of_medians": round(floor / full, 2) if full else None,
        }
    }
    for name, values in runs.items():
        out[name] = {
            "median_posts_per_cpu_s": medians[name],
            "median_posts_per_s": round(statistics.median(t.per_s for t in values)),
            "cpu_s": round(sum(t.cpu_s for t in values), 1),
            "wall_s": round(sum(t.wall_s for t in values), 1),
            "per_segment_cpu": [round(t.per_cpu_s) for t in values],
        }
    if runs.get("full_workers"):
        # against the in-process run on the same (first) segments: early segments are the
        # slowest, so the median over all segments would understate the worker
        paired = runs["full"][: len(runs["full_workers"])]
        speedup = _wall_rate(runs["full_workers"]) / max(_wall_rate(paired), 1e-9)
        out["targets"]["workers_speedup_wall"] = round(speedup, 2)
    return out


def paired_ratio(top: list[Timing], bottom: list[Timing]) -> float:
    """Return the median over segments of ``top``'s rate over ``bottom``'s (posts per CPU-s).

    Segments without a rate on either side are left out; none left: NaN.
    """
    ratios = [
        a.per_cpu_s / b.per_cpu_s
        for a, b in zip(top, bottom, strict=False)
        if a.per_cpu_s and b.per_cpu_s
    ]
    return statistics.median(ratios) if ratios else float("nan")


def _wall_rate(timings: list[Timing]) -> float:
    """Return the posts per wall-clock second over ``timings`` together."""
    wall = sum(t.wall_s for t in timings)
    return sum(t.posts for t in timings) / wall if wall else 0.0


def run(ctx: Any) -> dict[str, Any]:
    """Run the comparison (``ctx.quick``: a small smoke run) and the memory series."""
    quick = bool(getattr(ctx, "quick", False))
    posts = int(getattr(ctx, "posts", 0) or (QUICK_POSTS if quick else FULL_POSTS))
    segments = QUICK_SEGMENTS if quick else max(SEGMENTS, int(getattr(ctx, "repeat", 0) or 0))
    workers = int(getattr(ctx, "workers", 1))
    base = getattr(ctx, "tmp", None)
    with tempfile.TemporaryDirectory(prefix="resonanz-pipeline-", dir=base) as tmp:
        load_before = os.getloadavg()[0]
        probes: list[float] = []
        runs = measure(Path(tmp), posts, segments, workers, probes)
        figures = summarise(runs)
        figures["memory"] = pipeline_memory.series(Path(tmp), quick=quick)
    figures["setup"] = {
        "posts": posts,
        "segments": segments,
        "topics": TOPICS,
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cpu_probe_ms_per_segment": probes,
    }
    return figures


def main() -> None:
    """Run from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--posts", type=int, default=0, help="posts (default 1M)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (0: none)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    print_figures(run(args), args.out)


if __name__ == "__main__":
    main()
