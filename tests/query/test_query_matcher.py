"""The batch matcher: semantics, prefilter shortcuts, and its place in the ingest pipeline."""

from __future__ import annotations

import pyarrow as pa
import pytest
from helpers_query import posts

from resonanz.errors import ConfigError
from resonanz.ingest import Batch
from resonanz.pipeline import open_ingestor
from resonanz.query import TopicMatcher, parse, topic_matcher
from resonanz.query.matcher import MATCH_SCHEMA
from resonanz.query.prefilter import unanchored
from resonanz.store import Store
from resonanz.workspace import Workspace


def matched(topics: dict[str, str], table: pa.Table) -> set[tuple[str, str]]:
    matcher = topic_matcher(topics)
    assert matcher is not None
    return {(r["native_id"], r["topic"]) for r in matcher(table).to_pylist()}


def ids(query: str, *rows: dict[str, object] | str) -> list[str]:
    return sorted(native_id for native_id, _ in matched({"t": query}, posts(*rows)))


def test_no_topics_no_matcher() -> None:
    assert topic_matcher({}) is None


def test_german_folding_both_ways() -> None:
    rows = ("Der BAHNHOF ist zu", "Straße gesperrt", "STRASSE frei", "Grüße aus Köln")
    assert ids("Bahnhof", *rows) == ["0"]
    assert ids("strasse", *rows) == ["1", "2"]
    assert ids("Straße", *rows) == ["1", "2"]
    assert ids("gruesse koeln", *rows) == ["3"]
    assert ids("raw:STRASSE", *rows) == ["2"]


def test_words_are_whole_words() -> None:
    rows = ("Bahnhof", "Bahn", "S-Bahn!", "bahnen")
    assert ids("bahn", *rows) == ["1", "2"]
    assert ids("bahn*", *rows) == ["0", "1", "2", "3"]
    assert ids("b?hn", *rows) == ["1", "2"]


def test_phrases_and_near() -> None:
    rows = (
        "Die Deutsche Bahn ist zu spät",
        "deutsche Post und die Bahn",
        "Bahn, deutsche",
    )
    assert ids('"deutsche bahn"', *rows) == ["0"]
    assert ids("deutsche NEAR/2 bahn", *rows) == ["0", "2"]
    assert ids("deutsche NEAR/3 bahn", *rows) == ["0", "1", "2"]
    assert ids("deutsche NEAR/1 bahn", *rows) == ["0", "2"]
    assert ids("deutsche NEAR/1f bahn", *rows) == ["0"]
    assert ids("(post OR bahn) NEAR/0f (und OR ist)", *rows) == ["0", "1"]


def test_hashtags_and_mentions_from_lists_and_text() -> None:
    rows = (
        {"text": "los geht's", "hashtags": ["#Bahn"], "mentions": ["Anna@social.example"]},
        "mit #bahn und @anna",
        "bahn ohne tag, anna ohne at",
    )
    assert ids("#bahn", *rows) == ["0", "1"]
    assert ids("@anna", *rows) == ["0", "1"]
    assert ids("@anna@social.example", *rows) == ["0"]
    assert ids("#ba*", *rows) == ["0", "1"]


def test_fields() -> None:
    rows = (
        {"text": "x", "author": "@Anna@social.example", "lang": "de-AT", "platform": "mastodon"},
        {"text": "x", "author": "bob", "lang": "en", "platform": "bluesky"},
        {"text": "x"},
    )
    assert ids("author:anna", *rows) == ["0"]
    assert ids("author:b*", *rows) == ["1"]
    assert ids("lang:de", *rows) == ["0"]
    assert ids("platform:Bluesky", *rows) == ["1"]
    assert ids("-lang:de", *rows) == ["1", "2"]


def test_site_matches_subdomains_only() -> None:
    rows = (
        {"text": "x", "links": ["https://shop.example.com/sale"]},
        {"text": "x", "links": ["https://badexample.com/"]},
        {"text": "x", "links": ["example.com"]},
    )
    assert ids("site:example.com", *rows) == ["0", "2"]
    assert ids("url:example.com/sale", *rows) == ["0"]


def test_not_only_topics_match_posts_without_any_anchor() -> None:
    rows = ("spam spam", "ham", "", "#spam", "bahn")
    assert ids("-spam", *rows) == ["1", "2", "4"]  # the word of a hashtag is a word too
    assert ids("-#spam", *rows) == ["0", "1", "2", "4"]
    assert ids("NOT (spam OR ham)", *rows) == ["2", "4"]
    assert unanchored({"a": parse("-x"), "b": parse("x -y")}) == ["a"]


def test_many_topics_at_once_in_post_order() -> None:
    table = posts("acme phone kaputt", "rival besser", "nichts", "acme und rival")
    matcher = TopicMatcher(
        {"acme": "acme", "rival": "rival", "phone": '"acme phone"', "no": "-acme"}
    )
    result = matcher(table)
    assert result.schema == MATCH_SCHEMA
    assert list(zip(result["native_id"].to_pylist(), result["topic"].to_pylist(), strict=True)) == [
        ("0", "acme"),
        ("0", "phone"),
        ("1", "rival"),
        ("1", "no"),
        ("2", "no"),
        ("3", "acme"),
        ("3", "rival"),
    ]


def test_large_batches_fold_in_duckdb_the_same_way() -> None:
    texts = [f"Straße {i} BAHNHOF İzmir ΟΔΟΣ #Grüße" if i % 3 else f"x{i}" for i in range(600)]
    table = posts(*texts)
    topics = {"a": "strasse bahnhof", "b": "#gruesse", "c": "izmir NEAR/1 οδοσ", "d": "-x*"}
    small = TopicMatcher(topics, duckdb_fold_from=10_000)(table)
    large = TopicMatcher(topics, duckdb_fold_from=0)(table)
    assert small.equals(large)
    assert small.num_rows == 400 * 4


def test_missing_columns_and_empty_batches() -> None:
    table = pa.table({"platform": ["m"], "native_id": ["1"], "text": ["Bahn"]})
    matcher = TopicMatcher({"t": "bahn -#x -author:y -site:z.example"})
    assert matcher(table).to_pylist() == [{"platform": "m", "native_id": "1", "topic": "t"}]
    assert matcher(table.slice(0, 0)).num_rows == 0
    loose = pa.table(
        {
            "platform": ["m", "m"],
            "native_id": ["1", "2"],
            "text": [None, "x"],
            "hashtags": pa.array([["X"], None], pa.large_list(pa.large_string())),
            "author": pa.nulls(2),
        }
    )
    assert TopicMatcher({"t": "#x OR author:y"})(loose)["native_id"].to_pylist() == ["1"]


def test_invalid_topic_query_names_the_topic() -> None:
    with pytest.raises(ConfigError, match="topic 'broken' has an invalid query"):
        TopicMatcher({"ok": "a", "broken": "a AND"})


def test_ingest_stores_matches_of_stored_topics(workspace: Workspace, store: Store) -> None:
    ingestor = open_ingestor(workspace, store, enrich=False)
    table = posts(
        {"text": "Neues von Acme!", "author": "anna"}, {"text": "#rival rockt", "author": "bob"}
    )
    ingestor.write(Batch(posts=table))
    rows = store.con.execute("SELECT native_id, topic FROM matches ORDER BY ALL").fetchall()
    assert rows == [("0", "acme"), ("1", "rival")]


def test_every_required_anchor_group_narrows_candidates() -> None:
    from resonanz.query.prefilter import anchor_groups

    groups = anchor_groups(parse('"acme phone" AND (cheap OR deal*) AND NOT spam'))
    assert frozenset({"acme"}) in groups and frozenset({"phone"}) in groups
    assert frozenset({"cheap", "deal"}) in groups
    matcher = TopicMatcher({"t": "acme* AND (cheap OR deal)", "u": "acme NEAR/3 phone"})
    posts = pa.table(
        {
            "platform": ["x"] * 4,
            "native_id": ["1", "2", "3", "4"],
            "text": ["acme is cheap", "acme only", "acme new phone", "phone acme deals"],
        }
    )
    found = matcher(posts).to_pylist()
    assert [(r["native_id"], r["topic"]) for r in found] == [("1", "t"), ("3", "u"), ("4", "u")]
