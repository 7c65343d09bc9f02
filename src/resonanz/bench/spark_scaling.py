"""Benchmark: ``resonanz scale enrich`` on Spark local mode with 1 and 2 cores (a scaling curve).

The same Parquet posts are enriched and matched against 500 topics with ``local[1]`` and
``local[2]``; the Spark session start is timed apart from the job. Skipped (with the reason)
where Java or PySpark is missing.

``python -m resonanz.bench.spark_scaling [--quick] [--posts N]``
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from resonanz.bench.pipeline_runs import recipe
from resonanz.bench.report import print_figures
from resonanz.config import Settings
from resonanz.importers.normalize import Defaults, normalize
from resonanz.records import POST_SCHEMA, utcnow
from resonanz.scale.firehose import post_rows

NAME = "spark_scaling"
FULL_POSTS, QUICK_POSTS = 100_000, 2_000
CORES = (1, 2)


def write_posts(path: Path, count: int) -> None:
    """Write ``count`` firehose posts as Parquet in ``POST_SCHEMA`` (in row groups)."""
    defaults = Defaults("bench", "bench", utcnow())
    step = 50_000
    with pq.ParquetWriter(path, POST_SCHEMA) as writer:
        for start in range(0, count, step):
            rows = post_rows(min(step, count - start), start=start)
            posts = [normalize(row, defaults)[0] for row in rows]
            writer.write_table(pa.Table.from_pylist(posts, schema=POST_SCHEMA))


def _one(master: str, source: Path, folder: Path, settings: Settings) -> dict[str, float]:
    from resonanz.scale.spark import enrich_parquet, spark_session

    started = time.perf_counter()
    session = spark_session(master)
    ready = time.perf_counter()
    try:
        rows = enrich_parquet(
            session, source, folder / "enriched", settings, None, folder / "matches"
        )
    finally:
        session.stop()
    done = time.perf_counter()
    shutil.rmtree(folder / "enriched", ignore_errors=True)
    shutil.rmtree(folder / "matches", ignore_errors=True)
    return {
        "session_start_s": round(ready - started, 1),
        "job_s": round(done - ready, 1),
        "posts_per_s": round(rows / (done - ready)),
    }


def run(ctx: Any) -> dict[str, Any]:
    """Enrich the same posts with 1 and 2 local cores; return the curve."""
    if shutil.which("java") is None:
        return {"skipped": "no Java runtime (make setup installs openjdk-17-jre-headless)"}
    if not all(importlib.util.find_spec(name) for name in ("pyspark", "pandas")):
        # Spark's Arrow UDFs need pandas besides PySpark.
        return {"skipped": "PySpark or pandas is missing: pip install 'resonanz[spark]'"}
    quick = bool(getattr(ctx, "quick", False))
    posts = int(getattr(ctx, "posts", 0) or (QUICK_POSTS if quick else FULL_POSTS))
    settings = Settings.model_validate_json(recipe().settings_json)
    out: dict[str, Any] = {"posts": posts, "topics": len(settings.topics)}
    with tempfile.TemporaryDirectory(
        prefix="resonanz-spark-", dir=getattr(ctx, "tmp", None)
    ) as tmp:
        source = Path(tmp) / "posts.parquet"
        write_posts(source, posts)
        for cores in CORES:
            out[f"local_{cores}"] = _one(f"local[{cores}]", source, Path(tmp), settings)
    one, two = out["local_1"]["posts_per_s"], out["local_2"]["posts_per_s"]
    out["speedup_2_cores"] = round(two / one, 2) if one else None
    return out


def main() -> None:
    """Run from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--posts", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    print_figures(run(args), args.out)


if __name__ == "__main__":
    main()
