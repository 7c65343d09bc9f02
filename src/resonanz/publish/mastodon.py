"""Publish to a Mastodon account: ``POST /api/v1/statuses`` with an ``Idempotency-Key``."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import httpx

from resonanz.publish.publisher import (
    Outgoing,
    PublishRejected,
    PublishUnavailable,
    Sent,
    StrongRef,
)

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)


def plain_text(content: str) -> str:
    """Turn a status' HTML content into comparable plain text (whitespace collapsed)."""
    text = html.unescape(_TAG.sub("", _BREAK.sub("\n", content)))
    return " ".join(text.split())


def check_response(response: httpx.Response, what: str, channel: str) -> None:
    """Raise our error for a failed response (permanent or temporary)."""
    if response.is_success:
        return
    status = response.status_code
    try:
        detail = str(response.json().get("error", ""))
    except ValueError:
        detail = response.reason_phrase
    if status in (401, 403):
        raise PublishRejected(
            f"{what}: the server rejected the credentials of channel {channel!r} ({detail}); "
            f"renew the token in [publish.channels.{channel}]"
        )
    if status == 429 or status >= 500:
        after = response.headers.get("retry-after")
        retry = float(after) if after and after.isdigit() else None
        raise PublishUnavailable(f"{what}: HTTP {status} {detail}".strip(), retry)
    raise PublishRejected(f"{what}: HTTP {status} {detail}".strip())


class MastodonPublisher:
    """Post statuses and replies as one Mastodon account."""

    network = "mastodon"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        channel: str = "mastodon",
        visibility: str = "public",
        timeout: float = 20.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.channel = channel
        self.visibility = visibility
        self._client = client or httpx.Client(timeout=timeout)
        self._headers = {"Authorization": f"Bearer {token}"}
        self._account_id: str | None = None

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self._headers, **kwargs.pop("headers", {})}
        try:
            response = self._client.request(method, self.base_url + path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise PublishUnavailable(f"{self.base_url}: {type(exc).__name__}") from None
        check_response(response, f"{method} {path}", self.channel)
        return response

    def publish(self, post: Outgoing) -> Sent:
        """Post ``post``; a repeated key returns the status created the first time."""
        body: dict[str, Any] = {"status": post.text, "visibility": self.visibility}
        if post.lang:
            body["language"] = post.lang
        if post.reply is not None:
            body["in_reply_to_id"] = post.reply.parent.id
        response = self._request(
            "POST", "/api/v1/statuses", json=body, headers={"Idempotency-Key": post.key}
        )
        return _sent(response.json())

    def lookup(self, post: Outgoing) -> Sent | None:
        """Find ``post`` among our account's latest statuses (same text and parent)."""
        if self._account_id is None:
            me = self._request("GET", "/api/v1/accounts/verify_credentials").json()
            self._account_id = str(me["id"])
        path = f"/api/v1/accounts/{self._account_id}/statuses"
        statuses = self._request("GET", path, params={"limit": 40}).json()
        wanted = " ".join(post.text.split())
        parent = post.reply.parent.id if post.reply else None
        for status in statuses:
            same_parent = status.get("in_reply_to_id") == parent
            if same_parent and plain_text(str(status.get("content", ""))) == wanted:
                return _sent(status)
        return None

    def resolve(self, native_id: str, url: str | None, raw: str | None) -> StrongRef:
        """Return the id of a post on our instance (search for it when it lives elsewhere)."""
        if not url or urlsplit(url).netloc == urlsplit(self.base_url).netloc:
            return StrongRef(native_id)
        found = self._request(
            "GET", "/api/v2/search", params={"q": url, "resolve": "true", "type": "statuses"}
        ).json()
        statuses = found.get("statuses") or []
        if not statuses:
            raise PublishRejected(f"{url} cannot be found from {self.base_url} to reply to it")
        return StrongRef(str(statuses[0]["id"]))

    def thread_root(self, native_id: str, raw: str | None) -> StrongRef | None:
        """Mastodon replies only name their parent."""
        return None

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


def _sent(status: dict[str, Any]) -> Sent:
    return Sent(str(status["id"]), uri=status.get("uri"), url=status.get("url"))
