"""Publish to a Bluesky account: ``createRecord`` with a deterministic record key.

The record key is a TID derived from the outbox item, so a second try after a crash or a
lost answer addresses the same record: the PDS refuses the duplicate and ``getRecord``
confirms the first copy.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

import httpx

from resonanz.publish.mastodon import check_response
from resonanz.publish.publisher import (
    Outgoing,
    PublishRejected,
    PublishUnavailable,
    Sent,
    StrongRef,
)
from resonanz.records import utcnow

POST = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_TAG = re.compile(r"(?<!\w)#(\w{1,64})")


def tid_for(key: str, at: datetime) -> str:
    """Return a valid TID record key that depends only on ``key`` and the second of ``at``.

    >>> len(tid_for("x", datetime(2026, 1, 1, tzinfo=UTC)))
    13
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    micros = int(at.timestamp()) * 1_000_000 + int.from_bytes(digest[:4], "big") % 1_000_000
    clock = int.from_bytes(digest[4:6], "big") & 0x3FF
    value = (micros << 10) | clock
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def facets(text: str) -> list[dict[str, Any]]:
    """Return link and hashtag facets (byte offsets in UTF-8) for ``text``."""
    found: list[dict[str, Any]] = []

    def span(start: int, end: int) -> dict[str, int]:
        return {
            "byteStart": len(text[:start].encode("utf-8")),
            "byteEnd": len(text[:end].encode("utf-8")),
        }

    for match in _URL.finditer(text):
        feature = {"$type": "app.bsky.richtext.facet#link", "uri": match.group(0)}
        found.append({"index": span(*match.span()), "features": [feature]})
    for match in _TAG.finditer(text):
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}
        found.append({"index": span(*match.span()), "features": [feature]})
    return found


def split_uri(uri: str) -> tuple[str, str, str]:
    """Split ``at://repo/collection/rkey``."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        raise PublishRejected(f"{uri!r} is not an at:// record URI")
    return parts[0], parts[1], parts[2]


class BlueskyPublisher:
    """Post records and replies as one Bluesky account (app password session)."""

    network = "bluesky"

    def __init__(
        self,
        base_url: str,
        handle: str,
        password: str,
        *,
        channel: str = "bluesky",
        lang: str | None = None,
        timeout: float = 20.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.handle = handle
        self.channel = channel
        self.lang = lang
        self._password = password
        self._client = client or httpx.Client(timeout=timeout)
        self._session: dict[str, str] | None = None

    def _call(self, method: str, nsid: str, *, auth: bool = True, **kwargs: Any) -> httpx.Response:
        headers: dict[str, str] = {}
        if auth:
            headers["Authorization"] = f"Bearer {self._login()['accessJwt']}"
        try:
            return self._client.request(
                method, f"{self.base_url}/xrpc/{nsid}", headers=headers, **kwargs
            )
        except httpx.HTTPError as exc:
            raise PublishUnavailable(f"{self.base_url}: {type(exc).__name__}") from None

    def _login(self) -> dict[str, str]:
        if self._session is None:
            response = self._call(
                "POST",
                "com.atproto.server.createSession",
                auth=False,
                json={"identifier": self.handle, "password": self._password},
            )
            check_response(response, "createSession", self.channel)
            self._session = {k: str(v) for k, v in response.json().items() if k != "active"}
        return self._session

    def rkey(self, post: Outgoing) -> str:
        """Return the record key ``post`` is stored under."""
        return tid_for(post.key, post.scheduled_at)

    def record(self, post: Outgoing) -> dict[str, Any]:
        """Build the ``app.bsky.feed.post`` record for ``post``."""
        record: dict[str, Any] = {
            "$type": POST,
            "text": post.text,
            "createdAt": utcnow().isoformat().replace("+00:00", "Z"),
        }
        lang = post.lang or self.lang
        if lang:
            record["langs"] = [lang]
        if found := facets(post.text):
            record["facets"] = found
        if post.reply is not None:
            record["reply"] = {
                "root": {"uri": post.reply.root.id, "cid": post.reply.root.cid},
                "parent": {"uri": post.reply.parent.id, "cid": post.reply.parent.cid},
            }
        return record

    def publish(self, post: Outgoing) -> Sent:
        """Create the record; if its key is taken already, return the stored copy."""
        body = {
            "repo": self._login()["did"],
            "collection": POST,
            "rkey": self.rkey(post),
            "record": self.record(post),
        }
        response = self._call("POST", "com.atproto.repo.createRecord", json=body)
        if response.is_success:
            data = response.json()
            return self._sent(str(data["uri"]), str(data["cid"]))
        # A taken key (an earlier try got through) shows up as an error, sometimes a 5xx.
        earlier = self.lookup(post)
        if earlier is not None:
            return earlier
        check_response(response, "createRecord", self.channel)
        raise PublishUnavailable(f"createRecord: HTTP {response.status_code}")

    def lookup(self, post: Outgoing) -> Sent | None:
        """Return the record stored under ``post``'s key, if any."""
        found = self._get_record(self._login()["did"], POST, self.rkey(post))
        return None if found is None else self._sent(str(found["uri"]), str(found["cid"]))

    def _get_record(self, repo: str, collection: str, rkey: str) -> dict[str, Any] | None:
        params = {"repo": repo, "collection": collection, "rkey": rkey}
        response = self._call("GET", "com.atproto.repo.getRecord", params=params)
        if response.status_code == 400 and "NotFound" in response.text:
            return None
        check_response(response, "getRecord", self.channel)
        return dict(response.json())

    def resolve(self, native_id: str, url: str | None, raw: str | None) -> StrongRef:
        """Return uri and cid of a post, from its stored payload or from the network."""
        cid = _from_raw(raw, "cid")
        if isinstance(cid, str):
            return StrongRef(native_id, cid)
        found = self._get_record(*split_uri(native_id))
        if found is None:
            raise PublishRejected(f"{native_id} no longer exists; it cannot be answered")
        return StrongRef(native_id, str(found["cid"]))

    def thread_root(self, native_id: str, raw: str | None) -> StrongRef | None:
        """Return the root named in the post's own reply reference (None: it is a root)."""
        record = _from_raw(raw, "record")
        if not isinstance(record, dict):
            found = self._get_record(*split_uri(native_id))
            record = found.get("value") if found else None
        reply = record.get("reply") if isinstance(record, dict) else None
        root = reply.get("root") if isinstance(reply, dict) else None
        if isinstance(root, dict) and root.get("uri") and root.get("cid"):
            return StrongRef(str(root["uri"]), str(root["cid"]))
        return None

    def _sent(self, uri: str, cid: str) -> Sent:
        rkey = uri.rsplit("/", 1)[-1]
        url = f"https://bsky.app/profile/{self.handle}/post/{rkey}"
        return Sent(uri, uri=uri, cid=cid, url=url)

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


def _from_raw(raw: str | None, key: str) -> object:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("post"), dict):
        data = data["post"]  # feed items wrap the post view
    return data.get(key) if isinstance(data, dict) else None
