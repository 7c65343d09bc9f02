"""Enrich Parquet posts on Apache Spark with the in-process enrichers, unchanged.

The enrichers are pure functions over Arrow batches, so Spark's ``mapInArrow`` runs them as
they are: each executor builds the enrichment step once per partition from the same
settings and model folder, and feeds it Arrow record batches.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from resonanz.config import Settings
from resonanz.errors import ResonanzError
from resonanz.query.matcher import MATCH_SCHEMA
from resonanz.records import ENRICHED_POST_SCHEMA, POST_SCHEMA, conform

INSTALL_HINT = "Spark support needs PySpark and Java 17+: pip install 'resonanz[spark]'"


class SparkUnavailable(ResonanzError):
    """PySpark or a Java runtime is missing."""


@dataclass(frozen=True)
class SparkJob:
    """What one ``scale enrich`` run needs on every executor."""

    settings_json: str
    folder: str | None = None  # the workspace folder: relative model paths resolve against it

    def enrich_partition(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Enrich one partition's Arrow batches (runs on the executors)."""
        from resonanz.enrich import build_enrich

        settings = Settings.model_validate_json(self.settings_json)
        enrich = build_enrich(settings, Path(self.folder) if self.folder else None)
        for batch in batches:
            table = conform_posts(pa.Table.from_batches([batch]))
            if enrich is not None and table.num_rows:
                table = enrich(table)
            yield from conform_enriched(table).to_batches()

    def match_partition(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Match one partition's enriched posts against the settings' topics (executors)."""
        from resonanz.query import topic_matcher

        settings = Settings.model_validate_json(self.settings_json)
        match = topic_matcher({name: topic.query for name, topic in settings.topics.items()})
        for batch in batches:
            table = pa.Table.from_batches([batch])
            if match is not None and table.num_rows:
                yield from match(table).cast(MATCH_SCHEMA).to_batches()


def conform_posts(table: pa.Table) -> pa.Table:
    """Cast a Parquet posts table to ``POST_SCHEMA`` (extra columns dropped, missing null)."""
    return conform(table, POST_SCHEMA)


def conform_enriched(table: pa.Table) -> pa.Table:
    """Cast an enriched posts table to ``ENRICHED_POST_SCHEMA``."""
    return conform(table, ENRICHED_POST_SCHEMA)


def spark_session(master: str | None = "local[*]", app_name: str = "resonanz") -> Any:
    """Start (or reuse) a Spark session; raise :class:`SparkUnavailable` with the fix.

    ``master=None`` leaves the master to ``spark-submit``.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(INSTALL_HINT) from None
    if not os.environ.get("JAVA_HOME") and not _which("java"):
        raise SparkUnavailable(f"no Java runtime found. {INSTALL_HINT}")
    builder = (
        SparkSession.builder.appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "20000")
    )
    if master is not None:
        builder = builder.master(master)
    if master is not None and master.startswith("local") and not os.environ.get("PYSPARK_PYTHON"):
        # Local workers must run this interpreter (its virtualenv has resonanz); on a
        # cluster, PYSPARK_PYTHON or a shipped environment decides (docs/scale-out.md).
        # PySpark reads the variable when the context starts; the config alone is ignored.
        os.environ["PYSPARK_PYTHON"] = sys.executable
        builder = builder.config("spark.pyspark.python", sys.executable)
    return builder.getOrCreate()


def _which(name: str) -> str | None:
    from shutil import which

    return which(name)


def enrich_parquet(
    session: Any,
    input_path: str | Path,
    output_path: str | Path,
    settings: Settings,
    folder: Path | None = None,
    matches_path: str | Path | None = None,
) -> int:
    """Enrich the posts in ``input_path`` with Spark and write ``output_path``; return rows.

    Paths may be URLs Spark reads (``s3a://…``, ``hdfs://…``): they are passed as text.

    With ``matches_path``, the enriched posts are also matched against the settings'
    topics and the (platform, native_id, topic) rows written there.
    """
    job = SparkJob(settings.model_dump_json(), str(folder.resolve()) if folder else None)
    frame = session.read.parquet(str(input_path))
    cores = int(session.sparkContext.defaultParallelism)
    if frame.rdd.getNumPartitions() < cores:
        # A small input in one file is one partition: spread it so every core works.
        frame = frame.repartition(cores)
    enriched = frame.mapInArrow(job.enrich_partition, spark_schema(ENRICHED_POST_SCHEMA))
    enriched.write.mode("overwrite").parquet(str(output_path))
    if matches_path is not None:
        stored = session.read.parquet(str(output_path))
        matches = stored.mapInArrow(job.match_partition, spark_schema(MATCH_SCHEMA))
        matches.write.mode("overwrite").parquet(str(matches_path))
    return int(session.read.parquet(str(output_path)).count())


def spark_schema(schema: pa.Schema) -> Any:
    """Return the Spark schema of an Arrow schema."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)
