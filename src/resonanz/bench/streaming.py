"""Benchmark: does the live path of ``resonanz listen`` keep up with a 10,000 posts/s stream?

A local Jetstream replay (:mod:`resonanz.localnet.replay`, its own process) pushes post
events at a fixed rate; a child process runs the real Bluesky source, collector and ingest
pipeline of a workspace (500 topics, full enrichment) against it. Every committed batch
carries the Jetstream cursor of its last event, so the lag of each event is its commit time
minus the time it was due. Reported: lag percentiles, throughput, resident memory over time,
once in-process and once with a worker process for enrichment and matching.

``python -m resonanz.bench.streaming [--quick] [--rate 10000] [--duration 300]``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from resonanz.bench.pipeline_runs import process_cpu_s
from resonanz.bench.report import print_figures

NAME = "streaming"
FULL_RATE, QUICK_RATE = 10_000.0, 1_000.0
FULL_DURATION, QUICK_DURATION = 60.0, 4.0
GRACE_SECONDS = 30.0


def _start_replay(rate: float, duration: float) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, "-m", "resonanz.localnet.replay", "--rate", str(rate)]
    # It must outlive the consumer (whose start-up and shut-down come on top): it is stopped.
    args += ["--duration", str(duration), "--linger", str(GRACE_SECONDS + 600)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        _stop(proc)
        raise RuntimeError("the replay server did not start")
    return proc, url


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.communicate(timeout=10)
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def one_run(
    rate: float, duration: float, workers: int, local_share: float | None = None
) -> dict[str, Any]:
    """Serve one replay and consume it in a child process; return the child's figures."""
    server, url = _start_replay(rate, duration)
    try:
        args = [sys.executable, "-m", "resonanz.bench.stream_probe", "--url", url]
        args += ["--rate", str(rate), "--duration", str(duration), "--workers", str(workers)]
        args += ["--grace", str(GRACE_SECONDS)]
        if local_share is not None:
            args += ["--local-share", str(local_share)]
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"stream consumer failed: {done.stderr[-2000:]}")
        figures: dict[str, Any] = json.loads(done.stdout)
        figures["server"] = httpx.get(f"{url}/stats", timeout=10).json()
        figures["cpu_s"]["replay_server"] = round(process_cpu_s(server.pid), 1)
        figures["cpu_us_per_post"] = _cpu_per_post(figures)
        # Other work on the machine slows the run down: say how busy it was.
        figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    finally:
        _stop(server)
    return figures


def _cpu_per_post(figures: dict[str, Any]) -> dict[str, float]:
    """CPU microseconds per committed post, per process: what limits an idle machine.

    On a busy machine the lag figures depend on what else runs; these hardly do. The
    estimate divides the cores by the total (the replay server included).
    """
    posts = max(1, int(figures.get("events_committed") or 0))
    per = {k: round(v * 1e6 / posts, 1) for k, v in figures["cpu_s"].items()}
    per["total"] = round(sum(per.values()), 1)
    cores = os.cpu_count() or 1
    per[f"cpu_bound_rate_on_{cores}_cores"] = (
        round(cores * 1e6 / per["total"]) if per["total"] else 0
    )
    return per


def run(ctx: Any) -> dict[str, Any]:
    """Run the replay once in-process and once with one worker process."""
    quick = bool(getattr(ctx, "quick", False))
    rate = float(getattr(ctx, "rate", 0) or (QUICK_RATE if quick else FULL_RATE))
    duration = float(getattr(ctx, "duration", 0) or (QUICK_DURATION if quick else FULL_DURATION))
    modes = getattr(ctx, "modes", None) or ((0,) if quick else (0, 1))
    out: dict[str, Any] = {"quick": quick, "rate": rate, "duration_s": duration}
    share = getattr(ctx, "local_share", None)
    for workers in modes:
        out["workers" if workers else "in_process"] = one_run(rate, duration, workers, share)
    return out


def main() -> None:
    """Run from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--rate", type=float, default=0.0, help="events per second")
    parser.add_argument("--duration", type=float, default=0.0, help="seconds of events")
    parser.add_argument(
        "--modes",
        type=lambda s: tuple(int(x) for x in s.split(",")),
        default=None,
        help="worker counts to run, e.g. 0,1",
    )
    parser.add_argument(
        "--local-share", type=float, default=None, help="share of each batch kept out of workers"
    )
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    print_figures(run(args), args.out)


if __name__ == "__main__":
    main()
