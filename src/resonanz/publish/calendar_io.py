"""Bulk import and export of the calendar as CSV or JSON.

Columns: id, title, text, channels (``;``-separated), scheduled_for (ISO 8601), campaign,
thread (true/false), status. Imported rows become drafts (approval is never imported); a
row whose id exists updates that draft while it is not scheduled yet.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from resonanz.config import Settings
from resonanz.errors import ImportFormatError, ResonanzError
from resonanz.publish.calendar import add_draft, edit_draft, get_draft, list_drafts

COLUMNS = ("id", "title", "text", "channels", "scheduled_for", "campaign", "thread", "status")


@dataclass
class ImportResult:
    """What an import did; ``errors`` name the row and the problem."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def export_calendar(con: duckdb.DuckDBPyConnection, fmt: str = "json") -> str:
    """Return every draft as CSV or JSON text."""
    rows = [
        {
            "id": d.id,
            "title": d.title or "",
            "text": d.text,
            "channels": ";".join(d.channels),
            "scheduled_for": d.scheduled_for.isoformat() if d.scheduled_for else "",
            "campaign": d.campaign or "",
            "thread": "true" if d.thread else "false",
            "status": d.status,
        }
        for d in list_drafts(con)
    ]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _rows(text: str, fmt: str) -> list[dict[str, Any]]:
    if fmt == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportFormatError(f"calendar JSON is not valid: {exc}") from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ImportFormatError("calendar JSON must be a list of objects")
        return data
    return list(csv.DictReader(io.StringIO(text)))


def _when(value: object) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def import_calendar(
    con: duckdb.DuckDBPyConnection, settings: Settings, text: str, fmt: str = "json"
) -> ImportResult:
    """Create or update drafts from CSV/JSON text; bad rows are reported, not fatal."""
    result = ImportResult()
    for number, row in enumerate(_rows(text, fmt), start=1):
        try:
            channels = row.get("channels") or []
            if isinstance(channels, str):
                channels = [c.strip() for c in channels.split(";") if c.strip()]
            fields = {
                "text": str(row.get("text") or "").strip(),
                "channels": list(channels),
                "title": row.get("title") or None,
                "campaign": row.get("campaign") or None,
                "thread": str(row.get("thread", "")).lower() in ("true", "1", "yes", "ja"),
                "scheduled_for": _when(row.get("scheduled_for")),
            }
            if not fields["text"]:
                raise ValueError("text is empty")
            draft_id = str(row.get("id") or "").strip() or None
            if draft_id and _exists(con, draft_id):
                edit_draft(con, settings, draft_id, **fields)
                result.updated.append(draft_id)
            else:
                new = add_draft(con, settings, draft_id=draft_id, **fields)  # type: ignore[arg-type]
                result.created.append(new)
        except (ValueError, ResonanzError) as exc:
            result.errors.append(f"row {number}: {exc}")
    return result


def _exists(con: duckdb.DuckDBPyConnection, draft_id: str) -> bool:
    try:
        get_draft(con, draft_id)
    except ResonanzError:
        return False
    return True
