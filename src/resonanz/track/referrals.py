"""Referral codes and links per advocate (a customer who recommends us)."""

from __future__ import annotations

import re
import secrets
from typing import Any

import duckdb

from resonanz.records import utcnow
from resonanz.track.links import create_link

_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are typed by hand


def create_referral(
    con: duckdb.DuckDBPyConnection, advocate: str, target: str, campaign: str | None = None
) -> tuple[str, str]:
    """Give ``advocate`` a referral code and a tracked link; return (code, link code)."""
    stem = re.sub(r"[^A-Z0-9]", "", advocate.upper())[:8] or "REF"
    code = f"{stem}-" + "".join(secrets.choice(_CODE_CHARS) for _ in range(4))
    link = create_link(con, target, campaign=campaign, network="referral", advocate=advocate)
    con.execute(
        "INSERT INTO referrals VALUES (?, ?, ?, ?, ?)", [code, advocate, campaign, link, utcnow()]
    )
    return code, link


def list_referrals(
    con: duckdb.DuckDBPyConnection, campaign: str | None = None
) -> list[dict[str, Any]]:
    """Return referral codes with their clicks and conversions."""
    cur = con.execute(
        """
        SELECT r.code, r.advocate, r.campaign, r.link_code,
               (SELECT count(*) FROM clicks c WHERE c.code = r.link_code) AS clicks,
               (SELECT count(*) FROM conversions v
                WHERE v.referral_code = r.code OR v.link_code = r.link_code) AS conversions
        FROM referrals r WHERE ? IS NULL OR r.campaign = ? ORDER BY r.created_at
        """,
        [campaign, campaign],
    )
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
