"""Inbox: items from intents and notifications, priority, response clock, replies over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa

from resonanz.engage import inbox, ugc
from resonanz.engage.clock import add_business_minutes, business_minutes
from resonanz.engage.replies import reply_to_item, save_reply
from resonanz.engage.response_times import response_report
from resonanz.engage.settings import BusinessHours
from resonanz.localnet.bluesky_write import BlueskyWriteState
from resonanz.localnet.mastodon_write import MastodonWriteState
from resonanz.records import AUTHOR_SCHEMA, ENRICHED_POST_SCHEMA, to_table, utcnow
from resonanz.store import Store
from resonanz.workspace import Workspace

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = BusinessHours()


def _post(pid: str, author: str, text: str, hours_ago: float, **extra: object) -> dict[str, object]:
    now = utcnow()
    return {
        "platform": extra.pop("platform", "mastodon"),
        "native_id": pid,
        "url": None,
        "author": author,
        "text": text,
        "created_at": now - timedelta(hours=hours_ago),
        "collected_at": now,
        **extra,
    }


def _seed(store: Store, posts: list[dict[str, object]], topic: str = "acme") -> None:
    authors = [
        {
            "platform": "mastodon",
            "handle": "press@news.example",
            "followers": 250_000,
            "updated_at": utcnow(),
        },
        {
            "platform": "mastodon",
            "handle": "kim@social.example",
            "followers": 12,
            "updated_at": utcnow(),
        },
    ]
    table = to_table(authors, AUTHOR_SCHEMA).append_column(
        "stakeholder", pa.array(["press", "customer"])
    )
    with store.transaction():
        store.upsert_posts(to_table(posts, ENRICHED_POST_SCHEMA))
        store.upsert_authors(table)
        store.insert_matches(
            pa.table(
                {
                    "platform": [str(p.get("platform", "mastodon")) for p in posts],
                    "native_id": [str(p["native_id"]) for p in posts],
                    "topic": [topic] * len(posts),
                }
            )
        )


def test_business_minutes_skip_nights_and_weekends() -> None:
    friday_5pm = datetime(2026, 3, 6, 17, 0, tzinfo=BERLIN)
    monday_10am = datetime(2026, 3, 9, 10, 0, tzinfo=BERLIN)
    assert business_minutes(friday_5pm, monday_10am, HOURS, BERLIN) == 120
    due = add_business_minutes(friday_5pm, 120, HOURS, BERLIN)
    assert due.astimezone(BERLIN) == monday_10am
    week = business_minutes(friday_5pm, friday_5pm + timedelta(days=21), HOURS, BERLIN)
    assert week == 3 * 5 * 9 * 60
    assert business_minutes(monday_10am, friday_5pm, HOURS, BERLIN) == 0


def test_inbox_sync_priority_and_clock(workspace: Workspace, store: Store) -> None:
    _seed(
        store,
        [
            _post(
                "1",
                "press@news.example",
                "Acme: warum so teuer?",
                30,
                intents=["question"],
                sentiment="negative",
            ),
            _post("2", "kim@social.example", "Acme kündige ich!", 1, intents=["churn_threat"]),
            _post(
                "3",
                "kim@social.example",
                "Acme ist toll",
                2,
                intents=[],
                sentiment="positive",
                has_media=True,
            ),
        ],
    )
    assert inbox.sync_inbox(store.con, workspace.settings) == 2
    assert inbox.sync_inbox(store.con, workspace.settings) == 0
    entries = inbox.list_inbox(store.con, workspace.settings)
    assert {e.native_id for e in entries} == {"1", "2"}
    press = next(e for e in entries if e.native_id == "1")
    assert press.stakeholder == "press" and press.target_minutes == 240
    assert press.clock in ("breached", "at_risk", "ok")
    assert all(0 < e.priority <= 100 for e in entries)
    assert entries == sorted(entries, key=lambda e: -e.priority)
    inbox.assign(store.con, press.id, "jana")
    inbox.tag(store.con, press.id, ["preis"])
    inbox.add_note(store.con, press.id, "jana", "Preisliste anhängen")
    again = inbox.get_item(store.con, workspace.settings, press.id)
    assert again.status == "assigned" and again.assignee == "jana" and again.tags == ["preis"]
    assert inbox.notes(store.con, press.id)[0]["text"] == "Preisliste anhängen"
    report = response_report(store.con, workspace.settings)
    assert report.open_items == 2
    assert [s["native_id"] for s in ugc.suggest(store.con, workspace.settings)] == ["3"]


def test_reply_goes_out_as_a_real_reply_and_closes_the_clock(
    channel_ws: Workspace, mastodon_local: tuple[str, MastodonWriteState]
) -> None:
    state = mastodon_local[1]
    with channel_ws.open(write=True) as store:
        _seed(
            store, [_post("555", "kim@social.example", "Hat Acme offen?", 3, intents=["question"])]
        )
        inbox.sync_inbox(store.con, channel_ws.settings)
        save_reply(store.con, "hours", "Hallo {name}, wir haben bis 18 Uhr offen. – {responder}")
        item = inbox.list_inbox(store.con, channel_ws.settings)[0]
        result = reply_to_item(
            store, channel_ws.settings, channel_ws.folder, item.id, saved="hours", by="jana"
        )
        assert result.state == "published"
        done = inbox.get_item(store.con, channel_ws.settings, item.id)
        report = response_report(store.con, channel_ws.settings)
    received = state.received("acme")
    assert len(received) == 1
    assert received[0]["in_reply_to_id"] == "555"
    assert received[0]["text"] == (
        "@kim@social.example Hallo kim, wir haben bis 18 Uhr offen. – jana"
    )
    assert done.status == "answered" and done.answered_by == "jana"
    assert done.clock in ("met", "missed") and done.priority == 0
    assert [r.responder for r in report.responders] == ["jana"]


def test_bluesky_reply_carries_root_and_parent(
    channel_ws: Workspace, bluesky_local: tuple[str, BlueskyWriteState]
) -> None:
    state = bluesky_local[1]
    stranger = state.add_account("kim.bsky.example", "x")
    root = state.put(stranger, "3lroot2222222", {"text": "Acme?", "createdAt": "2026-01-01"})
    parent_value = {
        "text": "Acme, antwortet ihr?",
        "createdAt": "2026-01-01",
        "reply": {"root": root, "parent": root},
    }
    parent = state.put(stranger, "3lparent22222", parent_value)
    raw = json.dumps({"uri": parent["uri"], "cid": parent["cid"], "record": parent_value})
    with channel_ws.open(write=True) as store:
        _seed(
            store,
            [
                _post(
                    parent["uri"],
                    "kim.bsky.example",
                    "Acme, antwortet ihr?",
                    1,
                    platform="bluesky",
                    intents=["question"],
                    raw=raw,
                )
            ],
        )
        inbox.sync_inbox(store.con, channel_ws.settings)
        item = inbox.list_inbox(store.con, channel_ws.settings)[0]
        result = reply_to_item(
            store, channel_ws.settings, channel_ws.folder, item.id, "Ja, klar!", by="jana"
        )
    assert result.state == "published", result.error
    ours = state.posts_of("acme.bsky.example")
    assert len(ours) == 1
    assert ours[0]["value"]["reply"] == {"root": root, "parent": parent}
    assert ours[0]["value"]["text"] == "Ja, klar!"


def test_ugc_permission_flow(
    channel_ws: Workspace, mastodon_local: tuple[str, MastodonWriteState]
) -> None:
    with channel_ws.open(write=True) as store:
        _seed(
            store,
            [
                _post(
                    "77",
                    "kim@social.example",
                    "Mein neues Acme Phone!",
                    2,
                    sentiment="positive",
                    has_media=True,
                )
            ],
        )
        target = ("mastodon", "77")
        result = ugc.request_permission(
            store, channel_ws.settings, channel_ws.folder, target, by="jana"
        )
        assert ugc.permission(store.con, target) == "requested"
        assert not ugc.may_use(store.con, target)
        answer = _post("78", "kim@social.example", "Ja, gerne!", 0, reply_to=result.remote_id)
        with store.transaction():
            store.upsert_posts(to_table([answer], ENRICHED_POST_SCHEMA))
        assert ugc.check_answers(store.con) == 1
        assert ugc.may_use(store.con, target)
    request = mastodon_local[1].received("acme")[0]
    assert request["in_reply_to_id"] == "77" and "JA oder NEIN" in request["text"]


def test_answer_given_outside_resonanz_is_noticed(workspace: Workspace, store: Store) -> None:
    with store.transaction() as con:
        con.execute(
            "INSERT INTO accounts VALUES ('mastodon:acme', 'mastodon', 'acme', NULL, NULL, "
            "'ok', NULL, ?)",
            [datetime.now(UTC)],
        )
    _seed(
        store,
        [
            _post("10", "kim@social.example", "Acme Frage?", 5, intents=["question"]),
            _post("11", "acme", "Antwort", 4, reply_to="10"),
        ],
    )
    inbox.sync_inbox(store.con, workspace.settings)
    (item,) = inbox.list_inbox(store.con, workspace.settings, statuses=inbox.STATUSES)
    assert item.status == "answered" and item.answered_by == "acme"
