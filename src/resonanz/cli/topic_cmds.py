"""``resonanz topics``: list, add, remove and test listening topics."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from resonanz.cli.options import emit_rows, load_workspace, output_option, workspace_option
from resonanz.cli.search_cmd import post_row
from resonanz.errors import WorkspaceError
from resonanz.query.search import count_matches, search_posts
from resonanz.query.topics import KINDS, add_topic, list_topics, rematch_topics, remove_topic
from resonanz.query.validate import caret, validate


def register(main: click.Group) -> None:
    """Add the ``topics`` group to ``main``."""

    @main.group("topics")
    def topics() -> None:
        """Manage listening topics: named queries about a brand, product, competitor …

        Topics in resonanz.toml are managed there; `topics add` stores others in the workspace.
        """

    @topics.command("list")
    @output_option
    @workspace_option
    def list_cmd(fmt: str, workspace_dir: Path) -> None:
        """List the topics with their kind, query, origin and stored matches."""
        ws = load_workspace(workspace_dir)
        with ws.open(write=False) as store:
            rows = list_topics(store.con)
        emit_rows(rows, fmt, ("name", "kind", "query", "origin", "matches"))

    @topics.command("add")
    @click.argument("name")
    @click.option("--kind", type=click.Choice(KINDS), required=True, help="What the topic follows.")
    @click.option("--query", "query", required=True, help="The listening query.")
    @click.option(
        "--aspect", "aspects", multiple=True, help="An aspect category to track (repeatable)."
    )
    @workspace_option
    def add_cmd(
        name: str, kind: str, query: str, aspects: tuple[str, ...], workspace_dir: Path
    ) -> None:
        """Add or change topic NAME and match the stored posts against it."""
        problem = validate(query)
        if problem is not None:
            _print_problem(query, problem.position, problem.message)
            sys.exit(1)
        ws = load_workspace(workspace_dir)
        with ws.open(write=True) as store:
            matched = add_topic(store, name, kind=kind, query=query, aspects=aspects)
        click.echo(f"Topic {name!r} saved; {matched} stored posts match.")

    @topics.command("remove")
    @click.argument("name")
    @workspace_option
    def remove_cmd(name: str, workspace_dir: Path) -> None:
        """Remove topic NAME and its matches (topics from resonanz.toml are removed there)."""
        ws = load_workspace(workspace_dir)
        with ws.open(write=True) as store:
            remove_topic(store, name)
        click.echo(f"Topic {name!r} removed.")

    @topics.command("rematch")
    @click.argument("names", nargs=-1)
    @workspace_option
    def rematch_cmd(names: tuple[str, ...], workspace_dir: Path) -> None:
        """Match the stored posts again against topics NAMES (default: every topic).

        Run it after changing a topic's query in resonanz.toml.
        """
        ws = load_workspace(workspace_dir)
        with ws.open(write=True) as store:
            counts = rematch_topics(store, names or None)
        for name, count in counts.items():
            click.echo(f"{name}: {count} stored posts match")

    @topics.command("test")
    @click.argument("query")
    @click.option(
        "--show",
        type=click.IntRange(min=0),
        default=5,
        show_default=True,
        help="Print this many of the newest matching posts.",
    )
    @workspace_option
    def test_cmd(query: str, show: int, workspace_dir: Path) -> None:
        """Check QUERY: point at a syntax error, or say how many stored posts match."""
        problem = validate(query)
        if problem is not None:
            _print_problem(query, problem.position, problem.message)
            sys.exit(1)
        try:
            ws = load_workspace(workspace_dir)
            store = ws.open(write=False)
        except WorkspaceError as exc:
            click.echo(f"The query is valid (no stored posts to test it on: {exc}).")
            return
        with store:
            count = count_matches(store.con, query)
            newest = search_posts(store.con, query, limit=show).to_pylist() if show else []
        click.echo(f"The query is valid; {count} stored posts match.")
        if newest:
            emit_rows(
                [post_row(p) for p in newest], "table", ("created_at", "platform", "author", "text")
            )


def _print_problem(query: str, position: int, message: str) -> None:
    click.echo(caret(query, position), err=True)
    click.echo(f"Error: {message}", err=True)
