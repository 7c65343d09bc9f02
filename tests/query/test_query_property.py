"""Property: the batch matcher and the DuckDB SQL compiler agree on random queries and posts."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_query import post, posts_table, query_text

from resonanz.query import topic_matcher
from resonanz.query.sql import compile_sql


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    queries=st.lists(query_text, min_size=1, max_size=3),
    rows=st.lists(post, min_size=1, max_size=6),
)
def test_matcher_and_sql_agree(
    con: duckdb.DuckDBPyConnection, queries: list[str], rows: list[dict[str, object]]
) -> None:
    posts = posts_table(rows)
    topics = {f"t{i}": q for i, q in enumerate(queries)}
    matcher = topic_matcher(topics)
    assert matcher is not None
    streamed = {(r["native_id"], r["topic"]) for r in matcher(posts).to_pylist()}
    con.register("__posts", posts)
    con.execute("CREATE OR REPLACE TABLE posts AS SELECT * FROM __posts")
    con.unregister("__posts")
    stored = set()
    for name, query in topics.items():
        where, params = compile_sql(query)
        found = con.execute(f"SELECT native_id FROM posts p WHERE {where}", params).fetchall()  # noqa: S608
        stored |= {(native_id, name) for (native_id,) in found}
    assert streamed == stored, (topics, rows)
