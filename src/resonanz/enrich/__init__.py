"""Enrichers: language, sentiment, emotion, aspects, intents, stakeholders."""

from __future__ import annotations

from pathlib import Path

from resonanz.config import Settings
from resonanz.ingest import Enrich, EnrichAuthors


def build_enrich(settings: Settings, workspace: Path | None = None) -> Enrich | None:
    """Return the enrichment step configured by ``settings`` (None: enrich nothing)."""
    return None


def build_author_enrich(settings: Settings, workspace: Path | None = None) -> EnrichAuthors | None:
    """Return the author (stakeholder) enrichment step (None: enrich no authors)."""
    return None
