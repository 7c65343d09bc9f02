"""Commands `resonanz insights NAME` and `resonanz alerts run|list|test`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from resonanz.alerts.service import list_alerts, run_alerts, send_test
from resonanz.cli.options import (
    dumps,
    emit_rows,
    insight_filter_options,
    insight_filters,
    load_workspace,
    output_option,
    parse_when,
    workspace_option,
)
from resonanz.errors import ConfigError
from resonanz.insights import INSIGHTS, InsightParams
from resonanz.insights.params import BUCKETS


def _insight_command(name: str, module: ModuleType) -> click.Command:
    summary = (module.__doc__ or name).strip().splitlines()[0]

    @click.command(name, help=summary)
    @workspace_option
    @insight_filter_options
    @click.option("--bucket", type=click.Choice(list(BUCKETS)), default="day", show_default=True)
    @click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
    @click.option("--window-hours", type=float, default=24.0, help="trends: window width.")
    @click.option("--min-size", type=int, default=5, help="cascades: smallest cascade shown.")
    @click.option("--target-hours", type=float, default=4.0, help="response-times: target.")
    @output_option
    def command(workspace_dir: Path, fmt: str, **options: Any) -> None:
        ws = load_workspace(workspace_dir)
        params = InsightParams(
            **insight_filters(options),
            bucket=options["bucket"],
            limit=options["limit"],
            timezone=ws.settings.workspace.timezone,
            own_accounts=tuple((a.network, a.handle) for a in ws.settings.accounts),
            window=timedelta(hours=options["window_hours"]),
            min_size=options["min_size"],
            target=timedelta(hours=options["target_hours"]),
        )
        with ws.open() as store:
            result = module.compute(store.con, params)
        if fmt == "json":
            click.echo(dumps(result.to_dict(), indent=2))
        else:
            emit_rows(_rows(result), fmt)

    return command


def _rows(result: Any) -> list[dict[str, Any]]:
    """Return the result's main table with nested values flattened to JSON text."""
    rows: list[dict[str, Any]] = result.rows()
    return [{k: v for k, v in row.items() if not isinstance(v, list | dict)} for row in rows]


@click.group("insights")
def insights_group() -> None:
    """Answer marketing questions from the stored posts (one subcommand per insight)."""


for _name, _module in INSIGHTS.items():
    insights_group.add_command(_insight_command(_name, _module))


@insights_group.command("cascades-eval")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder with twitter16_tree_edges.tsv.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("benchmarks/results/cascades_twitter16.json"),
    show_default=True,
)
def cascades_eval(data: Path, out: Path) -> None:
    """Check the cascade early-warning score on the Twitter16 propagation trees."""
    from resonanz.insights.cascade_eval import EDGES_FILE, evaluate, write_result

    if not (data / EDGES_FILE).exists():
        raise ConfigError(f"{data / EDGES_FILE} not found; point --data at the Twitter16 folder")
    result = evaluate(data)
    write_result(result, out)
    click.echo(dumps(result, indent=2))


@click.group("alerts")
def alerts_group() -> None:
    """Crisis and spike alerts configured in [alerts] of resonanz.toml."""


@alerts_group.command("run")
@workspace_option
@click.option("--at", "at", callback=parse_when, help="Evaluate as of this time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the new alerts as JSON.")
def alerts_run(workspace_dir: Path, at: datetime | None, as_json: bool) -> None:
    """Check every rule, store new alerts and deliver them."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store, store.transaction() as con:
        alerts = run_alerts(con, ws.settings.alerts, at, ws.folder)
    if as_json:
        click.echo(dumps([a.__dict__ for a in alerts], indent=2))
        return
    for alert in alerts:
        click.echo(f"#{alert.id} {alert.headline}")
        for channel, outcome in alert.delivery.items():
            click.echo(f"  {channel}: {outcome}")
    click.echo(f"{len(alerts)} new alert(s)")


@alerts_group.command("list")
@workspace_option
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@output_option
def alerts_list(workspace_dir: Path, limit: int, fmt: str) -> None:
    """Show the newest stored alerts."""
    ws = load_workspace(workspace_dir)
    with ws.open() as store:
        rows = list_alerts(store.con, limit)
    columns = ["id", "rule", "window_start", "score", "headline", "delivery"]
    emit_rows(rows, fmt, None if fmt == "json" else columns)


@alerts_group.command("test")
@workspace_option
@click.argument("rule", required=False)
def alerts_test(workspace_dir: Path, rule: str | None) -> None:
    """Send a sample alert through the channels of RULE (default: every rule)."""
    ws = load_workspace(workspace_dir)
    rules = [r for r in ws.settings.alerts.rules if rule is None or r.name == rule]
    if not rules:
        raise ConfigError(
            f"no alert rule {rule!r}; add one under [[alerts.rules]] in resonanz.toml"
            if rule
            else "no alert rules; add one under [[alerts.rules]] in resonanz.toml"
        )
    for item in rules:
        for channel, outcome in send_test(item, ws.settings.alerts, ws.folder).items():
            click.echo(f"{item.name} {channel}: {outcome}")


def register(main: click.Group) -> None:
    """Add this module's commands to ``main``."""
    main.add_command(insights_group)
    main.add_command(alerts_group)
