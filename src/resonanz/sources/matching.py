"""Match raw stream items against a source's listening query with ``resonanz.query``.

Streams such as Jetstream or Mastodon's public timeline deliver everything; we keep what
the source's query matches, with the same query language the topics use.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa

from resonanz.query import topic_matcher

#: Returns the native ids of the posts in a table that the query matches.
PostFilter = Callable[[pa.Table], set[str]]

_OPERATORS = {"and", "or", "not"}
_WORD = re.compile(r"[#@]?[\w.-]+", re.UNICODE)


def post_filter(query: str) -> PostFilter:
    """Return a filter of posts by ``query`` (raises QuerySyntaxError on a bad query)."""
    matcher = topic_matcher({"source": query})
    if matcher is None:
        return _term_filter(query)

    def run(posts: pa.Table) -> set[str]:
        if posts.num_rows == 0:
            return set()
        matches = matcher(posts)
        return {str(v) for v in matches.column("native_id").to_pylist()}

    return run


def _term_filter(query: str) -> PostFilter:
    """Match any of the query's plain terms (used only while no query engine is installed)."""
    terms = {
        t.lower().lstrip("#@")
        for t in _WORD.findall(query.replace('"', " "))
        if t.lower() not in _OPERATORS and ":" not in t
    }

    def run(posts: pa.Table) -> set[str]:
        found: set[str] = set()
        ids = posts.column("native_id").to_pylist()
        for native_id, text in zip(ids, posts.column("text").to_pylist(), strict=True):
            low = (text or "").lower()
            if any(term in low for term in terms):
                found.add(str(native_id))
        return found

    return run
