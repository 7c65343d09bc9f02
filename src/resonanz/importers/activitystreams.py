"""Map ActivityStreams activities of a Mastodon outbox (Create/Announce of Notes) to records.

Handles are ``user@domain`` and native ids the instance-local status ids, as the Mastodon
source stores them, so imported and collected posts meet in one row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlparse

import orjson

from resonanz.importers.values import RecordError, timestamp_value
from resonanz.records import AuthorRecord, PostRecord
from resonanz.sources.html_text import html_to_text

PUBLIC: Final = "https://www.w3.org/ns/activitystreams#Public"
_PUBLIC_ALIASES: Final = frozenset({PUBLIC, "as:Public", "Public"})
_QUOTE_KEYS: Final = ("quote", "quoteUri", "quoteUrl", "_misskey_quote")


class NotPublic(Exception):
    """The activity is a direct or followers-only post; it is left out on purpose."""


def status_id(uri: object) -> str | None:
    """Return the status id of a status URI (its last numeric path part), else the URI."""
    if not isinstance(uri, str) or not uri:
        return None
    parts = [part for part in urlparse(uri).path.split("/") if part]
    if parts and parts[-1] == "activity":
        parts.pop()
    if parts and parts[-1].isdigit():
        return parts[-1]
    return uri


def actor_handle(actor: Mapping[str, Any] | str | None) -> str | None:
    """Return ``user@domain`` for an actor object or an actor URI."""
    if isinstance(actor, Mapping):
        host = urlparse(str(actor.get("id") or actor.get("url") or "")).hostname
        name = actor.get("preferredUsername")
        if isinstance(name, str) and host:
            return f"{name}@{host}"
        actor = str(actor.get("id") or "")
    if not isinstance(actor, str) or not actor:
        return None
    parsed = urlparse(actor)
    parts = [part for part in parsed.path.split("/") if part]
    if not parsed.hostname or not parts:
        return None
    return f"{parts[-1].lstrip('@')}@{parsed.hostname}"


def author_record(actor: Mapping[str, Any], seen: datetime) -> AuthorRecord | None:
    """Return the profile of an archive's ``actor.json``."""
    handle = actor_handle(actor)
    if handle is None:
        return None
    kept = {key: value for key, value in actor.items() if key != "publicKey"}
    return {
        "platform": "mastodon",
        "handle": handle,
        "display_name": actor.get("name") or None,
        "bio": html_to_text(actor.get("summary")).text or None,
        "is_bot": actor.get("type") == "Service",
        "updated_at": seen,
        "raw": orjson.dumps(kept).decode(),
    }


def is_public(activity: Mapping[str, Any]) -> bool:
    """Tell whether an activity was addressed to the public (public or unlisted)."""
    audience: list[object] = []
    for key in ("to", "cc"):
        value = activity.get(key)
        audience.extend(value if isinstance(value, list) else [value])
    return any(isinstance(a, str) and a in _PUBLIC_ALIASES for a in audience)


def post_record(
    activity: Mapping[str, Any], owner: str | None, collected_at: datetime
) -> PostRecord:
    """Map one Create or Announce activity; raise :class:`RecordError` or :class:`NotPublic`."""
    kind = activity.get("type")
    if kind not in ("Create", "Announce"):
        raise RecordError(f"unsupported activity type {kind!r} (expected Create or Announce)")
    if not is_public(activity):
        raise NotPublic
    author = actor_handle(activity.get("actor")) or owner
    base: PostRecord = {
        "platform": "mastodon",
        "author": author,
        "collected_at": collected_at,
        "source": "import:mastodon-archive",
        "raw": orjson.dumps(activity).decode(),
        "hashtags": [],
        "mentions": [],
        "links": [],
        "has_media": False,
    }
    if kind == "Announce":
        return _announce(activity, base)
    note = activity.get("object")
    if not isinstance(note, Mapping):
        raise RecordError("Create activity without an embedded object")
    return _note(note, base)


def _announce(activity: Mapping[str, Any], base: PostRecord) -> PostRecord:
    target = activity.get("object")
    if isinstance(target, Mapping):
        target = target.get("id")
    native_id = status_id(activity.get("id"))
    if native_id is None:
        raise RecordError("Announce without an id")
    created = timestamp_value(activity.get("published"), "published")
    if created is None:
        raise RecordError("Announce without published time")
    base.update(
        {"native_id": native_id, "text": "", "created_at": created, "repost_of": status_id(target)}
    )
    return base


def _note(note: Mapping[str, Any], base: PostRecord) -> PostRecord:
    native_id = status_id(note.get("id"))
    if native_id is None:
        raise RecordError("Note without an id")
    created = timestamp_value(note.get("published"), "published")
    if created is None:
        raise RecordError("Note without published time")
    body = html_to_text(note.get("content") if isinstance(note.get("content"), str) else "")
    warning = note.get("summary")
    text = f"{warning}\n\n{body.text}" if isinstance(warning, str) and warning else body.text
    hashtags, mentions = _tags(note.get("tag"))
    languages = note.get("contentMap")
    quote = next((note[key] for key in _QUOTE_KEYS if isinstance(note.get(key), str)), None)
    base.update(
        {
            "native_id": native_id,
            "url": _url(note.get("url")),
            "text": text,
            "lang": next(iter(languages), None) if isinstance(languages, Mapping) else None,
            "created_at": created,
            "reply_to": status_id(note.get("inReplyTo")),
            "quote_of": status_id(quote),
            "hashtags": hashtags,
            "mentions": mentions,
            "links": body.links,
            "has_media": bool(note.get("attachment")),
            "likes": _total(note.get("likes")),
            "reposts": _total(note.get("shares")),
            "replies": _total(note.get("replies")),
        }
    )
    return base


def _tags(tags: object) -> tuple[list[str], list[str]]:
    hashtags: list[str] = []
    mentions: list[str] = []
    for tag in tags if isinstance(tags, list) else []:
        if not isinstance(tag, Mapping) or not isinstance(tag.get("name"), str):
            continue
        name = str(tag["name"])
        if tag.get("type") == "Hashtag":
            hashtags.append(name.lstrip("#").lower())
        elif tag.get("type") == "Mention":
            handle = name.lstrip("@")
            host = urlparse(str(tag.get("href") or "")).hostname
            mentions.append(handle if "@" in handle or not host else f"{handle}@{host}")
    return list(dict.fromkeys(hashtags)), list(dict.fromkeys(mentions))


def _url(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _url(value[0])
    if isinstance(value, Mapping):
        return _url(value.get("href"))
    return None


def _total(collection: object) -> int | None:
    if isinstance(collection, Mapping):
        total = collection.get("totalItems")
        if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
            return total
    return None
