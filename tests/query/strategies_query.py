"""Hypothesis strategies for listening queries and posts, shared by the query property tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
from hypothesis import strategies as st

from resonanz.records import POST_SCHEMA, to_table

TEXT_WORDS = [
    "Bahn", "bahnhof", "BAHNHOF", "Straße", "STRASSE", "strasse", "Müller", "mueller",
    "Grüße", "GRÜSSE", "Öl", "oel", "ärger", "Ärger", "a", "b", "x1", "2024", "İstanbul",
    "ΣΟΦΙΑ", "ẞ", "café", "bahn_card", "BahnCard",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", "-", "_", "! ", ". ", "\n", " #", " @", "@", "#", "…"]
QUERY_WORDS = [
    "bahn", "Bahnhof", "straße", "STRASSE", "müller", "mueller", "grüsse", "öl", "ärger",
    "a", "x1", "2024", "istanbul", "σοφια", "ss", "cafe", "card", "bahn*", "b?hn", "stra?e",
    "gr*", "m*", "?1", "bahn_card", "e-bike",
]  # fmt: skip
TAGS = ["bahn", "Bahn*", "grüße", "strasse", "x1", "card", "b?hn"]
HANDLES = ["anna", "Anna@social.example", "bob", "an*", "b?b", "x1"]
LINKS = [
    "https://www.example.com/shop?x=1",
    "http://example.com",
    "https://badexample.com/",
    "example.org/path",
    "https://user@sub.example.com:8080/shop",
    "mailto:anna@example.com",
    "HTTPS://EXAMPLE.COM/Shop",
]

_text = st.lists(
    st.tuples(st.sampled_from(SEPARATORS), st.sampled_from(TEXT_WORDS)), max_size=10
).map(lambda parts: "".join(sep + word for sep, word in parts))
post = st.fixed_dictionaries(
    {
        "text": _text,
        "platform": st.sampled_from(["mastodon", "Bluesky", "reddit"]),
        "author": st.sampled_from([None, "Anna", "@anna@social.example", "bob", "Bob"]),
        "lang": st.sampled_from([None, "de", "de-AT", "EN", "en"]),
        "hashtags": st.lists(
            st.sampled_from(["Bahn", "#grüße", "STRASSE", "x1", "bahn_card"]), max_size=2
        ),
        "mentions": st.lists(
            st.sampled_from(["anna", "@Bob", "anna@social.example", "x1"]), max_size=2
        ),
        "links": st.lists(st.sampled_from(LINKS), max_size=2),
    }
)

_word = st.sampled_from(QUERY_WORDS)
_phrase = st.lists(_word, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
_operand = st.one_of(
    _word,
    _phrase,
    st.lists(_word, min_size=2, max_size=3).map(lambda ws: "(" + " OR ".join(ws) + ")"),
)
_leaf = st.one_of(
    _word,
    _word,
    _phrase,
    st.sampled_from(TAGS).map(lambda t: "#" + t),
    st.sampled_from(HANDLES).map(lambda h: "@" + h),
    st.sampled_from(["Anna", "bob", "an*", "anna@social.example"]).map(lambda v: "author:" + v),
    st.sampled_from(["de", "en", "de-at", "d?"]).map(lambda v: "lang:" + v),
    st.sampled_from(["mastodon", "bluesky", "red*"]).map(lambda v: "platform:" + v),
    st.sampled_from(["example.com", "sub.example.com", "example.org/path", "example.com/shop"]).map(
        lambda v: "site:" + v
    ),
    st.sampled_from(["Bahn", "BAHNHOF", "Straße", "Bahn*", "BahnCard"]).map(lambda v: "raw:" + v),
    st.tuples(_operand, st.integers(0, 3), st.booleans(), _operand).map(
        lambda t: f"{t[0]} NEAR/{t[1]}{'f' if t[2] else ''} {t[3]}"
    ),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map(lambda t: f"({t[0]} AND {t[1]})"),
        st.tuples(children, children).map(lambda t: f"({t[0]} OR {t[1]})"),
        st.tuples(children, children).map(lambda t: f"({t[0]} {t[1]})"),
        children.map(lambda c: f"NOT {c}"),
        children.map(lambda c: f"-({c})"),
    )


query_text = st.recursive(_leaf, _combine, max_leaves=6)


def posts_table(rows: list[dict[str, object]]) -> pa.Table:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    full = [
        {**row, "native_id": str(i), "created_at": now, "collected_at": now}
        for i, row in enumerate(rows)
    ]
    return to_table(full, POST_SCHEMA)
