"""Add a quickly polled source to a test workspace's ``resonanz.toml``."""

from __future__ import annotations

from pathlib import Path


def add_hackernews_source(folder: Path, url: str, query: str = "acme") -> None:
    """Append a Hacker News source on the local server ``url``, polled every 0.2 s."""
    config = folder / "resonanz.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[[sources]]\ntype = "hackernews"\napi = "{url}/api/v1"\nquery = "{query}"\n'
        "poll_seconds = 0.2\nhttp = {backoff_seconds = 0.01, requests_per_minute = 60000}\n",
        encoding="utf-8",
    )
