"""``resonanz fetch``, ``resonanz listen``, ``resonanz accounts`` and ``resonanz localnet``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from resonanz.cli.options import (
    dumps,
    emit_rows,
    load_workspace,
    output_option,
    workers_option,
    workspace_option,
)
from resonanz.secrets import Secret
from resonanz.sources import settings as cfg
from resonanz.sources.fetch import fetch, listen, parse_since
from resonanz.sources.status import SourceState, render

F = TypeVar("F", bound=Callable[..., Any])


def _since_option(func: F) -> F:
    return click.option(
        "--since", default=None, help="Collect nothing older than this date (e.g. 2026-01-31)."
    )(func)


def _common(func: F) -> F:
    return workspace_option(_since_option(func))


def _run_fetch(workspace_dir: Path, since: str | None, source: cfg.AnySource) -> None:
    ws = load_workspace(workspace_dir)
    result = fetch(ws, source, since=parse_since(since))
    summary = asdict(result)
    summary["source"] = cfg.source_id(source)
    click.echo(dumps(summary))


def _secret_env(name: str | None) -> Secret | None:
    return Secret(env=name) if name else None


@click.group("fetch")
def fetch_group() -> None:
    """Run one backfill of a source and exit (cursor kept: the next run continues)."""


@fetch_group.command("mastodon")
@click.option("--instance", default=cfg.MASTODON_URL, show_default=True, help="Instance URL.")
@click.option("--hashtag", help="Hashtag timeline to collect (without #).")
@click.option("--query", help="Full-text search (needs --token-env on most instances).")
@click.option("--token-env", help="Environment variable holding an access token.")
@_common
def fetch_mastodon(
    instance: str,
    hashtag: str | None,
    query: str | None,
    token_env: str | None,
    workspace_dir: Path,
    since: str | None,
) -> None:
    """Collect a hashtag timeline or a search of one Mastodon instance."""
    if bool(hashtag) == bool(query):
        raise click.UsageError("give exactly one of --hashtag or --query")
    source = cfg.MastodonSource(
        instance=instance, hashtag=hashtag, query=query, token=_secret_env(token_env)
    )
    _run_fetch(workspace_dir, since, source)


@fetch_group.command("bluesky")
@click.option("--service", default=cfg.BLUESKY_URL, show_default=True, help="XRPC service URL.")
@click.option("--query", required=True, help="Search query.")
@click.option("--identifier", help="Handle to log in with (when the service needs a session).")
@click.option("--password-env", help="Environment variable holding the app password.")
@_common
def fetch_bluesky(
    service: str,
    query: str,
    identifier: str | None,
    password_env: str | None,
    workspace_dir: Path,
    since: str | None,
) -> None:
    """Collect posts matching a search on Bluesky (app.bsky.feed.searchPosts)."""
    source = cfg.BlueskySource(
        service=service,
        query=query,
        identifier=identifier,
        app_password=_secret_env(password_env),
    )
    _run_fetch(workspace_dir, since, source)


@fetch_group.command("reddit")
@click.option("--query", help="Search query.")
@click.option("--subreddit", help="Restrict to one subreddit (without r/).")
@click.option("--api", "api_url", default=cfg.REDDIT_API_URL, show_default=True)
@click.option("--auth-url", default=cfg.REDDIT_AUTH_URL, show_default=True)
@_common
def fetch_reddit(
    query: str | None,
    subreddit: str | None,
    api_url: str,
    auth_url: str,
    workspace_dir: Path,
    since: str | None,
) -> None:
    """Collect Reddit posts (OAuth app: REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET)."""
    if not query and not subreddit:
        raise click.UsageError("give --query, --subreddit or both")
    source = cfg.RedditSource(query=query, subreddit=subreddit, api_url=api_url, auth_url=auth_url)
    _run_fetch(workspace_dir, since, source)


@fetch_group.command("hackernews")
@click.option("--api", default=cfg.HACKERNEWS_URL, show_default=True, help="Algolia HN API.")
@click.option("--query", required=True, help="Search query.")
@_common
def fetch_hackernews(api: str, query: str, workspace_dir: Path, since: str | None) -> None:
    """Collect Hacker News stories and comments matching a search."""
    _run_fetch(workspace_dir, since, cfg.HackerNewsSource(api=api, query=query))


@fetch_group.command("rss")
@click.option("--url", required=True, help="Feed URL, or a site URL to discover its feed.")
@_common
def fetch_rss(url: str, workspace_dir: Path, since: str | None) -> None:
    """Collect the entries of an RSS or Atom feed."""
    _run_fetch(workspace_dir, since, cfg.RssSource(url=url))


@click.command("listen")
@click.option(
    "--max-seconds", type=float, default=None, help="Stop after this long (default: until Ctrl-C)."
)
@workers_option()
@_common
def listen_cmd(
    workspace_dir: Path, since: str | None, max_seconds: float | None, workers: int | None
) -> None:
    """Run every configured source and account: backfill, then live, until stopped."""
    ws = load_workspace(workspace_dir)
    if sys.stdout.isatty():
        states = _listen_live(ws, since, max_seconds, workers)
    else:

        def show(state: SourceState) -> None:
            click.echo(state.line())

        states = listen(
            ws,
            since=parse_since(since),
            max_seconds=max_seconds,
            on_change=show,
            workers=workers,
        )
    click.echo(f"stopped; {sum(s.posts_new for s in states)} new posts")


def _listen_live(
    ws: Any, since: str | None, max_seconds: float | None, workers: int | None
) -> list[SourceState]:
    from rich.live import Live

    holder: dict[str, Any] = {}

    def start(states: list[SourceState]) -> None:
        holder["states"] = states
        holder["live"] = Live(render(states), refresh_per_second=2)
        holder["live"].start()

    def update(state: SourceState) -> None:
        if "live" in holder:
            holder["live"].update(render(holder["states"]))

    try:
        return listen(
            ws,
            since=parse_since(since),
            max_seconds=max_seconds,
            on_change=update,
            on_start=start,
            workers=workers,
        )
    finally:
        if "live" in holder:
            holder["live"].stop()


@click.command("accounts")
@output_option
@workspace_option
def accounts_cmd(fmt: str, workspace_dir: Path) -> None:
    """List our own accounts by brand, with their status (ok / needs_reauth)."""
    from resonanz.sources.accounts import account_rows, register_accounts

    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        register_accounts(store, ws.settings.accounts)
        rows = account_rows(store)
    emit_rows(rows, fmt, ["brand", "network", "handle", "status", "status_detail", "service_url"])


@click.group("localnet")
def localnet_group() -> None:
    """Local servers that speak the networks' protocols (for trying things offline)."""


@localnet_group.command("serve")
@click.option(
    "--demo-workspace",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Serve the posts of this (demo) workspace.",
)
@click.option("--trickle", type=float, default=2.0, show_default=True, help="New posts per second.")
@click.option(
    "--hold-back", type=float, default=0.1, show_default=True, help="Share of posts released live."
)
@click.option("--max-seconds", type=float, default=None, help="Stop after this long.")
def localnet_serve(
    demo_workspace: Path | None, trickle: float, hold_back: float, max_seconds: float | None
) -> None:
    """Serve Mastodon, Bluesky (+ Jetstream), Reddit, HN and RSS on 127.0.0.1.

    Prints the [[sources]] to paste into a workspace's resonanz.toml for `resonanz listen`.
    """
    from resonanz.localnet.demo import serve_demo

    serve_demo(
        demo_workspace,
        trickle=trickle,
        hold_back=hold_back,
        max_seconds=max_seconds,
        echo=click.echo,
    )


def register(main: click.Group) -> None:
    """Add this module's commands to ``main``."""
    main.add_command(fetch_group)
    main.add_command(listen_cmd)
    main.add_command(accounts_cmd)
    main.add_command(localnet_group)
