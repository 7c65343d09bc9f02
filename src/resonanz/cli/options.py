"""Options shared by every command: the workspace, output formats, error handling."""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from resonanz.errors import ResonanzError
from resonanz.workspace import ENV_VAR, Workspace

F = TypeVar("F", bound=Callable[..., Any])


def workspace_option(func: F) -> F:
    """Add ``--workspace DIR`` (default: ``RESONANZ_WORKSPACE`` or the current folder)."""
    return click.option(
        "--workspace",
        "-w",
        "workspace_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=ENV_VAR,
        default=".",
        show_default="current folder, or $RESONANZ_WORKSPACE",
        help="Workspace folder.",
    )(func)


def workers_option(
    when: str = "",
    default: str = "1 for a Jetstream firehose on a multi-core machine, else 0",
) -> Callable[[F], F]:
    """Add ``--workers N``: enrichment processes beside this one (``when``: its condition;
    ``default``: what happens without the option)."""
    return click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=None,
        help=f"{when}Enrichment processes beside this one (default: {default}).",
    )


def output_option(func: F) -> F:
    """Add ``--json / --csv / --table`` (default ``--table``)."""
    return click.option(
        "--json",
        "fmt",
        flag_value="json",
        help="Print JSON.",
    )(
        click.option("--csv", "fmt", flag_value="csv", help="Print CSV.")(
            click.option("--table", "fmt", flag_value="table", default=True, help="Print a table.")(
                func
            )
        )
    )


def parse_when(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """Parse an ISO 8601 date or datetime (naive means UTC)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date like 2026-03-01T12:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def insight_filter_options(func: F) -> F:
    """Add ``--since/--until/--topic/--platform/--lang``, the filters every insight takes."""
    options = (
        click.option(
            "--since", callback=parse_when, help="Start (ISO date/time, inclusive, UTC if naive)."
        ),
        click.option("--until", callback=parse_when, help="End (ISO date/time, exclusive)."),
        click.option(
            "--topic", "topics", multiple=True, help="Only posts of this topic (repeatable)."
        ),
        click.option(
            "--platform", "platforms", multiple=True, help="Only this network (repeatable)."
        ),
        click.option("--lang", "languages", multiple=True, help="Only this language (repeatable)."),
    )
    # Apply bottom-up so --help lists them in the order above.
    for option in reversed(options):
        func = option(func)
    return func


def insight_filters(options: Mapping[str, Any]) -> dict[str, Any]:
    """Return the values of :func:`insight_filter_options` as ``InsightParams`` keywords."""
    return {
        "since": options["since"],
        "until": options["until"],
        "topics": tuple(options["topics"]),
        "platforms": tuple(options["platforms"]),
        "languages": tuple(options["languages"]),
    }


def load_workspace(workspace_dir: Path) -> Workspace:
    """Load the workspace named on the command line."""
    return Workspace.load(workspace_dir)


def json_default(value: object) -> Any:
    """Serialise datetimes, dates, paths and sets for JSON output."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: object, **kwargs: Any) -> str:
    """``json.dumps`` with Resonanz's defaults (UTF-8 kept, datetimes as ISO 8601)."""
    return json.dumps(value, ensure_ascii=False, default=json_default, **kwargs)


def emit_rows(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    jsonl: bool = False,
) -> None:
    """Print rows as JSON (a list, or one object per line), CSV or a table."""
    cols = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        if jsonl:
            for row in rows:
                click.echo(dumps(row))
        else:
            click.echo(dumps(list(rows), indent=2))
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in cols})
        click.echo(buf.getvalue(), nl=False)
    else:
        print_table(rows, cols)


#: Columns whose cells are all at most this wide never wrap; the long ones share the rest.
SHORT_COLUMN = 24
#: The narrowest a long column gets before the table overflows the terminal.
LONG_COLUMN_MIN = 16


def print_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Print rows as a terminal table (rich).

    Short columns (ids, counts, dates) keep their width and only long ones (texts, lists)
    wrap, so a narrow terminal does not squeeze every column to one letter. Output that
    goes to a file or pipe is not wrapped at all.
    """
    from rich.console import Console
    from rich.table import Table

    cells = [[_table_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(col), *(len(r[i]) for r in cells)]) for i, col in enumerate(columns)]
    table = Table(show_lines=False)
    for col, width in zip(columns, widths, strict=True):
        if width <= SHORT_COLUMN:
            table.add_column(col, no_wrap=True, min_width=width)
        else:
            table.add_column(col, overflow="fold", min_width=LONG_COLUMN_MIN)
    for row_cells in cells:
        table.add_row(*row_cells)
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(80, sum(widths) + 3 * len(widths) + 1))
    console.print(table)


def _table_cell(value: object) -> str:
    """Render a cell for reading: times to the second, in UTC, without the offset."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return _cell(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return dumps(value)
    return str(value)


def handle_errors(func: F) -> F:
    """Turn a :class:`ResonanzError` into a one-line message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ResonanzError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]
