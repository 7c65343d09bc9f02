"""``resonanz search``: find stored posts with a listening query."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from resonanz.cli.options import emit_rows, load_workspace, output_option, workspace_option
from resonanz.query.search import search_posts

#: Keys of each printed post (``id`` is the platform's id of the post).
_KEYS = ("id", "platform", "created_at", "author", "lang", "url", "text", "hashtags", "links")
_ENRICHED = ("sentiment", "sentiment_score", "emotion")
_TABLE_COLUMNS = ("created_at", "platform", "author", "text")


class IsoTime(click.ParamType[date]):
    """An ISO 8601 date (``2024-05-01``) or date-time (``2024-05-01T10:00+02:00``)."""

    name = "ISO-DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return a ``date`` for a plain date, else an aware or naive ``datetime``."""
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            return datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not an ISO date such as 2024-05-01 or 2024-05-01T10:00", param, ctx
            )


def post_row(post: dict[str, Any]) -> dict[str, Any]:
    """Return the printed form of one stored post."""
    row = {key: post.get("native_id" if key == "id" else key) for key in _KEYS}
    for key in _ENRICHED:
        if key in post:
            row[key] = post[key]
    return row


def register(main: click.Group) -> None:
    """Add ``search`` to ``main``."""

    @main.command("search")
    @click.argument("query")
    @click.option(
        "--since",
        type=IsoTime(),
        help="Only posts created at or after this date/time (UTC unless given).",
    )
    @click.option(
        "--until",
        type=IsoTime(),
        help="Only posts created before this date/time; a plain date includes that day.",
    )
    @click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=100,
        show_default=True,
        help="At most this many posts (0: all).",
    )
    @click.option("--platform", "platforms", multiple=True, help="Only this platform (repeatable).")
    @click.option(
        "--lang", "languages", multiple=True, help="Only this language, e.g. de (repeatable)."
    )
    @output_option
    @workspace_option
    def search(
        query: str,
        since: date | None,
        until: date | None,
        limit: int,
        platforms: tuple[str, ...],
        languages: tuple[str, ...],
        fmt: str,
        workspace_dir: Path,
    ) -> None:
        """Print the stored posts matching QUERY, newest first.

        QUERY uses the listening-query language: AND, OR, NOT, -word, (…), "phrases",
        wildcards bahn* and b?hn, a NEAR/3 b, #hashtag, @handle, author:, lang:, platform:,
        site:, raw:. --json prints one JSON object per line.
        """
        if isinstance(until, date) and not isinstance(until, datetime):
            until = until + timedelta(days=1)
        ws = load_workspace(workspace_dir)
        with ws.open(write=False) as store:
            table = search_posts(
                store.con,
                query,
                since=since,
                until=until,
                limit=limit or None,
                platforms=platforms or None,
                languages=languages or None,
            )
        rows = [post_row(post) for post in table.to_pylist()]
        columns = _TABLE_COLUMNS if fmt == "table" else (list(rows[0]) if rows else _KEYS)
        emit_rows(rows, fmt, columns, jsonl=True)
