"""`resonanz demo`: build (or reuse) the demo world, summarise it and serve the dashboard."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

import click

from resonanz.workspace import DB_NAME, Workspace

DEFAULT_FOLDER = "demo-workspace"


def register(main: click.Group) -> None:
    """Add ``demo`` to ``main``."""
    main.add_command(demo)


@click.command()
@click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_FOLDER,
    show_default=True,
    help="Folder of the demo workspace.",
)
@click.option("--no-serve", is_flag=True, help="Print the summary and exit; do not serve.")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the simulation.")
@click.option("--posts", type=click.IntRange(1_500, 5_000_000), default=50_000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--force", is_flag=True, help="Rebuild even if the folder holds a demo already.")
def demo(
    workspace_dir: Path,
    no_serve: bool,
    seed: int,
    posts: int,
    host: str,
    port: int,
    force: bool,
) -> None:
    """Create a workspace filled with a simulated social world and show it.

    About 50,000 German and English posts over the last 90 days about Rheinrad, a fictional
    e-bike maker from Cologne, its products and two competitors, including a battery crisis,
    a viral referral campaign and customer questions to Rheinrad's own accounts.
    """
    from resonanz.demo import build_demo, is_demo, load_truth

    folder = workspace_dir.resolve()
    truth_ready = (folder / "demo-truth.json").exists() and (folder / DB_NAME).exists()
    if truth_ready and is_demo(folder) and not force:
        click.echo(f"Reusing the demo workspace in {folder} (rebuild it with --force).")
        workspace = Workspace.load(folder)
    else:
        started = time.perf_counter()
        workspace = _build(build_demo, folder, seed, posts)
        click.echo(f"Built the demo workspace in {time.perf_counter() - started:.1f} s.")
    truth = load_truth(folder)
    for line in summary_lines(workspace, truth):
        click.echo(line)
    if no_serve:
        return
    if importlib.util.find_spec("resonanz.web.server") is None:
        click.echo("The dashboard is not part of this installation; exiting.")
        return
    server = importlib.import_module("resonanz.web.server")
    server.serve(workspace, host, port)


def _build(build: Any, folder: Path, seed: int, posts: int) -> Workspace:
    """Build with a progress bar on terminals."""
    if not sys.stderr.isatty():
        workspace: Workspace = build(folder, seed=seed, posts=posts)
        return workspace
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("Simulating and storing posts", total=posts)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        workspace = build(folder, seed=seed, posts=posts, progress=advance)
    return workspace


def summary_lines(workspace: Workspace, truth: dict[str, Any]) -> list[str]:
    """Return the short text summary of a demo workspace."""
    with workspace.open() as store:
        con = store.con
        total = store.count("posts")
        by_platform = con.execute(
            "SELECT platform, count(*) FROM posts GROUP BY platform ORDER BY 2 DESC"
        ).fetchall()
        by_lang = con.execute(
            "SELECT coalesce(lang, '?'), count(*) FROM posts GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        topics = con.execute(
            "SELECT t.name, t.kind, count(m.native_id) FROM topics t "
            "LEFT JOIN matches m ON m.topic = t.name "
            "GROUP BY t.name, t.kind ORDER BY t.kind, t.name"
        ).fetchall()
        authors = store.count("authors")
        window = con.execute("SELECT min(created_at), max(created_at) FROM posts").fetchone()
    crisis, viral, questions = truth["crisis"], truth["viral_cascade"], truth["questions"]
    lines = [
        f"Workspace: {workspace.folder}",
        f"Posts: {total:,} by {authors:,} authors"
        + (f", {window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}" if window and window[0] else ""),
        "  by platform: " + ", ".join(f"{p} {n:,}" for p, n in by_platform),
        "  by language: " + ", ".join(f"{p} {n:,}" for p, n in by_lang),
        "Topics: " + ", ".join(f"{name} ({kind}, {n:,} matches)" for name, kind, n in topics),
        f"Crisis: {crisis['aspect']} of {crisis['topic']} from {crisis['start'][:16]} "
        f"to {crisis['end'][:16]} UTC ({crisis['posts']:,} posts)",
        f"Viral campaign: {truth['campaign']['name']}, cascade of {viral['size']} posts "
        f"({viral['depth']} levels deep) on {viral['platform']}",
        f"Questions to our accounts: {len(questions['answered'])} answered, "
        f"{len(questions['unanswered'])} never answered",
        f"Try: resonanz search -w {workspace.folder} '\"Kolibri\" AND Akku'",
    ]
    return lines
