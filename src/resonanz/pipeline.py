"""Assemble the ingest pipeline of a workspace: enrichers and topic matcher from its settings."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from resonanz.enrich import build_author_enrich, build_enrich
from resonanz.ingest import Ingestor, Match
from resonanz.query import topic_matcher
from resonanz.query.matcher import MATCH_SCHEMA
from resonanz.store import Store
from resonanz.workspace import Workspace

#: Input at least this large (bytes, all files together) gets a worker process when
#: ``resonanz import`` is left to choose: starting one takes about 3 s, which a worker won
#: back at about 50,000 posts of 256 bytes (12.8 MB; see ``docs/import-formats.md``).
IMPORT_WORKER_BYTES = 32 << 20

#: What a matcher reads of a post (the text, the key and the fields queries can name).
_MATCHED_COLUMNS = (
    "platform",
    "native_id",
    "text",
    "author",
    "lang",
    "hashtags",
    "mentions",
    "links",
)


def stored_topics(store: Store) -> dict[str, str]:
    """Return ``{name: query}`` of every topic stored in the workspace."""
    rows = store.con.execute("SELECT name, query FROM topics ORDER BY name").fetchall()
    return {str(name): str(query) for name, query in rows}


class StoredTopicsMatcher:
    """Match posts against the stored topics, following changes made while it runs.

    A long run (``resonanz listen``, or the dashboard with ``--listen``, whose topic editor
    adds topics) asks before each batch whether the topics changed, and then matches with
    the new ones. Adding, changing or removing a topic re-matches the posts stored before
    (see :mod:`resonanz.query.topics`); the batch that was on its way then is put right
    with the next one: matched again for a new or changed topic, its matches of a changed
    topic replaced, and a removed topic's matches dropped, in one transaction.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.topics = stored_topics(store)
        self._matcher: Match | None = topic_matcher(self.topics)
        self._previous: pa.Table | None = None

    def __call__(self, posts: pa.Table) -> pa.Table:
        """Return the (platform, native_id, topic) matches of ``posts``."""
        self.follow()
        found = self.match(posts)
        self.remember(posts)
        return found

    def match(self, posts: pa.Table) -> pa.Table:
        """Return the matches of ``posts`` with the topics as last followed."""
        return self._matcher(posts) if self._matcher is not None else MATCH_SCHEMA.empty_table()

    def remember(self, posts: pa.Table) -> None:
        """Keep what matching reads of ``posts``, the batch now on its way to the store."""
        self._previous = posts.select([c for c in _MATCHED_COLUMNS if c in posts.column_names])

    def follow(self) -> None:
        """Rebuild the matcher if the topics changed, and put the last batch right."""
        topics = stored_topics(self.store)
        if topics == self.topics:
            return
        fresh = sorted(name for name, query in topics.items() if self.topics.get(name) != query)
        gone = sorted(self.topics.keys() - topics.keys())
        self.topics, self._matcher = topics, topic_matcher(topics)
        previous, self._previous = self._previous, None
        if previous is not None and previous.num_rows:
            self._correct(previous, fresh, gone)

    def _correct(self, previous: pa.Table, fresh: list[str], gone: list[str]) -> None:
        """Replace ``previous``'s stored matches of the ``fresh`` and ``gone`` topics."""
        again = self.match(previous)
        wanted = pa.array(fresh, pa.string())
        again = again.filter(pc.is_in(again.column("topic"), value_set=wanted))
        keys = previous.select(["platform", "native_id"])
        with self.store.transaction() as con:
            con.register("__previous_posts", keys)
            try:
                con.execute(
                    "DELETE FROM matches m WHERE list_contains(?, m.topic) AND EXISTS ("
                    "SELECT 1 FROM __previous_posts k "
                    "WHERE k.platform = m.platform AND k.native_id = m.native_id)",
                    [fresh + gone],
                )
            finally:
                con.complete()
                con.unregister("__previous_posts")
            self.store.insert_matches(again)


def open_ingestor(workspace: Workspace, store: Store, *, enrich: bool | None = None) -> Ingestor:
    """Build the :class:`Ingestor` that enriches and matches like the workspace says.

    ``enrich`` overrides the workspace's ``[enrich] on_import`` setting.
    """
    do_enrich = workspace.settings.enrich.on_import if enrich is None else enrich
    settings, folder = workspace.settings, workspace.folder
    return Ingestor(
        store,
        enrich=build_enrich(settings, folder) if do_enrich else None,
        match=StoredTopicsMatcher(store),
        enrich_authors=build_author_enrich(settings, folder) if do_enrich else None,
    )


@contextmanager
def pooled_ingestor(
    workspace: Workspace,
    store: Store,
    workers: int,
    *,
    local_share: float | None = None,
    enrich: bool | None = None,
) -> Iterator[Ingestor]:
    """Yield :func:`open_ingestor`'s ingestor, or one whose ``workers`` processes enrich and
    match each batch beside this one (``local_share``: see :class:`WorkerPool`).

    The workers follow the stored topics as :class:`StoredTopicsMatcher` does.
    """
    if workers <= 0:
        yield open_ingestor(workspace, store, enrich=enrich)
        return
    from resonanz.scale.workers import Recipe, WorkerPool, parallel_ingestor

    settings = workspace.settings
    recipe = Recipe(
        settings.model_dump_json(),
        str(workspace.folder),
        stored_topics(store),
        enrich=settings.enrich.on_import if enrich is None else enrich,
    )
    with WorkerPool(recipe, workers, local_share=local_share) as pool:
        yield parallel_ingestor(store, pool, follow_topics=True)


def import_workers(
    workspace: Workspace, paths: Sequence[Path], *, enrich: bool | None, cpus: int | None = None
) -> int:
    """Return the worker processes an import of ``paths`` gets when the user leaves it open.

    One, when the posts are enriched, the machine has a second core and the input holds at
    least :data:`IMPORT_WORKER_BYTES`; else none (a small import is done before a worker
    would have started).
    """
    cpus = (os.cpu_count() or 1) if cpus is None else cpus
    do_enrich = workspace.settings.enrich.on_import if enrich is None else enrich
    if not do_enrich or cpus < 2:
        return 0
    size = sum(path.stat().st_size for path in paths if path.is_file())
    return 1 if size >= IMPORT_WORKER_BYTES else 0
