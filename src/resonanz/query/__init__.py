"""The boolean listening-query language: parse → AST → batch matcher and DuckDB SQL."""

from __future__ import annotations

from collections.abc import Mapping

from resonanz.ingest import Match


def topic_matcher(topics: Mapping[str, str]) -> Match | None:
    """Return a matcher of posts against ``{topic name: query}``, or None without topics."""
    return None
