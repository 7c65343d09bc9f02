"""Write a complete demo workspace: settings, records through the pipeline, ground truth."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from resonanz.config import CONFIG_NAME
from resonanz.demo.brand import ASPECTS, OWN_ACCOUNTS, topics_toml
from resonanz.demo.records import account_rows, notification_rows, post_rows
from resonanz.demo.simulate import Simulation, simulate
from resonanz.demo.truth import AUTHORS_NAME, LABELS_NAME, TRUTH_NAME, write_truth
from resonanz.errors import WorkspaceError
from resonanz.ingest import Batch
from resonanz.pipeline import open_ingestor
from resonanz.store import Store
from resonanz.workspace import DB_NAME, Workspace

MARKER = "# Demo workspace built by `resonanz demo`."
BATCH = 5_000
#: Cue words of the demo's aspects, so the aspect enricher speaks the simulator's language.
ASPECT_CUES: dict[str, list[str]] = {
    "battery": [
        "akku*", "batterie*", "ladegerät*", "laden", "lädt", "ladung", "battery", "batteries",
        "charger", "charging", "charge", "qualm*", "überhitz*", "aufgebläht", "smoking",
        "swelling", "overheat*", "burning",
    ],
    "delivery": [
        "lieferung", "liefertermin*", "lieferzeit*", "sendungsverfolgung", "zugestellt",
        "versand", "delivery", "delivered", "tracking", "shipping", "arrived",
    ],
    "price": ["preis*", "teuer", "günstig*", "rabatt*", "price*", "rip-off", "discount*"],
    "support": [
        "support", "kundenservice", "hotline", "ticket", "werkstatt", "customer service",
        "warranty", "garantie*",
    ],
    "quality": [
        "verarbeitung", "klappert", "lack", "rost", "build quality", "rattles", "paint",
        "rust", "solide", "solid",
    ],
    "motor": ["motor*", "unterstützung", "assist"],
    "brakes": ["bremse*", "bremsbeläge", "brake*", "rotor"],
    "app": ["app", "firmware*"],
    "design": ["design", "farbe", "schick", "display", "color", "looks"],
    "range": ["reichweite", "range"],
}  # fmt: skip
Progress = Callable[[int, int], None]


def default_anchor() -> datetime:
    """Return the end of the simulated window: the current hour (UTC)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def config_text(seed: int, posts: int) -> str:
    """Return the demo workspace's ``resonanz.toml``."""
    lines = [
        MARKER,
        f"# Seed {seed}, {posts} posts. Every person, post and company here is invented.",
        "",
        "[workspace]",
        'name = "Rheinrad (Demo)"',
        'timezone = "Europe/Berlin"',
        'languages = ["de", "en"]',
        "",
        topics_toml(),
        "[aspects]",
        *(f"{name} = {_toml_list(ASPECT_CUES[name])}" for name in ASPECTS),
        "",
        "[enrich]",
        "on_import = true",
        "",
    ]
    for network, handle in OWN_ACCOUNTS:
        lines += ["[[accounts]]", f'network = "{network}"', f'handle = "{handle}"', ""]
    return "\n".join(lines)


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def is_demo(folder: Path) -> bool:
    """Return True when ``folder`` holds a (possibly unfinished) demo workspace."""
    config = folder / CONFIG_NAME
    return config.exists() and config.read_text("utf-8").startswith(MARKER)


def _clear(folder: Path) -> None:
    """Remove an earlier demo build from ``folder``; refuse to touch other workspaces."""
    if not (folder / CONFIG_NAME).exists() and not (folder / DB_NAME).exists():
        return
    if not is_demo(folder):
        raise WorkspaceError(
            f"{folder} holds a workspace that is not a demo; choose another folder for the demo"
        )
    for name in (CONFIG_NAME, TRUTH_NAME, LABELS_NAME, AUTHORS_NAME):
        (folder / name).unlink(missing_ok=True)
    for path in folder.glob(DB_NAME + "*"):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def build_demo(
    folder: Path,
    *,
    seed: int = 42,
    posts: int = 50_000,
    anchor: datetime | None = None,
    progress: Progress | None = None,
) -> Workspace:
    """Build a demo workspace in ``folder`` (replacing an earlier demo there).

    ``anchor`` ends the simulated 90 days (default: the current hour), so dashboards look
    current; the same seed and anchor give the same workspace. Worlds smaller than about
    1,400 posts are rounded up: the crisis, campaign and our accounts need that many.
    """
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    _clear(folder)
    sim = simulate(seed, posts, anchor or default_anchor())
    workspace = Workspace.init(folder, config_text=config_text(seed, posts))
    with workspace.open(write=True) as store:
        _ingest(workspace, store, sim, progress)
        _insert(store, "accounts", account_rows(sim), conflict="ON CONFLICT DO NOTHING")
        _insert(store, "notifications", notification_rows(sim), conflict="ON CONFLICT DO NOTHING")
    write_truth(folder, sim, seed)
    return Workspace.load(folder)


def _ingest(workspace: Workspace, store: Store, sim: Simulation, progress: Progress | None) -> None:
    """Write posts and authors in batches through the workspace's ingest pipeline."""
    ingestor = open_ingestor(workspace, store)
    total, done = len(sim.world.posts), 0
    for i, (posts, authors) in enumerate(post_rows(sim, BATCH)):
        ingestor.write(Batch(posts=posts, authors=authors, cursor=("demo", str(i))))
        done += posts.num_rows
        if progress is not None:
            progress(done, total)


def _insert(store: Store, table: str, rows: list[dict[str, Any]], *, conflict: str) -> None:
    """Insert plain rows into one of the core tables (column names are fixed identifiers)."""
    if not rows:
        return
    data = pa.Table.from_pylist(rows)
    cols = ", ".join(data.column_names)
    with store.transaction() as con:
        con.register("__demo_rows", data)
        try:
            con.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM __demo_rows {conflict}"  # noqa: S608
            )
        finally:
            con.complete()
            con.unregister("__demo_rows")
