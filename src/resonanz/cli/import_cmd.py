"""``resonanz import`` and ``resonanz export``: move posts between files and a workspace."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from resonanz.cli.options import dumps, load_workspace, workers_option, workspace_option
from resonanz.export import EXPORT_FORMATS, ExportError, export_posts
from resonanz.importers import FORMATS, FileReport, ImportOptions, ImportSummary, import_files
from resonanz.importers.normalize import FIELDS
from resonanz.importers.progress import ImportProgress
from resonanz.importers.values import RecordError, timestamp_value
from resonanz.pipeline import import_workers, pooled_ingestor
from resonanz.privacy import Pseudonymiser, apply_retention, workspace_salt

#: Exit code of an import that stored what it could but quarantined some records.
EXIT_QUARANTINED = 3


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """Turn ``FIELD=COLUMN`` pairs into ``{field: column}`` (``COLUMN=FIELD`` is understood)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        left, sep, right = pair.partition("=")
        left, right = left.strip(), right.strip()
        if not sep or not left or not right:
            raise click.BadParameter(f"{pair!r} is not FIELD=COLUMN", param_hint="--map")
        if left not in FIELDS and right in FIELDS:
            left, right = right, left
        if left not in FIELDS:
            raise click.BadParameter(
                f"{left!r} is not a field; fields are {', '.join(FIELDS)}", param_hint="--map"
            )
        mapping[left] = right
    return mapping


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: guessed per file.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN", help="CSV column of a field.")
@click.option("--platform", default="import", show_default=True, help="For records without one.")
@click.option("--from-start", is_flag=True, help="Ignore where an earlier import stopped.")
@click.option("--no-enrich", is_flag=True, help="Store without enriching (keeps given enrichment).")
@click.option("--batch-size", type=click.IntRange(1), default=25_000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="Report every stored batch on stderr.")
@workers_option(default="1 for 32 MiB or more of input to enrich on a multi-core machine, else 0")
@workspace_option
def import_cmd(
    files: tuple[Path, ...],
    fmt: str | None,
    maps: tuple[str, ...],
    platform: str,
    from_start: bool,
    no_enrich: bool,
    batch_size: int,
    as_json: bool,
    verbose: bool,
    workers: int | None,
    workspace_dir: Path,
) -> None:
    """Import posts from FILE... (JSON Lines, CSV, Mastodon archive, Parquet).

    Bad records are quarantined (see `resonanz quarantine`) and never stop the import.
    Running the same import again resumes where it stopped. Exit code 0: all records
    stored; 3: some were quarantined; 1: the import could not run.
    """
    options = ImportOptions(fmt, parse_mapping(maps), platform, batch_size, from_start)
    ws = load_workspace(workspace_dir)

    def report_batch(report: FileReport) -> None:
        click.echo(f"stored batch: {report.path} read={report.read}", err=True)

    enrich = False if no_enrich else None
    count = import_workers(ws, files, enrich=enrich) if workers is None else workers
    with (
        ws.open(write=True) as store,
        pooled_ingestor(ws, store, count, local_share=0.0, enrich=enrich) as ingestor,
        ImportProgress() as progress,
    ):
        summary = import_files(
            ingestor, files, options, progress=progress, on_batch=report_batch if verbose else None
        )
        progress.close()
        retention = apply_retention(store, ws.settings.retention)
        summary.retention = {**retention.raw_cleared, **retention.deleted}
    _print_summary(summary, as_json)
    if summary.total("quarantined"):
        sys.exit(EXIT_QUARANTINED)


def _print_summary(summary: ImportSummary, as_json: bool) -> None:
    data = summary.to_dict()
    if as_json:
        click.echo(dumps(data, indent=2))
        return
    for report in summary.files:
        if report.already_done:
            click.echo(f"{report.path}: already imported (use --from-start to read it again)")
    line = (
        f"files {data['files']}, read {data['read']:,}, new {data['new']:,}, "
        f"updated {data['updated']:,}, quarantined {data['quarantined']:,}"
    )
    if data["skipped"]:
        line += f", skipped {data['skipped']:,} non-public"
    click.echo(f"{line} — {data['posts_per_s']:,.0f} posts/s")
    if data["quarantined"]:
        click.echo("See the rejected records and their reasons with `resonanz quarantine`.")


def _when(value: str | None, name: str) -> datetime | None:
    try:
        return timestamp_value(value, name)
    except RecordError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{name}") from None


@click.command("export")
@click.option("--parquet", "parquet_out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jsonl", "jsonl_out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--since", help="Only posts created at or after this time (ISO 8601).")
@click.option("--until", help="Only posts created before this time (ISO 8601).")
@click.option("--pseudonymise", is_flag=True, help="Replace handles by stable pseudonyms.")
@workspace_option
def export_cmd(
    parquet_out: Path | None,
    jsonl_out: Path | None,
    csv_out: Path | None,
    since: str | None,
    until: str | None,
    pseudonymise: bool,
    workspace_dir: Path,
) -> None:
    """Export stored posts to Parquet, JSON Lines or CSV (re-importable with `resonanz import`).

    Handles are pseudonymised with --pseudonymise or when resonanz.toml sets
    [privacy] pseudonymise_exports = true.
    """
    targets = [
        (fmt, path)
        for fmt, path in zip(EXPORT_FORMATS, (parquet_out, jsonl_out, csv_out), strict=True)
        if path is not None
    ]
    if len(targets) != 1:
        raise click.UsageError("name exactly one of --parquet FILE, --jsonl FILE, --csv FILE")
    fmt, out = targets[0]
    ws = load_workspace(workspace_dir)
    pseudo = pseudonymise or ws.settings.privacy.pseudonymise_exports
    pseudonymiser = Pseudonymiser(workspace_salt(ws.folder)) if pseudo else None
    with ws.open(write=False) as store:
        try:
            count = export_posts(
                store.con,
                out,
                fmt,
                since=_when(since, "since"),
                until=_when(until, "until"),
                pseudonymise=pseudonymiser,
            )
        except OSError as exc:
            raise ExportError(f"cannot write {out}: {exc.strerror}") from None
    note = " (handles pseudonymised)" if pseudo else ""
    click.echo(f"Exported {count:,} posts to {out}{note}")


def register(main: click.Group) -> None:
    """Add ``import`` and ``export``."""
    main.add_command(import_cmd)
    main.add_command(export_cmd)
