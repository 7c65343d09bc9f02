"""Record clicks without storing IP addresses: a salted, truncated, daily-changing hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from urllib.parse import urlsplit

import duckdb

from resonanz.records import utcnow


def _salt(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT salt FROM track_salt WHERE id = 1").fetchone()
    if row is not None:
        return str(row[0])
    salt = secrets.token_hex(16)
    con.execute("INSERT INTO track_salt VALUES (1, ?) ON CONFLICT DO NOTHING", [salt])
    return salt


def visitor_id(salt: str, day: str, ip: str | None, agent: str | None) -> str | None:
    """Return a pseudonymous visitor id that cannot be turned back into the IP address.

    It changes every day, so visitors cannot be followed across days either.
    """
    if not ip:
        return None
    digest = hashlib.sha256(f"{salt}|{day}|{ip}|{agent or ''}".encode()).hexdigest()
    return digest[:16]


def record_click(
    con: duckdb.DuckDBPyConnection,
    code: str,
    *,
    ip: str | None,
    user_agent: str | None,
    referer: str | None,
    at: datetime | None = None,
) -> None:
    """Store one click of ``code``: time, visitor hash and the referring host only."""
    at = at or utcnow()
    visitor = visitor_id(_salt(con), at.date().isoformat(), ip, user_agent)
    host = urlsplit(referer).hostname if referer else None
    con.execute("INSERT INTO clicks VALUES (?, ?, ?, ?)", [code, at, visitor, host])
