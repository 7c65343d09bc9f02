"""Our own accounts in the store: registration, re-authentication state, notifications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from resonanz.records import utcnow
from resonanz.sources.settings import AccountSettings
from resonanz.store import Store

OK = "ok"
NEEDS_REAUTH = "needs_reauth"
_NOTIFICATION_COLS = (
    "account_id",
    "platform",
    "native_id",
    "kind",
    "post_native_id",
    "author",
    "created_at",
    "raw",
)


def register_accounts(store: Store, accounts: Iterable[AccountSettings]) -> None:
    """Insert or refresh the configured accounts, keeping their status."""
    now = utcnow()
    with store.transaction() as con:
        for account in accounts:
            con.execute(
                "INSERT INTO accounts (id, network, handle, service_url, brand, status, "
                "updated_at) VALUES (?, ?, ?, ?, ?, 'ok', ?) ON CONFLICT (id) DO UPDATE SET "
                "network = excluded.network, handle = excluded.handle, "
                "service_url = excluded.service_url, brand = excluded.brand",
                [
                    account.account_id,
                    account.network,
                    account.handle.lstrip("@"),
                    account.service_url(),
                    account.brand,
                    now,
                ],
            )


def set_account_status(store: Store, account_id: str, status: str, detail: str | None) -> None:
    """Mark an account ``ok`` or ``needs_reauth`` (with a detail that names the fix)."""
    store.con.execute(
        "UPDATE accounts SET status = ?, status_detail = ?, updated_at = ? WHERE id = ?",
        [status, detail, utcnow(), account_id],
    )


def account_rows(store: Store) -> list[dict[str, Any]]:
    """Return every account with its status, grouped by brand."""
    cur = store.con.execute(
        "SELECT id, network, handle, brand, service_url, status, status_detail, updated_at "
        "FROM accounts ORDER BY brand NULLS LAST, network, handle"
    )
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def insert_notifications(store: Store, rows: Iterable[Mapping[str, Any]]) -> int:
    """Store notifications, ignoring ones already stored; return how many were given."""
    values = [[row.get(c) for c in _NOTIFICATION_COLS] for row in rows]
    if not values:
        return 0
    store.con.executemany(
        f"INSERT INTO notifications ({', '.join(_NOTIFICATION_COLS)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in _NOTIFICATION_COLS)}) ON CONFLICT DO NOTHING",
        values,
    )
    return len(values)
