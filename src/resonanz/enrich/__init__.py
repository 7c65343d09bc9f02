"""Enrichers: language, sentiment, emotion, aspects, intents, stakeholders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from resonanz.config import Settings
from resonanz.ingest import Enrich, EnrichAuthors

if TYPE_CHECKING:
    from resonanz.enrich.registry import EnrichPipeline

_TERM = re.compile(r'"([^"]+)"|[#@]?([\w.-]+)')
_OPERATORS = {"and", "or", "not", "near", "lang", "platform"}


def query_terms(query: str) -> list[str]:
    """Return the quoted phrases and plain words of a listening query (operators left out).

    >>> query_terms('"Acme Phone" OR #acme AND NOT job')
    ['acme phone', 'acme', 'job']
    """
    out: list[str] = []
    for phrase, word in _TERM.findall(query):
        term = (phrase or word).strip().lower()
        if term and term not in _OPERATORS and ":" not in term and term not in out:
            out.append(term)
    return out


def _terms(settings: Settings, kinds: Iterable[str]) -> list[str]:
    terms: list[str] = []
    for topic in settings.topics.values():
        if topic.kind in kinds:
            terms += [t for t in query_terms(topic.query) if len(t) >= 3]
    return terms


def model_folder(settings: Settings, workspace: Path | None) -> Path | None:
    """Return the adapted-model folder of the settings (relative paths: to the workspace)."""
    if not settings.enrich.model_dir:
        return None
    path = Path(settings.enrich.model_dir).expanduser()
    if not path.is_absolute() and workspace is not None:
        path = workspace / path
    return path


def build_pipeline(settings: Settings, workspace: Path | None = None) -> EnrichPipeline:
    """Return the :class:`EnrichPipeline` of ``settings`` (taxonomy, models, languages)."""
    from resonanz.enrich.aspects import merge_taxonomy
    from resonanz.enrich.registry import EnrichPipeline

    topic_aspects = [a for t in settings.topics.values() for a in (t.aspects or [])]
    taxonomy = merge_taxonomy(settings.aspects, topic_aspects)
    languages = settings.workspace.languages
    return EnrichPipeline(
        model_folder(settings, workspace), taxonomy, languages[0] if languages else "en"
    )


def build_enrich(settings: Settings, workspace: Path | None = None) -> Enrich | None:
    """Return the enrichment step configured by ``settings`` (None: enrich nothing)."""
    pipeline: Enrich = build_pipeline(settings, workspace)
    return pipeline


def build_author_enrich(settings: Settings, workspace: Path | None = None) -> EnrichAuthors | None:
    """Return the author (stakeholder) enrichment step (None: enrich no authors)."""
    from resonanz.enrich.stakeholder import StakeholderEnricher

    own = _terms(settings, ("brand", "product"))
    own += [a.handle.lstrip("@").split("@")[0].split(".")[0].lower() for a in settings.accounts]
    enricher = StakeholderEnricher(own, _terms(settings, ("competitor",)))

    def enrich_authors(authors: pa.Table, posts: pa.Table) -> pa.Table:
        for name, column in enricher(authors, posts).items():
            if name in authors.column_names:
                authors = authors.set_column(authors.column_names.index(name), name, column)
            else:
                authors = authors.append_column(name, column)
        return authors

    return enrich_authors
