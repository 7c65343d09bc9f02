"""Building demo workspaces: determinism, valid settings, records and truth that agree."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from resonanz.demo import build_demo, is_demo, load_labels, load_truth
from resonanz.errors import WorkspaceError
from resonanz.records import POST_SCHEMA
from resonanz.workspace import Workspace

ANCHOR = datetime(2026, 5, 4, 9, tzinfo=UTC)
COLUMNS = ", ".join(POST_SCHEMA.names)


def _posts(folder: Path) -> list[tuple[object, ...]]:
    with Workspace.load(folder).open() as store:
        return store.con.execute(
            f"SELECT {COLUMNS} FROM posts ORDER BY platform, native_id"  # noqa: S608
        ).fetchall()


def test_two_builds_of_a_seed_store_identical_posts(tmp_path: Path) -> None:
    build_demo(tmp_path / "a", seed=3, posts=1_500, anchor=ANCHOR)
    build_demo(tmp_path / "b", seed=3, posts=1_500, anchor=ANCHOR)
    first = _posts(tmp_path / "a")
    assert len(first) == 1_500
    assert first == _posts(tmp_path / "b")
    assert load_truth(tmp_path / "a") == load_truth(tmp_path / "b")


def test_rebuild_replaces_a_demo_but_never_another_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    build_demo(folder, seed=1, posts=1_500, anchor=ANCHOR)
    assert is_demo(folder)
    build_demo(folder, seed=2, posts=1_600, anchor=ANCHOR)
    assert load_truth(folder)["seed"] == 2 and len(_posts(folder)) == 1_600
    mine = Workspace.init(tmp_path / "mine")
    with pytest.raises(WorkspaceError, match="not a demo"):
        build_demo(mine.folder, posts=1_000)
    with pytest.raises(WorkspaceError, match="resonanz demo"):
        load_truth(tmp_path / "mine")


def test_settings_topics_and_accounts(demo_world: Path) -> None:
    ws = Workspace.load(demo_world)
    truth = load_truth(demo_world)
    kinds = {name: t.kind for name, t in ws.settings.topics.items()}
    assert kinds[truth["brand"]["topic"]] == "brand"
    assert {kinds[p["topic"]] for p in truth["products"]} == {"product"}
    assert {kinds[c["topic"]] for c in truth["competitors"]} == {"competitor"}
    assert kinds[truth["campaign"]["topic"]] == "campaign"
    accounts = {(a.network, a.handle) for a in ws.settings.accounts}
    assert accounts == {(a["platform"], a["handle"]) for a in truth["own_accounts"]}
    with ws.open() as store:
        stored = store.con.execute("SELECT network, handle FROM accounts").fetchall()
        assert set(stored) == accounts


def test_every_post_is_complete_and_labelled(demo_world: Path) -> None:
    labels = load_labels(demo_world)
    with Workspace.load(demo_world).open() as store:
        con = store.con
        con.register("labels", labels)  # before any query: results must be complete first
        assert store.count("posts") == labels.num_rows
        missing = con.execute(
            "SELECT count(*) FROM posts WHERE url IS NULL OR author IS NULL OR likes IS NULL "
            "OR hashtags IS NULL OR mentions IS NULL OR links IS NULL OR text = ''"
        ).fetchone()
        assert missing == (0,)
        joined = con.execute(
            "SELECT count(*) FROM posts p JOIN labels l USING (platform, native_id)"
        ).fetchone()
        assert joined == (labels.num_rows,)
        dangling = con.execute(
            "SELECT count(*) FROM posts p "
            "WHERE coalesce(reply_to, repost_of, quote_of) IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM posts q WHERE q.platform = p.platform "
            "AND q.native_id = coalesce(p.reply_to, p.repost_of, p.quote_of))"
        ).fetchone()
        assert dangling == (0,)
        unknown_authors = con.execute(
            "SELECT count(*) FROM posts p ANTI JOIN authors a "
            "ON a.platform = p.platform AND a.handle = p.author"
        ).fetchone()
        assert unknown_authors == (0,)


def test_crisis_posts_are_stored_in_their_window(demo_world: Path) -> None:
    truth = load_truth(demo_world)["crisis"]
    labels = load_labels(demo_world)
    with Workspace.load(demo_world).open() as store:
        con = store.con
        con.register("labels", labels)
        row = con.execute(
            "SELECT count(*), min(p.created_at), "
            "count(*) FILTER (WHERE l.sentiment = 'negative' AND l.aspect = ?) "
            "FROM posts p JOIN labels l USING (platform, native_id) "
            "WHERE l.crisis AND l.kind = 'post'",
            [truth["aspect"]],
        ).fetchone()
    assert row is not None
    count, first, negative = row
    assert count > 100 and negative == count
    assert first >= datetime.fromisoformat(truth["start"])


def test_questions_and_notifications_of_our_accounts(demo_world: Path) -> None:
    truth = load_truth(demo_world)
    own = {a["handle"] for a in truth["own_accounts"]}
    with Workspace.load(demo_world).open() as store:
        con = store.con

        def replies_by_us(platform: str, native_id: str) -> int:
            row = con.execute(
                "SELECT count(*) FROM posts WHERE platform = ? AND reply_to = ? "
                "AND list_contains(?, author)",
                [platform, native_id, sorted(own)],
            ).fetchone()
            return int(row[0]) if row else 0

        for q in truth["questions"]["answered"]:
            assert replies_by_us(q["platform"], q["native_id"]) == 1
        for q in truth["questions"]["unanswered"]:
            assert replies_by_us(q["platform"], q["native_id"]) == 0
        kinds = dict(
            con.execute("SELECT kind, count(*) FROM notifications GROUP BY kind").fetchall()
        )
        assert kinds.get("mention", 0) > 50 and kinds.get("reply", 0) > 20
        orphans = con.execute(
            "SELECT count(*) FROM notifications n ANTI JOIN posts p "
            "ON p.platform = n.platform AND p.native_id = n.post_native_id"
        ).fetchone()
        assert orphans == (0,)


def test_stored_texts_are_varied(demo_world: Path) -> None:
    labels = load_labels(demo_world)
    with Workspace.load(demo_world).open() as store:
        con = store.con
        con.register("labels", labels)
        texts = [
            row[0]
            for row in con.execute(
                "SELECT p.text FROM posts p JOIN labels l USING (platform, native_id) "
                "WHERE l.kind <> 'repost' AND l.author_group <> 'bot'"
            ).fetchall()
        ]
    assert len(set(texts)) / len(texts) > 0.85
    trigrams = {
        tuple(words[i : i + 3])
        for words in (t.lower().split() for t in texts)
        for i in range(len(words) - 2)
    }
    assert len(trigrams) > 2.5 * len(texts)
