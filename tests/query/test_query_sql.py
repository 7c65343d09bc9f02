"""The SQL compiler, search over stored posts, and re-matching topics."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from helpers_query import START, posts

from resonanz.errors import ConfigError, QuerySyntaxError
from resonanz.query import compile_sql
from resonanz.query.search import count_matches, search_posts
from resonanz.query.topics import add_topic, list_topics, rematch_topic, remove_topic
from resonanz.store import Store


@pytest.fixture
def filled(store: Store) -> Store:
    store.upsert_posts(
        posts(
            {"text": "Acme Phone: Akku kaputt", "lang": "de", "author": "anna"},
            {"text": "acme phone battery is great", "lang": "en", "platform": "bluesky"},
            {"text": "Die Straße zum Bahnhof", "lang": "de-AT", "hashtags": ["Bahn"]},
            {"text": "'; DROP TABLE posts; --", "lang": "en"},
            {"text": "nothing here", "links": ["https://shop.acme.example/p"]},
        )
    )
    return store


def test_user_text_never_enters_the_sql() -> None:
    query = "\"'; DROP TABLE posts; --\" OR author:o'brien OR #x OR site:evil.example"
    sql, params = compile_sql(query)
    for piece in ("DROP", "o'brien", "evil"):
        assert piece not in sql
    assert any("drop" in str(p) for p in params)
    assert sql.count("?") == len(params)


def test_search_finds_and_orders_newest_first(filled: Store) -> None:
    found = search_posts(filled.con, "acme phone")
    assert found["native_id"].to_pylist() == ["1", "0"]
    assert "text" in found.column_names and "created_at" in found.column_names
    assert search_posts(filled.con, '"drop table"')["native_id"].to_pylist() == ["3"]
    assert filled.count("posts") == 5


def test_search_filters(filled: Store) -> None:
    def found(**kwargs: object) -> list[str]:
        return search_posts(filled.con, "-zzz", **kwargs)["native_id"].to_pylist()  # type: ignore[arg-type]

    assert found(limit=2) == ["4", "3"]
    assert found(limit=None) == ["4", "3", "2", "1", "0"]
    assert found(since=START + timedelta(hours=3)) == ["4", "3"]
    assert found(until=START + timedelta(hours=1)) == ["0"]
    assert found(since=date(2024, 5, 1), until=datetime(2024, 5, 1, 13, 0)) == ["0"]
    assert found(platforms=["bluesky"]) == ["1"]
    assert found(languages=["de"]) == ["2", "0"]


def test_search_rejects_bad_queries(filled: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        search_posts(filled.con, "acme AND")


def test_add_change_and_remove_topics(filled: Store) -> None:
    assert add_topic(filled, "akku", kind="keyword", query="akku OR battery") == 2
    assert count_matches(filled.con, "akku OR battery") == 2
    assert add_topic(filled, "akku", kind="keyword", query="akku") == 1
    rows = {row["name"]: row for row in list_topics(filled.con)}
    assert rows["akku"]["origin"] == "cli"
    assert rows["akku"]["matches"] == 1
    assert rows["akku"]["query"] == "akku"
    remove_topic(filled, "akku")
    assert filled.con.execute("SELECT count(*) FROM matches WHERE topic = 'akku'").fetchone() == (
        0,
    )
    assert "akku" not in {row["name"] for row in list_topics(filled.con)}


def test_config_topics_are_protected(filled: Store) -> None:
    with pytest.raises(ConfigError, match=r"defined in resonanz\.toml and cannot be removed"):
        remove_topic(filled, "acme")
    with pytest.raises(ConfigError, match=r"defined in resonanz\.toml"):
        add_topic(filled, "acme", kind="brand", query="x")
    with pytest.raises(ConfigError, match="unknown topic kind"):
        add_topic(filled, "new", kind="planet", query="x")
    with pytest.raises(ConfigError, match="no topic named"):
        remove_topic(filled, "missing")


def test_rematch_config_topic(filled: Store) -> None:
    assert rematch_topic(filled, "acme") == 3  # two "Acme" posts and the link to acme.example
    assert rematch_topic(filled, "acme") == 3
    with pytest.raises(ConfigError, match="no topic named"):
        rematch_topic(filled, "missing")
