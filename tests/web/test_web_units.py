"""The dashboard's library parts: languages, users, corrections, calendar grid, present."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from dashboard_world import build_world

from resonanz.store import Store
from resonanz.web.calendar_grid import grid
from resonanz.web.corrections import CorrectionError, correct, history, to_jsonl, training_rows
from resonanz.web.i18n import LANGUAGES, catalogue, negotiate, translator
from resonanz.web.mentions import MentionFilter, export_csv, mentions
from resonanz.web.present import blocks
from resonanz.web.server import ensure_demo_user
from resonanz.web.users import (
    UserError,
    add_user,
    authenticate,
    create_token,
    get_user,
    set_password,
    token_role,
)
from resonanz.workspace import Workspace


def test_catalogues_have_the_same_keys() -> None:
    assert set(catalogue("de")) == set(catalogue("en"))
    assert all(catalogue(lang)[k].strip() for lang in LANGUAGES for k in catalogue(lang))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-CH, de;q=0.9, en;q=0.8", "de"),
        ("en-GB,en;q=0.9,de;q=0.5", "en"),
        ("fr", "en"),
        (None, "en"),
        ("de;q=oops", "de"),
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_translator_falls_back_and_fills_values() -> None:
    _ = translator("de")
    assert _("nav.overview") == "Überblick"
    assert _("no.such.key") == "no.such.key"
    assert "7" in _("topic.saved", name="x", count=7)


def test_users_hash_passwords_and_end_sessions(store: Store) -> None:
    user = add_user(store.con, "jana", "long-password", "analyst")
    stored = store.con.execute("SELECT password_hash FROM web_users").fetchone()
    assert stored is not None and str(stored[0]).startswith("$argon2")
    assert authenticate(store.con, "jana", "long-password") == get_user(store.con, "jana")
    assert authenticate(store.con, "jana", "wrong-password") is None
    assert authenticate(store.con, "nobody", "long-password") is None
    set_password(store.con, "jana", "another-password")
    changed = get_user(store.con, "jana")
    assert changed is not None and changed.session_epoch == user.session_epoch + 1
    with pytest.raises(UserError, match="8 characters"):
        add_user(store.con, "kim", "short", "viewer")
    with pytest.raises(UserError, match="role"):
        add_user(store.con, "kim", "long-password", "king")
    with pytest.raises(UserError, match="exists"):
        add_user(store.con, "jana", "long-password", "viewer")


def test_tokens_are_stored_as_digests(store: Store) -> None:
    token, secret = create_token(store.con, "shop", "shop")
    assert token_role(store.con, secret) == (token.id, "shop")
    assert token_role(store.con, secret + "x") is None
    row = store.con.execute("SELECT token_sha256 FROM web_api_tokens").fetchone()
    assert row is not None and secret not in str(row[0])


def test_demo_user_gets_a_fresh_printed_password(workspace: Workspace) -> None:
    user, first = ensure_demo_user(workspace)
    _user, second = ensure_demo_user(workspace)
    assert user.role == "admin" and first != second
    with workspace.open(write=True) as store:
        assert authenticate(store.con, "demo", second) is not None


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("units") / "ws"
    build_world(folder, count=60)
    return folder


def test_corrections_change_the_post_and_export_train_jsonl(world: Path) -> None:
    with Workspace.load(world).open(write=True) as store:
        correct(store.con, "mastodon", "1", "sentiment", "negative", "ana")
        correct(store.con, "mastodon", "1", "sentiment", "positive", "ana")
        correct(store.con, "mastodon", "1", "aspects", ["battery:negative"], "ana")
        correct(store.con, "mastodon", "1", "intents", ["question"], "ana")
        with pytest.raises(CorrectionError):
            correct(store.con, "mastodon", "1", "sentiment", "furious", "ana")
        with pytest.raises(CorrectionError):
            correct(store.con, "mastodon", "1", "text", "x", "ana")
        post = mentions(store.con, MentionFilter(), limit=100)
        one = next(p for p in post if p["native_id"] == "1")
        assert one["sentiment"] == "positive" and one["aspects"] == ["battery:negative"]
        assert history(store.con, "mastodon", "1")[0].field == "intents"
        rows = [json.loads(line) for line in to_jsonl(training_rows(store.con)).splitlines()]
    by_task = {r["task"]: r for r in rows}
    assert by_task["sentiment"]["sentiment"] == "positive" and by_task["sentiment"]["text"]
    assert by_task["aspects"]["aspects"] == [{"category": "battery", "polarity": "negative"}]
    assert len(rows) == 3


def test_mention_filters_and_csv_defuse_formulas(world: Path) -> None:
    with Workspace.load(world).open(write=True) as store:
        flt = MentionFilter(platform="bluesky", sentiment="negative", topic="acme")
        rows = mentions(store.con, flt, limit=500)
        assert rows and all(r["platform"] == "bluesky" for r in rows)
        assert all(r["sentiment"] == "negative" for r in rows)
        by_query = mentions(store.con, MentionFilter(query="rival AND NOT acme"), limit=500)
        assert by_query and all("acme" not in r["text"].lower() for r in by_query)
    text = export_csv([{"text": '=HYPERLINK("http://evil")', "author": "@x"}])
    assert "'=HYPERLINK" in text and "'@x" in text


def test_calendar_grid_places_entries_in_local_days() -> None:
    entry = {"scheduled_for": datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "text": "x"}
    weeks = grid("month", date(2026, 4, 10), [entry], "Europe/Berlin")
    days = {d.day: d for week in weeks for d in week}
    assert days[date(2026, 4, 1)].entries[0]["local_time"] == "00:30"
    assert all(len(week) == 7 for week in weeks)
    assert len(grid("week", date(2026, 4, 10), [], "UTC")) == 1


def test_present_lays_out_any_result() -> None:
    data = {
        "total": 3,
        "series": [
            {"bucket": "2026-01-01T00:00:00", "posts": 2},
            {"bucket": "2026-01-02", "posts": 1},
        ],
        "top": [{"term": "akku", "score": 2.5}],
        "nested": {"inner": [{"name": "a", "n": 1}]},
    }
    kinds = [b.kind for b in blocks(data)]
    assert kinds[0] == "figures" and "chart" in kinds and "table" in kinds and "group" in kinds
    assert "chart" not in [b.kind for b in blocks(data, charts=False)]


def test_generated_headings_are_translated() -> None:
    from resonanz.web.i18n import term_translator

    assert term_translator("de")("Posts") == "Beiträge"
    assert term_translator("de")("Negative share") == "Negativanteil"
    assert term_translator("en")("Posts") == "Posts"
    assert term_translator("de")("Kolibri") == "Kolibri"  # names stay as they are
