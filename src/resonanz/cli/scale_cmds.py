"""Scale-out commands: enrich Parquet on Spark, compute insights over the lake."""

from __future__ import annotations

from pathlib import Path

import click

from resonanz.cli.options import dumps, workspace_option


@click.group()
def scale() -> None:
    """Run the enrichers and insights on Apache Spark over Parquet files."""


@scale.command("enrich")
@click.option("--engine", type=click.Choice(["spark"]), default="spark", show_default=True)
@click.option("--input", "input_path", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--output", "output_path", type=click.Path(path_type=Path), required=True)
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL.")
@click.option("--model-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@workspace_option
def scale_enrich(
    engine: str,
    input_path: Path,
    output_path: Path,
    master: str,
    model_dir: Path | None,
    workspace_dir: Path,
) -> None:
    """Enrich POSTS.parquet on Spark with the same enrichers as the in-process pipeline."""
    from resonanz.config import load_settings
    from resonanz.scale.spark import enrich_parquet, spark_session

    settings = load_settings(workspace_dir)
    session = spark_session(master)
    try:
        rows = enrich_parquet(session, input_path, output_path, settings, model_dir)
    finally:
        session.stop()
    click.echo(f"Enriched {rows} posts into {output_path}")


@scale.command("insights")
@click.argument("name")
@click.option("--input", "input_path", type=click.Path(exists=True, path_type=Path), required=True)
@click.option("--since", default=None, help="ISO date or datetime.")
@click.option("--until", default=None, help="ISO date or datetime.")
@workspace_option
def scale_insights(
    name: str, input_path: Path, since: str | None, until: str | None, workspace_dir: Path
) -> None:
    """Compute insight NAME with DuckDB over enriched Parquet (e.g. Spark's output)."""
    from resonanz.insights import INSIGHTS
    from resonanz.insights.params import InsightParams
    from resonanz.scale.lake import open_lake

    if name not in INSIGHTS:
        raise click.BadParameter(f"unknown insight; choose from {', '.join(sorted(INSIGHTS))}")
    del workspace_dir  # settings are not needed: the lake carries the enriched columns
    con = open_lake(input_path)
    try:
        params = InsightParams.from_strings(since=since, until=until)
        result = INSIGHTS[name].compute(con, params)
    finally:
        con.close()
    click.echo(dumps(result.to_dict(), indent=2))


def register(main: click.Group) -> None:
    """Add the scale-out commands."""
    main.add_command(scale)
