"""Publish through a generic webhook, for networks without an open API.

The receiver gets a JSON body, an ``Idempotency-Key`` header (it must drop repeats) and, when
a token is set, ``X-Resonanz-Signature: sha256=<HMAC of the body>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from resonanz.publish.mastodon import check_response
from resonanz.publish.publisher import Outgoing, PublishUnavailable, Sent, StrongRef


def sign(secret: str, body: bytes) -> str:
    """Return the signature header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookPublisher:
    """Hand posts to a webhook that publishes them elsewhere."""

    network = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | None = None,
        *,
        channel: str = "webhook",
        timeout: float = 20.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = url
        self.channel = channel
        self._secret = secret
        self._client = client or httpx.Client(timeout=timeout)

    def publish(self, post: Outgoing) -> Sent:
        """POST the post; the receiver's ``id`` (or our key) identifies it."""
        body = json.dumps(
            {
                "id": post.key,
                "channel": self.channel,
                "text": post.text,
                "lang": post.lang,
                "campaign": post.campaign,
                "scheduled_at": post.scheduled_at.isoformat(),
                "reply_to": post.reply.parent.id if post.reply else None,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        headers = {"Content-Type": "application/json", "Idempotency-Key": post.key}
        if self._secret:
            headers["X-Resonanz-Signature"] = sign(self._secret, body)
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise PublishUnavailable(f"webhook {self.channel}: {type(exc).__name__}") from None
        check_response(response, f"webhook {self.channel}", self.channel)
        try:
            remote = response.json().get("id")
        except ValueError:
            remote = None
        return Sent(str(remote or post.key))

    def lookup(self, post: Outgoing) -> Sent | None:
        """A webhook cannot be asked; it dedupes by Idempotency-Key instead."""
        return None

    def resolve(self, native_id: str, url: str | None, raw: str | None) -> StrongRef:
        """Pass the id through; the receiver knows its network."""
        return StrongRef(native_id)

    def thread_root(self, native_id: str, raw: str | None) -> StrongRef | None:
        """Unknown to a webhook."""
        return None

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()
