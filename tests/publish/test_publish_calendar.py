"""Calendar: variants and threads, content check, approval flow, import/export, publishing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grapheme
import pytest
from click.testing import CliRunner

from resonanz.cli import main
from resonanz.localnet.bluesky_write import BlueskyWriteState
from resonanz.localnet.mastodon_write import MastodonWriteState
from resonanz.publish import calendar as cal
from resonanz.publish.calendar_io import export_calendar, import_calendar
from resonanz.publish.checks import check_draft, readability
from resonanz.publish.scheduler import deliver
from resonanz.publish.slots import suggest_slot
from resonanz.publish.variants import length, split_thread
from resonanz.workspace import Workspace

LONG = " ".join(
    f"Satz {i}: Das neue Acme Phone hat einen Akku, der zwei Tage hält 👩‍👩‍👧." for i in range(12)
)


def test_bluesky_counts_graphemes_and_threads_fit() -> None:
    assert length("👩‍👩‍👧", "bluesky") == 1
    assert length("https://example.com/" + "x" * 100, "mastodon") == 23
    parts = split_thread(LONG, "bluesky")
    assert len(parts) > 1
    assert all(grapheme.length(p) <= 300 for p in parts)
    assert parts[0].endswith(f"(1/{len(parts)})")
    assert split_thread("kurz", "mastodon") == ["kurz"]


def test_readability_scores_german_and_english() -> None:
    de = readability("Wir sind da. Das ist gut. Ihr könnt uns fragen. Wir helfen gern.")
    en = readability("We are here. This is good. You can ask us. We like to help.")
    assert de is not None and de[0] == "de" and de[1] > 50
    assert en is not None and en[0] == "en" and en[1] > 50


def test_draft_to_published_thread(
    channel_ws: Workspace,
    mastodon_local: tuple[str, MastodonWriteState],
    bluesky_local: tuple[str, BlueskyWriteState],
) -> None:
    text = LONG + " Mehr: https://shop.acme.example/phone"
    with channel_ws.open(write=True) as store:
        con = store.con
        draft_id = cal.add_draft(
            con, channel_ws.settings, text, ["masto", "bsky"], thread=True, campaign="spring"
        )
        draft = cal.get_draft(con, draft_id)
        assert len(draft.variants["masto"]) == 2 and len(draft.variants["bsky"]) > 2
        assert "https://go.acme.example/l/" in draft.variants["masto"][-1]
        assert "shop.acme.example" not in " ".join(draft.variants["bsky"])
        assert not [i for i in check_draft(con, channel_ws.settings, draft) if i.level == "error"]
        with pytest.raises(cal.CalendarError, match="must be in_review"):
            cal.approve(con, channel_ws.settings, draft_id, "chef")
        cal.submit(con, draft_id, "jana")
        cal.approve(con, channel_ws.settings, draft_id, "chef")
        ids = cal.schedule(
            con, channel_ws.settings, draft_id, "jana", datetime.now(UTC) - timedelta(seconds=1)
        )
        report = deliver(store, channel_ws.settings.publish, channel_ws.folder)
        assert sorted(report.published) == sorted(ids)
        assert [a["action"] for a in cal.approvals(con, draft_id)] == [
            "submit",
            "approve",
            "schedule",
        ]
    masto = mastodon_local[1].received("acme")
    assert len(masto) == 2 and masto[1]["in_reply_to_id"] == masto[0]["id"]
    posts = bluesky_local[1].posts_of("acme.bsky.example")
    assert len(posts) == len(draft.variants["bsky"])
    roots = {p["value"].get("reply", {}).get("root", {}).get("uri") for p in posts}
    assert len(roots - {None}) == 1


def test_too_long_without_thread_blocks_approval(channel_ws: Workspace) -> None:
    with channel_ws.open(write=True) as store:
        draft_id = cal.add_draft(store.con, channel_ws.settings, LONG, ["bsky"])
        cal.submit(store.con, draft_id, "jana")
        with pytest.raises(cal.CalendarError, match="content check"):
            cal.approve(store.con, channel_ws.settings, draft_id, "chef")


def test_import_export_roundtrip(channel_ws: Workspace) -> None:
    csv_text = (
        "id,title,text,channels,scheduled_for,campaign,thread,status\n"
        "p1,Launch,Hallo Welt #acme,masto;bsky,2026-05-01T10:00:00+02:00,spring,false,approved\n"
        ",,,masto,,,,\n"
    )
    with channel_ws.open(write=True) as store:
        result = import_calendar(store.con, channel_ws.settings, csv_text, "csv")
        assert result.created == ["p1"] and len(result.errors) == 1
        assert cal.get_draft(store.con, "p1").status == "draft"  # approval is never imported
        exported = export_calendar(store.con, "json")
        again = import_calendar(store.con, channel_ws.settings, exported, "json")
        assert again.updated == ["p1"]
        assert "Hallo Welt" in export_calendar(store.con, "csv")
        slot = suggest_slot(store.con, "Europe/Berlin")
        assert slot > datetime.now(UTC)


def test_calendar_cli(channel_ws: Workspace) -> None:
    runner = CliRunner()
    ws = str(channel_ws.folder)
    out = runner.invoke(main, ["calendar", "add", "Hallo #acme", "--channel", "masto", "-w", ws])
    assert out.exit_code == 0, out.output
    draft_id = out.output.split()[0]
    for step in ("submit", "approve"):
        assert runner.invoke(main, ["calendar", step, draft_id, "-w", ws]).exit_code == 0
    listed = runner.invoke(main, ["calendar", "list", "--json", "-w", ws])
    assert '"approved"' in listed.output
