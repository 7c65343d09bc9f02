"""Enrichment on import, stakeholders, and re-enrichment of stored rows."""

from __future__ import annotations

from datetime import UTC, datetime

from resonanz.enrich import build_author_enrich, build_enrich, build_pipeline
from resonanz.enrich.reenrich import author_stamp, reenrich_authors, reenrich_posts, stale_posts
from resonanz.ingest import Batch, Ingestor
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, to_table
from resonanz.store import Store
from resonanz.workspace import Workspace

NOW = datetime(2026, 1, 5, 12, tzinfo=UTC)


def _posts(n: int) -> list[dict[str, object]]:
    return [
        {
            "platform": "mastodon",
            "native_id": str(i),
            "author": "spam_bot" if i % 2 else "anna",
            "text": "Buy cheap followers now http://spam.example"
            if i % 2
            else "Der Akku ist wirklich toll, ich bin begeistert!",
            "created_at": NOW,
            "collected_at": NOW,
            "links": ["http://spam.example"] if i % 2 else [],
        }
        for i in range(n)
    ]


def _authors() -> list[dict[str, object]]:
    return [
        {"platform": "mastodon", "handle": "spam_bot", "updated_at": NOW},
        {
            "platform": "mastodon",
            "handle": "anna",
            "bio": "Redakteurin bei der Zeitung",
            "updated_at": NOW,
        },
    ]


def test_import_enriches_posts_and_authors(workspace: Workspace, store: Store) -> None:
    ingestor = Ingestor(
        store,
        enrich=build_enrich(workspace.settings, workspace.folder),
        enrich_authors=build_author_enrich(workspace.settings, workspace.folder),
    )
    ingestor.write(
        Batch(posts=to_table(_posts(6), POST_SCHEMA), authors=to_table(_authors(), AUTHOR_SCHEMA))
    )
    rows = store.con.execute(
        "SELECT lang, sentiment, enriched FROM posts ORDER BY native_id"
    ).fetchall()
    assert all(r[2] for r in rows)
    assert rows[0][0] == "de" and rows[0][1] == "positive"
    groups = dict(store.con.execute("SELECT handle, stakeholder FROM authors").fetchall())
    assert groups == {"spam_bot": "bot", "anna": "press"}


def test_changed_versions_are_re_enriched(workspace: Workspace, store: Store) -> None:
    Ingestor(store).write(
        Batch(posts=to_table(_posts(7), POST_SCHEMA), authors=to_table(_authors(), AUTHOR_SCHEMA))
    )
    pipeline = build_pipeline(workspace.settings, workspace.folder)
    assert stale_posts(store, pipeline.stamp) == 7
    assert reenrich_posts(store, pipeline, pipeline.stamp, batch_size=3) == 7
    assert stale_posts(store, pipeline.stamp) == 0
    author_enrich = build_author_enrich(workspace.settings, workspace.folder)
    assert author_enrich is not None
    assert reenrich_authors(store, author_enrich, author_stamp()) == 2
    assert reenrich_authors(store, author_enrich, author_stamp()) == 0


def test_re_enrichment_keeps_analysts_corrections(workspace: Workspace, store: Store) -> None:
    from resonanz.web.corrections import correct

    Ingestor(store).write(Batch(posts=to_table(_posts(4), POST_SCHEMA)))
    correct(store.con, "mastodon", "0", "sentiment", "negative", "ana")
    correct(store.con, "mastodon", "0", "intents", ["question"], "ana")
    correct(store.con, "mastodon", "0", "aspects", ["battery:negative"], "ana")
    pipeline = build_pipeline(workspace.settings, workspace.folder)
    assert reenrich_posts(store, pipeline, pipeline.stamp) == 4
    row = store.con.execute(
        "SELECT sentiment, intents, aspects, enriched FROM posts WHERE native_id = '0'"
    ).fetchone()
    assert row is not None
    assert row[:3] == ("negative", ["question"], [{"category": "battery", "polarity": "negative"}])
    assert row[3] == pipeline.stamp
