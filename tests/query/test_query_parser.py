"""Parsing listening queries into typed trees."""

from __future__ import annotations

import pytest

from resonanz.query import And, Field, Near, Not, Or, Phrase, Site, Tag, parse, render


def word(*words: str) -> Phrase:
    return Phrase(tuple(words))


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("Bahnhof", word("bahnhof")),
        ("Straße", word("strasse")),
        ("a b", And((word("a"), word("b")))),
        ("a AND b OR c", Or((And((word("a"), word("b"))), word("c")))),
        ("a OR b c", Or((word("a"), And((word("b"), word("c")))))),
        ("a (b OR c)", And((word("a"), Or((word("b"), word("c")))))),
        ("NOT a", Not(word("a"))),
        ("a -b", And((word("a"), Not(word("b"))))),
        ("a NOT b", And((word("a"), Not(word("b"))))),
        ("--a", Not(Not(word("a")))),
        ('"Deutsche Bahn"', word("deutsche", "bahn")),
        ("e-bike", word("e", "bike")),
        ("bahn*", word("bahn*")),
        ("b?hn", word("b?hn")),
        ("#Bahn", Tag("hashtag", "bahn")),
        ("#black_friday", Tag("hashtag", "black_friday")),
        ("@Anna@Social.Example", Tag("mention", "anna@social.example")),
        ("author:@Anna", Field("author", "anna")),
        ('author:"Anna B"', Field("author", "anna b")),
        ("Lang:DE", Field("lang", "de")),
        ("platform:mastodon", Field("platform", "mastodon")),
        ("site:https://www.Example.com/shop", Site("www.example.com", "/shop")),
        ("url:example.com", Site("example.com")),
        ("raw:BahnCard", Phrase(("BahnCard",), raw=True)),
        ('raw:"Deutsche Bahn"', Phrase(("Deutsche", "Bahn"), raw=True)),
        ("a NEAR/3 b", Near((word("a"),), (word("b"),), 3)),
        ("a NEAR/0f b", Near((word("a"),), (word("b"),), 0, ordered=True)),
        (
            '(a OR "b c") NEAR/2 d',
            Near((word("a"), word("b", "c")), (word("d"),), 2),
        ),
        ("NOT a NEAR/1 b", Not(Near((word("a"),), (word("b"),), 1))),
        ("and or", And((word("and"), word("or")))),  # lower-case operators are words
    ],
)
def test_parse(query: str, tree: object) -> None:
    assert parse(query) == tree


@pytest.mark.parametrize(
    "query",
    [
        'bahn -"deutsche bahn" (#bahn OR @db) author:anna lang:de platform:x site:a.example/p',
        '(a OR "b c") NEAR/2f d raw:BahnCard -(x y)',
        "strasse* OR b?hn",
    ],
)
def test_render_round_trips(query: str) -> None:
    tree = parse(query)
    assert parse(render(tree)) == tree


def test_nodes_are_frozen() -> None:
    tree = parse("a")
    with pytest.raises(AttributeError):
        tree.words = ("b",)  # type: ignore[misc, union-attr]
