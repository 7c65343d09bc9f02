"""Compile query trees to a DuckDB WHERE fragment over posts ``p``: the stored-posts evaluator.

Every user value travels as a bound parameter; the SQL text itself is built only from fixed
pieces. The semantics are those of :mod:`resonanz.query.evaluate` (the property tests check
that both agree): text is folded with :func:`resonanz.query.fold.sql_fold`, words are runs of
``[\\p{L}\\p{N}]``, and every leaf is ``coalesce``-d so that NULL columns never leak into ``NOT``.
"""

from __future__ import annotations

from typing import Final

from resonanz.query.fold import RE2_HASHTAG, RE2_LINK, RE2_MENTION, sql_fold
from resonanz.query.nodes import And, Field, Near, Node, Not, Or, Phrase, Site, Tag
from resonanz.query.parser import parse
from resonanz.query.patterns import full_regex, has_wildcard, literal_prefix
from resonanz.query.sql_text import FOLDED_TEXT, guard_piece, near_sql, phrase_sql

__all__ = ["FOLDED_TEXT", "compile_sql"]
_FOLD_HASHTAG: Final = sql_fold("ltrim(h, '#')")
_FOLD_HANDLE: Final = sql_fold("ltrim(h, '@')")
_FIELD_KEYS: Final = {
    "author": (sql_fold("ltrim(p.author, '@')"), "@"),
    "lang": (sql_fold("p.lang"), "-"),
}


def compile_sql(query: str | Node) -> tuple[str, list[object]]:
    """Return ``(sql, params)``: a boolean expression over the posts table aliased ``p``.

    >>> compile_sql("Bahn")[1][0]  # a guard piece, then the word's regular expression
    'bahn'
    """
    tree = parse(query) if isinstance(query, str) else query
    params: list[object] = []
    return _compile(tree, params), params


def _compile(node: Node, params: list[object]) -> str:
    """Append ``node``'s parameters to ``params`` in the order their ``?`` appear."""
    if isinstance(node, And | Or):
        joiner = " AND " if isinstance(node, And) else " OR "
        return "(" + joiner.join(_compile(c, params) for c in node.children) + ")"
    if isinstance(node, Not):
        return f"(NOT {_compile(node.child, params)})"
    if isinstance(node, Phrase):
        return phrase_sql(node, params)
    if isinstance(node, Near):
        return near_sql(node, params)
    if isinstance(node, Tag):
        return _tag(node, params)
    if isinstance(node, Field):
        return _any_key(_field_keys(node), node.pattern, params)
    return _site(node, params)


def _tag(node: Tag, params: list[object]) -> str:
    """Match a hashtag or handle against the post's list, or (guarded) against its text."""
    hashtag = node.kind == "hashtag"
    column, fold_value, mark = (
        ("hashtags", _FOLD_HASHTAG, "#") if hashtag else ("mentions", _FOLD_HANDLE, "@")
    )
    listed = f"list_transform(coalesce(p.{column}, []), lambda h: {fold_value})"
    in_list = _any_key(listed if hashtag else _local_parts(listed), node.pattern, params)
    piece = guard_piece((mark + literal_prefix(node.pattern),), raw=False)
    params.extend([piece or mark, RE2_HASHTAG if hashtag else RE2_MENTION])
    guard = "contains(lower(p.text), ?)" if piece else "contains(p.text, ?)"
    written = f"regexp_extract_all({FOLDED_TEXT}, ?, 1)"
    in_text = _any_key(written if hashtag else _local_parts(written), node.pattern, params)
    return f"({in_list} OR CASE WHEN {guard} THEN {in_text} ELSE false END)"


def _local_parts(handles: str) -> str:
    """Return the list ``handles`` followed by their local parts (anna@x.example → anna)."""
    return (
        f"list_transform([{handles}], "
        "lambda ks: list_concat(ks, list_transform(ks, lambda k: split_part(k, '@', 1))))[1]"
    )


def _field_keys(node: Field) -> str:
    if node.name == "platform":
        return f"[{sql_fold('p.platform')}]"
    value, separator = _FIELD_KEYS[node.name]
    return f"[{value}, split_part({value}, '{separator}', 1)]"


def _any_key(keys: str, pattern: str, params: list[object]) -> str:
    if not has_wildcard(pattern):
        params.append(pattern)
        return f"coalesce(list_contains({keys}, ?), false)"
    params.append(full_regex(pattern))
    return f"coalesce(len(list_filter({keys}, lambda k: regexp_full_match(k, ?))) > 0, false)"


def _site(node: Site, params: list[object]) -> str:
    host = "lower(regexp_extract(u, ?, 1))"
    params.extend([node.host, RE2_LINK, node.host, RE2_LINK, "." + node.host])
    test = f"({host} = ? OR ends_with({host}, ?))"
    if node.path:
        params.extend([RE2_LINK, node.path])
        test += " AND starts_with(regexp_extract(u, ?, 2), ?)"
    found = f"coalesce(len(list_filter(p.links, lambda u: {test})) > 0, false)"
    # every matching link holds the host in lower case: a cheap guard
    guard = "contains(lower(array_to_string(p.links, ' ')), ?)"
    return f"CASE WHEN {guard} THEN {found} ELSE false END"
