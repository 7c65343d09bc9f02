"""Assemble the ingest pipeline of a workspace: enrichers and topic matcher from its settings."""

from __future__ import annotations

from resonanz.enrich import build_author_enrich, build_enrich
from resonanz.ingest import Ingestor
from resonanz.query import topic_matcher
from resonanz.store import Store
from resonanz.workspace import Workspace


def stored_topics(store: Store) -> dict[str, str]:
    """Return ``{name: query}`` of every topic stored in the workspace."""
    rows = store.con.execute("SELECT name, query FROM topics ORDER BY name").fetchall()
    return {str(name): str(query) for name, query in rows}


def open_ingestor(workspace: Workspace, store: Store, *, enrich: bool | None = None) -> Ingestor:
    """Build the :class:`Ingestor` that enriches and matches like the workspace says.

    ``enrich`` overrides the workspace's ``[enrich] on_import`` setting.
    """
    do_enrich = workspace.settings.enrich.on_import if enrich is None else enrich
    settings, folder = workspace.settings, workspace.folder
    return Ingestor(
        store,
        enrich=build_enrich(settings, folder) if do_enrich else None,
        match=topic_matcher(stored_topics(store)),
        enrich_authors=build_author_enrich(settings, folder) if do_enrich else None,
    )
