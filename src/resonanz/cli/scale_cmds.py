"""Scale-out commands: enrich Parquet on Spark, compute insights over the lake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from resonanz.cli.options import dumps, insight_filter_options, insight_filters, workspace_option

_PARQUET = click.Path(exists=True, path_type=Path)


@click.group()
def scale() -> None:
    """Run the enrichers and insights on Apache Spark over Parquet files."""


@scale.command("enrich")
@click.option("--engine", type=click.Choice(["spark"]), default="spark", show_default=True)
@click.option("--input", "input_path", type=_PARQUET, required=True, help="Posts Parquet.")
@click.option(
    "--output",
    "output_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Where the enriched posts go (a Parquet folder).",
)
@click.option(
    "--matches",
    "matches_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Also match the workspace's topics and write the matches here (Parquet).",
)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option(
    "--model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Adapted models (default: the workspace's [enrich] model_dir).",
)
@workspace_option
def scale_enrich(
    engine: str,
    input_path: Path,
    output_path: Path,
    matches_path: Path | None,
    master: str,
    model_dir: Path | None,
    workspace_dir: Path,
) -> None:
    """Enrich POSTS.parquet on Spark with the same enrichers as the in-process pipeline."""
    from resonanz.config import load_settings
    from resonanz.scale.spark import enrich_parquet, spark_session

    settings = load_settings(workspace_dir)
    if model_dir is not None:
        enrich = settings.enrich.model_copy(update={"model_dir": str(model_dir.resolve())})
        settings = settings.model_copy(update={"enrich": enrich})
    session = spark_session(master)
    try:
        rows = enrich_parquet(
            session, input_path, output_path, settings, workspace_dir, matches_path
        )
    finally:
        session.stop()
    click.echo(f"Enriched {rows} posts into {output_path}")


@scale.command("insights")
@click.argument("name")
@click.option("--input", "input_path", type=_PARQUET, required=True, help="Enriched posts.")
@click.option("--matches", "matches_path", type=_PARQUET, default=None, help="Topic matches.")
@insight_filter_options
@click.option("--bucket", type=click.Choice(["hour", "day", "week"]), default="day")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@workspace_option
def scale_insights(name: str, input_path: Path, matches_path: Path | None, **options: Any) -> None:
    """Compute insight NAME with DuckDB over enriched Parquet (e.g. Spark's output)."""
    from resonanz.config import CONFIG_NAME, load_settings
    from resonanz.insights import INSIGHTS, InsightParams
    from resonanz.scale.lake import add_topics, open_lake

    if name not in INSIGHTS:
        raise click.BadParameter(
            f"unknown insight {name!r}; choose from {', '.join(sorted(INSIGHTS))}",
            param_hint="NAME",
        )
    params = InsightParams(
        **insight_filters(options),
        bucket=options["bucket"],
        limit=options["limit"],
    )
    extra = {"matches": matches_path} if matches_path is not None else None
    con = open_lake(input_path, extra)
    try:
        if (options["workspace_dir"] / CONFIG_NAME).exists():
            add_topics(con, load_settings(options["workspace_dir"]))
        result = INSIGHTS[name].compute(con, params)
    finally:
        con.close()
    click.echo(dumps(result.to_dict(), indent=2))


def register(main: click.Group) -> None:
    """Add the scale-out commands."""
    main.add_command(scale)
