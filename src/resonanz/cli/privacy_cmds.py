"""GDPR commands: ``forget``, ``export-author`` and ``retention``."""

from __future__ import annotations

from pathlib import Path

import click

from resonanz.cli.options import dumps, load_workspace, workspace_option
from resonanz.privacy import apply_retention, export_author, forget_author, workspace_salt


@click.command()
@click.option("--author", "handle", required=True, help="The author's handle.")
@click.option("--platform", required=True, help="The platform of the handle, e.g. mastodon.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@workspace_option
def forget(handle: str, platform: str, yes: bool, workspace_dir: Path) -> None:
    """Erase an author: posts, profile, edges, matches, metrics, raw payloads.

    The privacy log keeps only that it was done, with a salted hash of the handle.
    """
    ws = load_workspace(workspace_dir)
    if not yes:
        click.confirm(f"Erase everything stored about {handle} on {platform}?", abort=True)
    with ws.open(write=True) as store:
        counts = forget_author(store, workspace_salt(ws.folder), platform, handle)
    if not counts:
        click.echo("Nothing was stored about this author; the request is logged.")
        return
    click.echo("Erased: " + ", ".join(f"{table} {n}" for table, n in sorted(counts.items())))


@click.command("export-author")
@click.option("--author", "handle", required=True, help="The author's handle.")
@click.option("--platform", required=True, help="The platform of the handle.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON here (default: print it).",
)
@workspace_option
def export_author_cmd(handle: str, platform: str, output: Path | None, workspace_dir: Path) -> None:
    """Print everything stored about one author as JSON (a subject access request)."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=False) as store:
        data = export_author(store.con, workspace_salt(ws.folder), platform, handle)
    text = dumps(data, indent=2)
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"Wrote {len(data['posts'])} posts and the profile of {handle} to {output}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@workspace_option
def retention(dry_run: bool, as_json: bool, workspace_dir: Path) -> None:
    """Apply [retention] raw_days and posts_days of resonanz.toml now.

    Imports apply it too, when they finish.
    """
    ws = load_workspace(workspace_dir)
    settings = ws.settings.retention
    with ws.open(write=True) as store:
        result = apply_retention(store, settings, dry_run=dry_run)
    if as_json:
        click.echo(dumps(result.to_dict(), indent=2))
        return
    if not (settings.raw_days or settings.posts_days):
        click.echo("Retention is off: set raw_days or posts_days under [retention].")
        return
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} raw payloads: {_counts(result.raw_cleared)}")
    click.echo(f"{verb} rows: {_counts(result.deleted)}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in sorted(counts.items())) or "none"


def register(main: click.Group) -> None:
    """Add the privacy commands."""
    for command in (forget, export_author_cmd, retention):
        main.add_command(command)
