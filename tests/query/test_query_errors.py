"""Syntax errors name the position and what was expected."""

from __future__ import annotations

import pytest

from resonanz.errors import QuerySyntaxError
from resonanz.query import parse, validate
from resonanz.query.validate import caret


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("foo AND", 7, """expected a term or '(' at position 7 (after "foo AND")"""),
        ("", 0, "empty query: expected a term or '(' at position 0 (at the start)"),
        ("(foo", 4, """unbalanced '(' at position 0: expected ')' at position 4 (after "(foo")"""),
        (
            "foo) bar",
            3,
            "unbalanced ')': expected an operator or the end of the query at position 3 "
            '(after "foo")',
        ),
        ("foo AND OR bar", 8, """expected a term or '(' at position 8 (after "foo AND")"""),
        ("OR foo", 0, "expected a term or '(' at position 0 (at the start)"),
        ("a NEAR/2", 8, """expected a term or '(' at position 8 (after "a NEAR/2")"""),
        (
            "a NEAR/x b",
            2,
            "bad NEAR: expected NEAR/n or NEAR/nf with a whole number n, such as NEAR/3 "
            'at position 2 (after "a")',
        ),
        ("a NEAR/500 b", 2, """expected a NEAR distance of at most 100 words at position 2"""),
        (
            "a NEAR/2 b NEAR/2 c",
            11,
            "NEAR cannot be chained: expected AND, OR or ')'; write (a NEAR/3 b) AND (b NEAR/3 c)",
        ),
        ("#x NEAR/2 b", 0, "expected a word, a phrase or a (… OR …) group of them before NEAR"),
        (
            "x foo:bar",
            2,
            "unknown field 'foo:': expected one of author:, lang:, platform:, site:, url:, raw: "
            'at position 2 (after "x")',
        ),
        (
            'a "foo bar',
            10,
            "unterminated quote at position 2: expected '\"' at position 10 "
            """(after "a "foo bar")""",
        ),
        ("author:", 7, "expected a value after 'author:' at position 7"),
        ("a -", 3, "dangling '-': expected a term, phrase or '(' directly after '-' at position 3"),
        ("bahn*hof", 4, "expected '*' only at the end of a word at position 4"),
        ("*", 0, "expected a letter or digit besides the wildcards at position 0"),
        ("#", 1, "expected a hashtag name after '#' at position 1"),
        ("site:/x", 5, "expected a domain such as example.com after 'site:' at position 5"),
    ],
)
def test_messages(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert caught.value.position == position
    assert message in str(caught.value)
    assert caught.value.query == query
    assert caught.value.expected in str(caught.value)


def test_long_context_is_shortened() -> None:
    query = "a " * 40 + "AND"
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert '(after "…' in str(caught.value)


def test_validate_returns_none_or_the_problem() -> None:
    assert validate("bahn OR zug") is None
    problem = validate("bahn OR\n(zug")
    assert problem is not None
    assert (problem.position, problem.line, problem.column) == (12, 2, 4)
    assert problem.expected == "')'"
    assert problem.to_dict()["position"] == 12


def test_caret_points_at_the_position() -> None:
    assert caret("foo AND", 7) == "foo AND\n       ^"
    assert caret("a\n(b", 4) == "(b\n  ^"
