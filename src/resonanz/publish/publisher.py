"""What every publisher offers the scheduler, and what it hands back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from resonanz.errors import PublishError


class PublishRejected(PublishError):
    """The network refused the post for good (bad credentials, invalid content)."""


class PublishUnavailable(PublishError):
    """The network could not be reached or answered with a temporary error; retry later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


@dataclass(frozen=True)
class StrongRef:
    """A post on the network: its id, and (Bluesky) its content id."""

    id: str
    cid: str | None = None


@dataclass(frozen=True)
class ReplyTarget:
    """The post we answer (parent) and the first post of its thread (root)."""

    parent: StrongRef
    root: StrongRef


@dataclass(frozen=True)
class Outgoing:
    """One post to send. ``key`` is stable across retries and crashes (idempotency key)."""

    key: str
    text: str
    scheduled_at: datetime
    reply: ReplyTarget | None = None
    lang: str | None = None
    campaign: str | None = None


@dataclass(frozen=True)
class Sent:
    """Where a post landed: the network's id (Mastodon status id, Bluesky at-uri)."""

    remote_id: str
    uri: str | None = None
    cid: str | None = None
    url: str | None = None


class Publisher(Protocol):
    """Sends posts to one account on one network.

    ``publish`` must be safe to repeat with the same ``Outgoing.key``: the network either
    dedupes it (Mastodon's Idempotency-Key, Bluesky's record key) or ``lookup`` finds the
    earlier copy. ``resolve`` turns a stored post's native id into a reply reference.
    """

    network: str

    def publish(self, post: Outgoing) -> Sent:
        """Send ``post`` and return where it landed."""
        ...

    def lookup(self, post: Outgoing) -> Sent | None:
        """Return the copy of ``post`` already on the network, if any."""
        ...

    def resolve(self, native_id: str, url: str | None, raw: str | None) -> StrongRef:
        """Return a reference to another post that we can reply to."""
        ...

    def thread_root(self, native_id: str, raw: str | None) -> StrongRef | None:
        """Return the root of the thread ``native_id`` belongs to (None: it is the root)."""
        ...

    def close(self) -> None:
        """Release the HTTP connection pool."""
        ...
