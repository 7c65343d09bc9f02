"""The ``spark-submit`` entry point: ``resonanz scale enrich`` with the master left to Spark.

``spark-submit [spark options] $(python -c 'import resonanz.scale.submit as s; print(s.__file__)')
--input POSTS --output ENRICHED [--matches MATCHES] [--workspace DIR] [--model-dir DIR]``
(see docs/scale-out.md for shipping the package to the executors).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from resonanz.config import Settings, load_settings
from resonanz.scale.spark import enrich_parquet, spark_session


def settings_of(workspace: Path | None, model_dir: str | None) -> Settings:
    """Return the workspace's settings (defaults without one), ``model_dir`` overriding."""
    settings = load_settings(workspace) if workspace is not None else Settings()
    if model_dir:
        enrich = settings.enrich.model_copy(update={"model_dir": model_dir})
        settings = settings.model_copy(update={"enrich": enrich})
    return settings


def main(argv: list[str] | None = None) -> None:
    """Enrich (and optionally match) Parquet posts on the cluster spark-submit chose."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--input", required=True, help="posts Parquet (file, folder or URL)")
    parser.add_argument("--output", required=True, help="where the enriched posts go")
    parser.add_argument("--matches", default=None, help="where the topic matches go")
    parser.add_argument("--workspace", type=Path, default=None, help="folder of resonanz.toml")
    parser.add_argument("--model-dir", default=None, help="adapted models, readable by executors")
    args = parser.parse_args(argv)
    settings = settings_of(args.workspace, args.model_dir)
    session = spark_session(None)
    try:
        rows = enrich_parquet(
            session,
            args.input,
            args.output,
            settings,
            args.workspace,
            args.matches,
        )
    finally:
        session.stop()
    print(f"Enriched {rows} posts into {args.output}")


if __name__ == "__main__":
    main()
