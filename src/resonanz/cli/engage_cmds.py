"""Commands for answering and publishing: inbox, reply, calendar, publish, links."""

from __future__ import annotations

import signal
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click

from resonanz.cli.options import dumps, emit_rows, load_workspace, output_option, workspace_option
from resonanz.engage import inbox as inbox_lib
from resonanz.engage.replies import reply_to_item, save_reply
from resonanz.engage.response_times import response_report
from resonanz.publish import calendar as cal
from resonanz.publish import outbox
from resonanz.publish.calendar_io import export_calendar, import_calendar
from resonanz.publish.channels import open_publishers
from resonanz.publish.checks import check_draft
from resonanz.publish.scheduler import PublishReport, Scheduler, run_loop
from resonanz.publish.slots import suggest_slot
from resonanz.records import utcnow
from resonanz.track.links import create_link, list_links, short_url
from resonanz.track.referrals import create_referral
from resonanz.track.report import campaign_report


def _print_report(report: PublishReport, as_json: bool) -> None:
    if as_json:
        click.echo(dumps(report.to_dict(), indent=2))
        return
    click.echo(
        f"published {len(report.published)} (reconciled {len(report.reconciled)}), "
        f"retrying {len(report.retrying)}, failed {len(report.failed)}"
    )
    for item_id, error in report.retrying:
        click.echo(f"  retrying {item_id}: {error}")
    for item_id, error in report.failed:
        click.echo(f"  FAILED {item_id}: {error}", err=True)


@click.command("publish")
@workspace_option
@click.option("--once/--loop", default=True, help="Send what is due and exit, or keep running.")
@click.option("--retry-failed", is_flag=True, help="Put failed posts back in the queue first.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
def publish_cmd(workspace_dir: Path, once: bool, retry_failed: bool, as_json: bool) -> None:
    """Publish every scheduled post that is due, exactly once."""
    ws = load_workspace(workspace_dir)
    settings = ws.settings.publish
    with ws.open(write=True) as store, open_publishers(settings, ws.folder) as publishers:
        if retry_failed:
            with store.transaction() as con:
                count = outbox.retry_failed(con, utcnow())
            click.echo(f"{count} failed post(s) back in the queue")
        scheduler = Scheduler(store, publishers, settings)
        if once:
            _print_report(scheduler.run_once(), as_json)
            return
        stopping: list[bool] = []

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        run_loop(scheduler, stop=lambda: bool(stopping))


_INBOX_COLS = ("id", "priority", "clock", "status", "platform", "author", "intents", "text")


@click.group("inbox", invoke_without_command=True)
@workspace_option
@output_option
@click.option("--all", "show_all", is_flag=True, help="Include answered and closed items.")
@click.option("--limit", default=50, show_default=True, help="How many items to show.")
@click.pass_context
def inbox_group(
    ctx: click.Context, workspace_dir: Path, fmt: str, show_all: bool, limit: int
) -> None:
    """Show the inbox, most urgent first (new posts are pulled in first)."""
    ctx.obj = workspace_dir
    if ctx.invoked_subcommand is not None:
        return
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        inbox_lib.sync_inbox(store.con, ws.settings)
        statuses = inbox_lib.STATUSES if show_all else inbox_lib.OPEN
        entries = inbox_lib.list_inbox(store.con, ws.settings, statuses=statuses, limit=limit)
    rows = [e.to_dict() for e in entries]
    emit_rows(rows, fmt, None if fmt == "json" else _INBOX_COLS)


@inbox_group.command("assign")
@click.argument("item", type=int)
@click.argument("who", required=False)
@click.pass_obj
def inbox_assign(workspace_dir: Path, item: int, who: str | None) -> None:
    """Give ITEM to WHO (no WHO: unassign)."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        inbox_lib.assign(store.con, item, who)


@inbox_group.command("note")
@click.argument("item", type=int)
@click.argument("text")
@click.option("--by", default="team", help="Who writes the note.")
@click.pass_obj
def inbox_note(workspace_dir: Path, item: int, text: str, by: str) -> None:
    """Add an internal note to ITEM."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        inbox_lib.add_note(store.con, item, by, text)


@inbox_group.command("status")
@click.argument("item", type=int)
@click.argument("status", type=click.Choice(inbox_lib.STATUSES))
@click.pass_obj
def inbox_status(workspace_dir: Path, item: int, status: str) -> None:
    """Set ITEM's status (e.g. closed)."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        inbox_lib.set_status(store.con, item, status)


@inbox_group.command("saved")
@click.argument("name")
@click.argument("text")
@click.pass_obj
def inbox_saved(workspace_dir: Path, name: str, text: str) -> None:
    """Save a reply template; {author}, {name}, {responder} are filled in."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        save_reply(store.con, name, text)


@inbox_group.command("stats")
@click.pass_obj
def inbox_stats(workspace_dir: Path) -> None:
    """Print response-time health as JSON (backlog, breaches, who answered how fast)."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        inbox_lib.sync_inbox(store.con, ws.settings)
        click.echo(dumps(response_report(store.con, ws.settings).to_dict(), indent=2))


@click.command("reply")
@workspace_option
@click.argument("item", type=int)
@click.argument("text", required=False)
@click.option("--saved", help="Use the saved reply NAME instead of TEXT.")
@click.option("--by", default="team", show_default=True, help="Who answers.")
@click.option("--channel", help="Channel to answer from (default: the post's network).")
def reply_cmd(
    workspace_dir: Path,
    item: int,
    text: str | None,
    saved: str | None,
    by: str,
    channel: str | None,
) -> None:
    """Answer inbox ITEM as a real reply in its thread."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store:
        result = reply_to_item(
            store, ws.settings, ws.folder, item, text, saved=saved, by=by, channel=channel
        )
    if result.state != "published":
        raise click.ClickException(f"reply {result.state}: {result.error}")
    click.echo(f"answered: {result.url or result.remote_id}")


@click.group("calendar")
def calendar_group() -> None:
    """Plan, check, approve and schedule posts."""


@calendar_group.command("list")
@workspace_option
@output_option
def calendar_list(workspace_dir: Path, fmt: str) -> None:
    """List drafts with their variants and status."""
    ws = load_workspace(workspace_dir)
    with ws.open() as store:
        rows = [d.to_dict() for d in cal.list_drafts(store.con)]
    emit_rows(
        rows, fmt, None if fmt == "json" else ("id", "status", "scheduled_for", "channels", "text")
    )


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@calendar_group.command("add")
@workspace_option
@click.argument("text")
@click.option("--channel", "channels", multiple=True, required=True, help="Channel (repeat).")
@click.option("--at", help="When to publish (ISO 8601); default: the suggested slot.")
@click.option("--title")
@click.option("--campaign")
@click.option("--thread", is_flag=True, help="Split into a thread where too long.")
def calendar_add(
    workspace_dir: Path,
    text: str,
    channels: tuple[str, ...],
    at: str | None,
    title: str | None,
    campaign: str | None,
    thread: bool,
) -> None:
    """Add a draft and print its id, content check and slot."""
    ws = load_workspace(workspace_dir)
    with ws.open(write=True) as store, store.transaction() as con:
        when = _at(at) or suggest_slot(con, ws.settings.workspace.timezone)
        draft_id = cal.add_draft(
            con,
            ws.settings,
            text,
            list(channels),
            title=title,
            campaign=campaign,
            thread=thread,
            scheduled_for=when,
        )
        issues = check_draft(con, ws.settings, cal.get_draft(con, draft_id))
    click.echo(f"{draft_id} planned for {when.isoformat()}")
    for issue in issues:
        click.echo(f"  {issue.level}: {issue.message}")


@calendar_group.command("import")
@workspace_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_import(workspace_dir: Path, file: Path) -> None:
    """Import drafts from a .csv or .json file."""
    ws = load_workspace(workspace_dir)
    fmt = "csv" if file.suffix.lower() == ".csv" else "json"
    with ws.open(write=True) as store, store.transaction() as con:
        result = import_calendar(con, ws.settings, file.read_text(encoding="utf-8"), fmt)
    click.echo(f"created {len(result.created)}, updated {len(result.updated)}")
    for error in result.errors:
        click.echo(f"  {error}", err=True)


@calendar_group.command("export")
@workspace_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def calendar_export(workspace_dir: Path, fmt: str) -> None:
    """Print the calendar as JSON or CSV."""
    ws = load_workspace(workspace_dir)
    with ws.open() as store:
        click.echo(export_calendar(store.con, fmt), nl=False)


def _step(name: str, help_text: str) -> None:
    @calendar_group.command(name, help=help_text)
    @workspace_option
    @click.argument("draft")
    @click.option("--by", default="team", show_default=True)
    @click.option("--at", help="Publishing time for schedule (ISO 8601).")
    def command(workspace_dir: Path, draft: str, by: str, at: str | None) -> None:
        ws = load_workspace(workspace_dir)
        with ws.open(write=True) as store, store.transaction() as con:
            if name == "submit":
                cal.submit(con, draft, by)
            elif name == "approve":
                cal.approve(con, ws.settings, draft, by)
            else:
                ids = cal.schedule(con, ws.settings, draft, by, _at(at))
                click.echo(f"{len(ids)} post(s) in the outbox")


_step("submit", "Ask for review of DRAFT.")
_step("approve", "Approve DRAFT (the content check must pass).")
_step("schedule", "Put approved DRAFT into the outbox.")


@click.group("links")
def links_group() -> None:
    """Tracked short links, referrals and campaign reports."""


@links_group.command("create")
@workspace_option
@click.argument("target")
@click.option("--campaign")
@click.option("--network")
@click.option("--post", "post_ref")
@click.option("--advocate", help="Create a referral code and link for this advocate.")
def links_create(
    workspace_dir: Path,
    target: str,
    campaign: str | None,
    network: str | None,
    post_ref: str | None,
    advocate: str | None,
) -> None:
    """Create a tracked short link (or a referral) to TARGET."""
    ws = load_workspace(workspace_dir)
    base = ws.settings.publish.link_base
    with ws.open(write=True) as store, store.transaction() as con:
        if advocate:
            code, link = create_referral(con, advocate, target, campaign)
            click.echo(f"{code} {short_url(base, link)}")
            return
        link = create_link(con, target, campaign=campaign, network=network, post_ref=post_ref)
    click.echo(short_url(base, link))


@links_group.command("list")
@workspace_option
@output_option
@click.option("--campaign")
def links_list(workspace_dir: Path, fmt: str, campaign: str | None) -> None:
    """List links with clicks and unique visitors."""
    ws = load_workspace(workspace_dir)
    with ws.open() as store:
        emit_rows(list_links(store.con, campaign), fmt)


@links_group.command("report")
@workspace_option
@click.argument("campaign")
@click.option("--budget", type=float, help="Spend, for the cost per conversion.")
def links_report(workspace_dir: Path, campaign: str, budget: float | None) -> None:
    """Print the campaign report as JSON."""
    ws = load_workspace(workspace_dir)
    with ws.open() as store:
        click.echo(dumps(campaign_report(store.con, campaign, budget).to_dict(), indent=2))


def register(main: click.Group) -> None:
    """Add this module's commands to ``main``."""
    for command in (inbox_group, reply_cmd, calendar_group, publish_cmd, links_group):
        main.add_command(command)
