"""The only code that talks to DuckDB: opening, locking, migrations, idempotent writes."""

from __future__ import annotations

from resonanz.store.connection import Store, cursor_of, open_store
from resonanz.store.writer import QuarantineItem

__all__ = ["QuarantineItem", "Store", "cursor_of", "open_store"]
