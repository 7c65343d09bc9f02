"""The boolean listening-query language: parse → typed tree → batch matcher and DuckDB SQL.

- :func:`parse` turns query text into a tree (:mod:`resonanz.query.nodes`) or raises
  :class:`~resonanz.errors.QuerySyntaxError`; :func:`validate` returns the problem instead.
- :func:`topic_matcher` matches Arrow batches of posts against many topics (streams).
- :func:`compile_sql` turns a query into a WHERE fragment over ``posts p`` (stored posts);
  :func:`resonanz.query.search.search_posts` and :mod:`resonanz.query.topics` build on it.
"""

from __future__ import annotations

from collections.abc import Mapping

from resonanz.ingest import Match
from resonanz.query.matcher import TopicMatcher
from resonanz.query.nodes import And, Field, Near, Node, Not, Or, Phrase, Site, Tag, render
from resonanz.query.parser import parse
from resonanz.query.sql import compile_sql
from resonanz.query.validate import QueryProblem, validate

__all__ = [
    "And",
    "Field",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "QueryProblem",
    "Site",
    "Tag",
    "TopicMatcher",
    "compile_sql",
    "parse",
    "render",
    "topic_matcher",
    "validate",
]


def topic_matcher(topics: Mapping[str, str]) -> Match | None:
    """Return a matcher of posts against ``{topic name: query}``, or None without topics.

    The matcher maps a posts table to a (platform, native_id, topic) table. A topic with an
    invalid query raises :class:`~resonanz.errors.ConfigError` naming it.
    """
    return TopicMatcher(topics) if topics else None
