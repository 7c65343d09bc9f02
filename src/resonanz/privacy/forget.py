"""Erase one author from a workspace (GDPR Art. 17) and log that it was done, without the handle."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import orjson

from resonanz.privacy.cascade import DOOMED, delete_author_rows, delete_doomed
from resonanz.privacy.salt import canonical_handle, subject_hash
from resonanz.records import utcnow
from resonanz.store import Store


def forget_author(store: Store, salt: bytes, platform: str, handle: str) -> dict[str, int]:
    """Delete everything stored about ``handle`` on ``platform``; return rows per table.

    Erased: the author's posts with their matches, metrics, edges, notifications and
    other per-post rows; the profile; edges where the author is source or target; the
    handle in other posts' ``mentions``; quarantined input that names the author. One
    ``privacy_log`` row records the action with a salted hash of the handle.
    """
    who = canonical_handle(handle)
    with store.transaction() as con:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {DOOMED} AS SELECT platform, native_id FROM posts "  # noqa: S608
            "WHERE platform = ? AND lower(ltrim(author, '@')) = ?",
            [platform, who],
        )
        counts = delete_doomed(con)
        for table, n in delete_author_rows(con, platform, who).items():
            counts[table] = counts.get(table, 0) + n
        row = con.execute(
            "UPDATE posts SET mentions = list_filter(mentions, lambda m: lower(m) <> ?) "
            "WHERE platform = ? AND list_contains(list_transform(mentions, lambda m: lower(m)), ?)",
            [who, platform, who],
        ).fetchone()
        if row and row[0]:
            counts["mentions_removed"] = int(row[0])
        quarantined = [
            qid for qid, raw in _quarantine_rows(store) if names_author(raw, platform, who)
        ]
        if quarantined:
            con.execute("DELETE FROM quarantine WHERE list_contains(?, id)", [quarantined])
            counts["quarantine"] = len(quarantined)
        con.execute(f"DROP TABLE {DOOMED}")
        con.execute(
            "INSERT INTO privacy_log VALUES (?, 'forget', ?, ?, ?)",
            [utcnow(), platform, subject_hash(salt, platform, who), json.dumps(counts)],
        )
    return counts


def _quarantine_rows(store: Store, page: int = 10_000) -> Iterator[tuple[int, bytes]]:
    last = -1
    while True:
        rows = store.con.execute(
            "SELECT id, raw FROM quarantine WHERE id > ? AND raw IS NOT NULL ORDER BY id LIMIT ?",
            [last, page],
        ).fetchall()
        if not rows:
            return
        for qid, raw in rows:
            yield int(qid), bytes(raw)
        last = int(rows[-1][0])


_AUTHOR_KEYS = ("author", "actor", "attributedTo", "handle", "username", "screen_name", "user")


def names_author(raw: bytes, platform: str, handle: str) -> bool:
    """Tell whether a quarantined input is identifiably by ``handle`` (canonical form).

    A JSON object counts when one of its author fields names the handle (also as an
    ActivityPub actor URI) and it names no other platform; other input when a field or
    CSV cell is exactly the handle.
    """
    needle = handle.encode("utf-8", "replace")
    if needle not in raw.lower():
        return False
    try:
        obj: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        obj = None
    if isinstance(obj, dict):
        other = obj.get("platform")
        if isinstance(other, str) and other and other != platform:
            return False
        return any(_is_handle(obj.get(key), handle) for key in _AUTHOR_KEYS)
    text = raw.decode("utf-8", "replace").lower()
    pattern = rf'(^|[",;\t])\s*"?@?{re.escape(handle)}"?\s*($|[",;\t])'
    return re.search(pattern, text) is not None


def _is_handle(value: object, handle: str) -> bool:
    if not isinstance(value, str):
        return False
    value = value.strip().lstrip("@").lower()
    if value == handle:
        return True
    # An actor URI such as https://host/users/alice stands for alice@host.
    match = re.match(r"https?://([^/]+)/(?:users/|@)([^/?#]+)", value)
    return match is not None and f"{match.group(2)}@{match.group(1)}" == handle
