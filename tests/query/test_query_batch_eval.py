"""Property: the batch evaluator answers every (post, topic) pair as the one-post evaluator does."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_query import post, posts_table, query_text

from resonanz.query.batch import BatchView
from resonanz.query.evaluate import Doc, predicate
from resonanz.query.matcher import TopicMatcher
from resonanz.query.parser import parse
from resonanz.query.words import WordIndex, word_prefix


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    queries=st.lists(query_text, min_size=1, max_size=3),
    rows=st.lists(post, min_size=1, max_size=6),
)
def test_batch_plans_agree_with_one_post_evaluation(
    queries: list[str], rows: list[dict[str, object]]
) -> None:
    """Every pair is evaluated (no prefilter), so the plans alone are compared."""
    table = posts_table(rows)
    matcher = TopicMatcher({f"t{i}": q for i, q in enumerate(queries)})
    folded = matcher._fold(table.column("text"))
    extras = ["author", "lang", "platform", "hashtags", "mentions", "links"]
    hits = matcher.prefilter.text_hits(folded)
    found = [(hits.posts, hits.anchors)]
    found += [matcher.prefilter.column_pairs(name, table.column(name)) for name in extras]
    present = matcher.index.present(
        (np.concatenate([p for p, _ in found]), np.concatenate([a for _, a in found]))
    )
    keys = present[0] * matcher.index.anchors + present[1]
    words = WordIndex(hits, matcher._lengths, matcher._words, keys)
    view = BatchView(table, folded, extras, words)
    post_ids = np.repeat(np.arange(len(rows)), len(queries))
    topic_ids = np.tile(np.arange(len(queries)), len(rows))
    got = matcher.evaluator.evaluate(view, post_ids, topic_ids).tolist()
    tests = [predicate(parse(q)) for q in queries]
    docs = [
        Doc(str(row["text"]), **{k: v for k, v in row.items() if k != "text"})  # type: ignore[arg-type]
        for row in rows
    ]
    expected = [tests[t](docs[p]) for p, t in zip(post_ids, topic_ids, strict=True)]
    assert got == expected, (queries, rows)


def test_word_index_tells_words_from_pieces_of_words() -> None:
    rows = ["Straße-Bahn x", "strassenbahn", "ÜBER_bahn bahn2", "🙂bahn🙂", "bahnhof"]
    table = posts_table([{"text": text} for text in rows])
    matcher = TopicMatcher({"word": "bahn", "start": "strasse*", "other": "bahn2 OR ueber"})
    folded = matcher._fold(table.column("text"))
    hits = matcher.prefilter.text_hits(folded)
    keys = np.sort(hits.posts * matcher.index.anchors + hits.anchors)
    words = WordIndex(hits, matcher._lengths, matcher._words, keys)
    every = np.arange(len(rows))
    bahn = matcher.prefilter.anchor_id("bahn")
    assert words.has(bahn, every).tolist() == [True, False, True, True, False]
    start = matcher.prefilter.anchor_id("strasse")
    assert words.has_start(start, every).tolist() == [True, True, False, False, False]
    assert words.has(matcher.prefilter.anchor_id("ueber"), every).tolist()[2]
    assert word_prefix("bahn*") == "bahn" and word_prefix("b?hn*") is None


def test_tables_without_the_optional_columns_match_like_empty_ones() -> None:
    full = posts_table([{"text": "acme shop https://acme.example/x #acme"}])
    bare = full.select(["platform", "native_id", "text", "created_at", "collected_at"])
    topics = {"site": "acme site:acme.example", "tag": "acme #acme", "word": "acme -#acme"}
    found = {r["topic"] for r in TopicMatcher(topics)(bare).to_pylist()}
    assert found == {"tag"}  # the hashtag in the text still counts; there is no link
