"""Workspace commands: init, stats, quarantine, topics, secret."""

from __future__ import annotations

from pathlib import Path

import click

from resonanz.cli.options import dumps, emit_rows, load_workspace, output_option, workspace_option
from resonanz.vault import Vault
from resonanz.workspace import Workspace


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(folder: Path) -> None:
    """Create a workspace in FOLDER with a commented example resonanz.toml."""
    ws = Workspace.init(folder)
    click.echo(f"Created workspace {ws.folder}")
    click.echo(f"  settings: {ws.folder / 'resonanz.toml'} (edit topics and sources there)")
    click.echo(f"  database: {ws.db_path}")


def workspace_stats(ws: Workspace) -> dict[str, object]:
    """Counts of what a workspace holds."""
    with ws.open(write=False) as store:
        counts: dict[str, object] = {
            name: store.count(name)
            for name in ("posts", "authors", "edges", "matches", "quarantine", "topics")
        }
        counts["quarantined"] = counts.pop("quarantine")
        rows = store.con.execute(
            "SELECT platform, count(*), min(created_at), max(created_at) FROM posts "
            "GROUP BY platform ORDER BY 2 DESC"
        ).fetchall()
        counts["platforms"] = {r[0]: r[1] for r in rows}
        span = store.con.execute("SELECT min(created_at), max(created_at) FROM posts").fetchone()
        counts["first_post"], counts["last_post"] = span if span else (None, None)
        langs = store.con.execute(
            "SELECT coalesce(lang, 'unknown'), count(*) FROM posts GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        counts["languages"] = {r[0]: r[1] for r in langs}
        topics = store.con.execute(
            "SELECT t.name, t.kind, count(m.native_id) FROM topics t "
            "LEFT JOIN matches m ON m.topic = t.name GROUP BY 1, 2 ORDER BY 1"
        ).fetchall()
        counts["topic_matches"] = {r[0]: {"kind": r[1], "posts": r[2]} for r in topics}
    return counts


@click.command()
@workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def stats(workspace_dir: Path, as_json: bool) -> None:
    """Show what the workspace holds: posts, authors, quarantined records, topics."""
    counts = workspace_stats(load_workspace(workspace_dir))
    if as_json:
        click.echo(dumps(counts, indent=2))
        return
    for key in ("posts", "authors", "edges", "matches", "quarantined", "first_post", "last_post"):
        click.echo(f"{key:>12}: {counts[key]}")
    for key in ("platforms", "languages", "topic_matches"):
        click.echo(f"{key:>12}: {dumps(counts[key])}")


@click.command()
@workspace_option
@output_option
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--raw", "show_raw", is_flag=True, help="Include the raw input.")
def quarantine(workspace_dir: Path, fmt: str, limit: int, show_raw: bool) -> None:
    """List quarantined records with the reason each was rejected."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=False) as store:
        cur = store.con.execute(
            "SELECT id, source, location, reason, created_at, raw FROM quarantine "
            "ORDER BY id LIMIT ?",
            [limit],
        )
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    for row in rows:
        raw = row.pop("raw")
        if show_raw:
            row["raw"] = bytes(raw).decode("utf-8", "replace")[:500] if raw is not None else None
    emit_rows(rows, fmt)


@click.group()
def secret() -> None:
    """Store API tokens encrypted in the workspace (never printed back)."""


@secret.command("set")
@workspace_option
@click.argument("name")
@click.option("--value", prompt=True, hide_input=True, help="The secret (prompted when omitted).")
def secret_set(workspace_dir: Path, name: str, value: str) -> None:
    """Store secret NAME; refer to it as {stored = "NAME"} in resonanz.toml."""
    Vault(load_workspace(workspace_dir).folder).set(name, value)
    click.echo(f"Stored secret {name!r} (encrypted).")


@secret.command("list")
@workspace_option
def secret_list(workspace_dir: Path) -> None:
    """List the names of stored secrets."""
    for name in Vault(load_workspace(workspace_dir).folder).names():
        click.echo(name)


def register(main: click.Group) -> None:
    """Add the workspace commands."""
    for command in (init, stats, quarantine, secret):
        main.add_command(command)
