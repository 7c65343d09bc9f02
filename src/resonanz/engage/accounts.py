"""Which authors are us: our accounts from the workspace and the publishing channels."""

from __future__ import annotations

import duckdb

from resonanz.config import Settings


def norm_handle(handle: str) -> str:
    """Return a handle in the form used for comparison (lower case, no leading @)."""
    return handle.strip().lstrip("@").lower()


def own_keys(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """Return ``platform:handle`` keys of every account of ours."""
    keys = {f"{a.network}:{norm_handle(a.handle)}" for a in settings.accounts}
    for ch in settings.publish.channels.values():
        if ch.handle and ch.network != "webhook":
            keys.add(f"{ch.network}:{norm_handle(ch.handle)}")
    for network, handle in con.execute("SELECT network, handle FROM accounts").fetchall():
        keys.add(f"{network}:{norm_handle(str(handle))}")
    return sorted(keys)
