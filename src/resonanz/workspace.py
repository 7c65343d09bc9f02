"""A workspace: a folder with ``resonanz.toml`` and one DuckDB file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from resonanz.config import CONFIG_NAME, Settings, load_settings
from resonanz.errors import WorkspaceError
from resonanz.records import utcnow
from resonanz.store import Store, open_store

DB_NAME = "resonanz.duckdb"
ENV_VAR = "RESONANZ_WORKSPACE"


def default_folder() -> Path:
    """The workspace named by ``RESONANZ_WORKSPACE``, else the current folder."""
    return Path(os.environ.get(ENV_VAR) or ".").resolve()


@dataclass
class Workspace:
    """A workspace folder with its settings; open its database with :meth:`open`."""

    folder: Path
    settings: Settings = field(default_factory=Settings)

    @property
    def db_path(self) -> Path:
        """Path of the workspace's DuckDB file."""
        return self.folder / DB_NAME

    @classmethod
    def load(cls, folder: Path | None = None) -> Workspace:
        """Load the workspace at ``folder`` (default: see :func:`default_folder`)."""
        folder = (folder or default_folder()).resolve()
        if not folder.is_dir():
            raise WorkspaceError(f"no workspace folder {folder}; create one with `resonanz init`")
        return cls(folder, load_settings(folder))

    @classmethod
    def init(cls, folder: Path, *, config_text: str | None = None) -> Workspace:
        """Create a workspace folder with a commented example config and an empty database."""
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / CONFIG_NAME
        if not config.exists():
            text = config_text if config_text is not None else example_config()
            config.write_text(text, encoding="utf-8")
        ws = cls.load(folder)
        with ws.open(write=True, create=True):
            pass
        return ws

    def open(self, *, write: bool = False, create: bool = False) -> Store:
        """Open the database; writers hold the lock and sync topics from the settings."""
        store = open_store(self.db_path, write=write, create=create)
        if write:
            try:
                self._sync_topics(store)
            except BaseException:
                store.close()
                raise
        return store

    def _sync_topics(self, store: Store) -> None:
        """Make the ``topics`` table hold the topics of ``resonanz.toml`` (config wins).

        Topics that are new or whose query changed are re-matched against the stored posts;
        matches of topics removed from the config are dropped.
        """
        from resonanz.query.topics import rematch_topics  # late: query imports workspace parts

        now = utcnow()
        before = dict(
            store.con.execute("SELECT name, query FROM topics WHERE origin = 'config'").fetchall()
        )
        wanted = self.settings.topics
        with store.transaction() as con:
            con.execute("DELETE FROM topics WHERE origin = 'config'")
            for name, topic in wanted.items():
                con.execute(
                    "INSERT INTO topics VALUES (?, ?, ?, ?, 'config', ?) ON CONFLICT (name) "
                    "DO UPDATE SET kind = excluded.kind, query = excluded.query, "
                    "aspects = excluded.aspects, origin = 'config', "
                    "updated_at = excluded.updated_at",
                    [name, topic.kind, topic.query, topic.aspects, now],
                )
            for name in set(before) - set(wanted):
                con.execute("DELETE FROM matches WHERE topic = ?", [name])
        changed = [name for name, topic in wanted.items() if before.get(name) != topic.query]
        if changed and store.count("posts"):
            rematch_topics(store, changed)


def example_config() -> str:
    """The commented example ``resonanz.toml`` written by ``resonanz init``."""
    return resources.files("resonanz").joinpath("example.toml").read_text(encoding="utf-8")
