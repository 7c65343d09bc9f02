"""Conversions reported by the shop, authenticated and attributed.

The shop sends ``POST /api/conversions`` with a JSON body ``{"event_id", "value", "currency",
"link" | "referral_code" | "utm_campaign" …}`` and either ``Authorization: Bearer <token>`` or
``X-Resonanz-Signature: sha256=<HMAC-SHA256 of the body with the token>``. A repeated
``event_id`` counts once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb

from resonanz.records import utcnow
from resonanz.track.links import TrackError


def authorized(headers: Mapping[str, str], body: bytes, secret: str) -> bool:
    """Return whether the request carries the token or a valid body signature."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip(), secret):
        return True
    signature = headers.get("x-resonanz-signature", "")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(signature) and hmac.compare_digest(signature, expected)


def _attribution(con: duckdb.DuckDBPyConnection, data: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "link_code": data.get("link"),
        "referral_code": data.get("referral_code"),
    }
    if found["referral_code"]:
        row = con.execute(
            "SELECT advocate, campaign, link_code FROM referrals WHERE code = ?",
            [found["referral_code"]],
        ).fetchone()
        if row is None:
            raise TrackError(f"unknown referral code {found['referral_code']!r}")
        found.update(advocate=row[0], campaign=row[1], link_code=found["link_code"] or row[2])
    if found["link_code"]:
        row = con.execute(
            "SELECT campaign, post_ref, network, advocate FROM links WHERE code = ?",
            [found["link_code"]],
        ).fetchone()
        if row is not None:
            for key, value in zip(
                ("campaign", "post_ref", "network", "advocate"), row, strict=True
            ):
                found[key] = found.get(key) or value
    found["campaign"] = found.get("campaign") or data.get("utm_campaign")
    found["network"] = found.get("network") or data.get("utm_source")
    found["post_ref"] = found.get("post_ref") or data.get("utm_content")
    return found


def record_conversion(
    con: duckdb.DuckDBPyConnection, data: Mapping[str, Any], at: datetime | None = None
) -> tuple[bool, dict[str, Any]]:
    """Store a conversion; return (new?, its attribution). Repeats of an event_id count once."""
    event_id = str(data.get("event_id") or "").strip()
    if not event_id:
        raise TrackError("a conversion needs an event_id (the shop's order or event id)")
    value = data.get("value")
    if value is not None and not isinstance(value, int | float):
        raise TrackError("value must be a number")
    where = _attribution(con, data)
    row = con.execute(
        "INSERT INTO conversions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING event_id",
        [
            event_id,
            at or utcnow(),
            value,
            data.get("currency"),
            where["link_code"],
            where["referral_code"],
            where["campaign"],
            where["post_ref"],
            where["network"],
            where.get("advocate"),
        ],
    ).fetchone()
    return row is not None, where
