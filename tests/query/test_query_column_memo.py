"""The matcher with per-column value memos: the answers of one-post evaluation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_query import post, posts_table, query_text

from resonanz.query.evaluate import Doc, predicate
from resonanz.query.matcher import TopicMatcher
from resonanz.query.parser import parse


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    queries=st.lists(query_text, min_size=1, max_size=4),
    rows=st.lists(post, min_size=1, max_size=8),
)
def test_matching_equals_one_post_evaluation(
    queries: list[str], rows: list[dict[str, object]]
) -> None:
    topics = {f"t{i}": q for i, q in enumerate(queries)}
    table = posts_table(rows)
    got = TopicMatcher(topics)(table).to_pylist()
    tests = {name: predicate(parse(q)) for name, q in topics.items()}
    expected = []
    for row in table.to_pylist():
        doc = Doc(
            row["text"] or "",
            **{k: row[k] for k in ("author", "lang", "platform", "hashtags", "mentions", "links")},
        )
        expected += [
            {"platform": row["platform"], "native_id": row["native_id"], "topic": name}
            for name, test in tests.items()
            if test(doc)
        ]
    assert got == expected, (queries, rows)


def test_column_memos_give_the_same_answers_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {"text": "x", "author": f"user{i % 5}", "hashtags": [f"tag{i % 3}"], "lang": "de"}
        for i in range(30)
    ]
    topics = {"a": "author:user1 OR #tag2", "l": "lang:de -#tag0", "n": "author:nobody"}
    fresh = TopicMatcher(topics)(posts_table(rows))
    monkeypatch.setattr("resonanz.query.prefilter._MEMO_LIMIT", 2)
    matcher = TopicMatcher(topics)
    for _ in range(3):  # every batch overflows the memos, which start over
        assert matcher(posts_table(rows)).equals(fresh)
    assert all(len(memo) <= 5 for memo in matcher.prefilter._memo.values())
    assert fresh.num_rows > 0
