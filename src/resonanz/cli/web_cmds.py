"""Dashboard commands: serve, users, API tokens, reports, corrections."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import click

from resonanz.cli.options import (
    emit_rows,
    load_workspace,
    output_option,
    workers_option,
    workspace_option,
)
from resonanz.errors import ResonanzError


@click.command()
@workspace_option
@click.option("--host", default=None, help="Address to listen on (default: [web] host).")
@click.option("--port", type=int, default=None, help="Port to listen on (default: [web] port).")
@click.option(
    "--listen",
    "listen_too",
    is_flag=True,
    help="Also run every source and account, as `resonanz listen` does.",
)
@click.option(
    "--publish",
    "publish_too",
    is_flag=True,
    help="Also publish scheduled posts when due, as `resonanz publish --loop` does.",
)
@workers_option("Only with --listen. ")
def serve(
    workspace_dir: Path,
    host: str | None,
    port: int | None,
    listen_too: bool,
    publish_too: bool,
    workers: int | None,
) -> None:
    """Serve the dashboard of the workspace (and, if asked, listen and publish).

    The dashboard is the workspace's writer while it runs, so `resonanz listen` and
    `resonanz publish --loop` cannot run beside it: --listen and --publish run them
    inside the dashboard's process instead.
    """
    from resonanz.web.jobs import Jobs
    from resonanz.web.server import serve as run

    ws = load_workspace(workspace_dir)
    jobs = Jobs(listen=listen_too, publish=publish_too, workers=workers)
    run(ws, host or ws.settings.web.host, port or ws.settings.web.port, jobs=jobs)


@click.group()
def users() -> None:
    """Manage the people who may log in to the dashboard."""


def _password(given: str | None) -> str:
    if given:
        return given
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("add")
@workspace_option
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["admin", "analyst", "responder", "viewer"]),
    default="viewer",
    show_default=True,
)
@click.option(
    "--password",
    envvar="RESONANZ_PASSWORD",
    default=None,
    help="Password (default: asked; or $RESONANZ_PASSWORD).",
)
def users_add(workspace_dir: Path, username: str, role: str, password: str | None) -> None:
    """Add a user."""
    from resonanz.web.users import add_user

    with load_workspace(workspace_dir).open(write=True) as store:
        user = add_user(store.con, username, _password(password), role)
    click.echo(f"Added {user.username} ({user.role})")


@users.command("list")
@workspace_option
@output_option
def users_list(workspace_dir: Path, fmt: str) -> None:
    """List users and their roles."""
    from resonanz.web.users import list_users

    with load_workspace(workspace_dir).open(write=True) as store:
        rows = [u.__dict__ for u in list_users(store.con)]
    emit_rows(rows, fmt, ["username", "role", "display_name", "created_at", "last_login_at"])


@users.command("remove")
@workspace_option
@click.argument("username")
def users_remove(workspace_dir: Path, username: str) -> None:
    """Remove a user."""
    from resonanz.web.users import remove_user

    with load_workspace(workspace_dir).open(write=True) as store:
        if not remove_user(store.con, username):
            raise ResonanzError(f"no user {username!r}; see `resonanz users list`")
    click.echo(f"Removed {username}")


@users.command("passwd")
@workspace_option
@click.argument("username")
@click.option(
    "--password",
    envvar="RESONANZ_PASSWORD",
    default=None,
    help="New password (default: asked; or $RESONANZ_PASSWORD).",
)
def users_passwd(workspace_dir: Path, username: str, password: str | None) -> None:
    """Set a user's password (ends the user's sessions)."""
    from resonanz.web.users import set_password

    with load_workspace(workspace_dir).open(write=True) as store:
        set_password(store.con, username, _password(password))
    click.echo(f"Changed the password of {username}")


@click.group("api-token")
def api_token() -> None:
    """Manage tokens of the JSON API."""


@api_token.command("create")
@workspace_option
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["admin", "analyst", "responder", "viewer", "shop"]),
    default="viewer",
    show_default=True,
    help="shop: may only report conversions.",
)
def token_create(workspace_dir: Path, name: str, role: str) -> None:
    """Create an API token and print its secret (shown once)."""
    from resonanz.web.users import create_token

    with load_workspace(workspace_dir).open(write=True) as store:
        token, secret = create_token(store.con, name, role)
    click.echo(
        f"Created token {token.id} ({token.role}); use it as 'Authorization: Bearer <token>':",
        err=True,
    )
    click.echo(secret)


def _day(value: str | None, fallback: date) -> date:
    if not value:
        return fallback
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


@click.command()
@workspace_option
@click.option("--from", "since", default=None, help="First day (default: 7 days before --to).")
@click.option("--to", "until", default=None, help="Last day, inclusive (default: yesterday).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to FILE (.pdf or .html).",
)
@click.option("--lang", type=click.Choice(["en", "de"]), default="en", show_default=True)
@click.option("--email", "emails", multiple=True, help="Send the report to this address.")
@click.option("--scheduled", is_flag=True, help="Send the [[web.reports]] that are due now.")
def report(
    workspace_dir: Path,
    since: str | None,
    until: str | None,
    output: Path | None,
    lang: str,
    emails: tuple[str, ...],
    scheduled: bool,
) -> None:
    """Write an HTML or PDF report of a window, or e-mail it."""
    from resonanz.report.delivery import send_due, send_report
    from resonanz.report.files import write_report

    ws = load_workspace(workspace_dir)
    if scheduled:
        for line in send_due(ws, datetime.now(UTC)):
            click.echo(line)
        return
    last = _day(until, datetime.now(UTC).date() - timedelta(days=1))
    first = _day(since, last - timedelta(days=6))
    start = datetime.combine(first, time.min, UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, UTC)
    if output is None and not emails:
        raise click.UsageError("give -o FILE (.pdf or .html) or --email ADDRESS")
    if output is not None:
        write_report(ws, start, end, output, lang)
        click.echo(f"Wrote {output}")
    if emails:
        send_report(ws, start, end, list(emails), "pdf", lang)
        click.echo(f"Sent the report to {', '.join(emails)}")


@click.group()
def corrections() -> None:
    """Analysts' corrections of sentiment, emotion, aspects and intents."""


@corrections.command("export")
@workspace_option
@click.option(
    "--field",
    type=click.Choice(["sentiment", "emotion", "aspects", "intents"]),
    default=None,
    help="Only this field.",
)
def corrections_export(workspace_dir: Path, field: str | None) -> None:
    """Print corrections as `resonanz train` JSONL (text, lang and the corrected field)."""
    from resonanz.web.corrections import to_jsonl, training_rows

    with load_workspace(workspace_dir).open(write=True) as store:
        click.echo(to_jsonl(training_rows(store.con, field)), nl=False)


def register(main: click.Group) -> None:
    """Add this module's commands to ``main``."""
    for command in (serve, users, api_token, report, corrections):
        main.add_command(command)
