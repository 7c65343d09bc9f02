"""Give simulated posts the ids and URLs each network would give them."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

from resonanz.demo.world import SimPost

_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
SUBREDDITS = {"de": ("de", "fahrrad", "Pedelec", "koeln"), "en": ("ebikes", "bikecommuting")}


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).digest()


def did_of(handle: str) -> str:
    """Return a stable ``did:plc`` for a Bluesky handle."""
    return "did:plc:" + base64.b32encode(_digest(handle)).decode("ascii").lower()[:24]


def tid(at: datetime, clock_id: int) -> str:
    """Return a Bluesky record key (TID) for an instant: sortable base32 of microseconds."""
    value = (int(at.timestamp() * 1_000_000) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_B32_SORT[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def base36(value: int) -> str:
    """Return ``value`` in lowercase base 36 (Reddit's id alphabet)."""
    out = ""
    while value:
        value, rest = divmod(value, 36)
        out = _B36[rest] + out
    return out or "0"


class IdMaker:
    """Assign native ids and URLs in the order posts were created."""

    def __init__(self) -> None:
        self.counter = 0

    def assign(self, post: SimPost, root: SimPost | None) -> tuple[str, str]:
        """Return (native_id, url) of ``post``; ``root`` is its thread's first post."""
        self.counter += 1
        n = self.counter
        handle = post.author.handle
        platform = post.author.platform
        if platform == "mastodon":
            user, _, instance = handle.partition("@")
            native = str((int(post.created_at.timestamp() * 1000) << 16) | (n & 0xFFFF))
            return native, f"https://{instance}/@{user}/{native}"
        if platform == "bluesky":
            rkey = tid(post.created_at, n)
            collection = "app.bsky.feed.repost" if post.kind == "repost" else "app.bsky.feed.post"
            native = f"at://{did_of(handle)}/{collection}/{rkey}"
            return native, f"https://bsky.app/profile/{handle}/post/{rkey}"
        if platform == "reddit":
            return self._reddit(post, root, n)
        if platform == "hackernews":
            native = str(41_800_000 + n * 7)
            return native, f"https://news.ycombinator.com/item?id={native}"
        link = post.links[0] if post.links else f"https://{handle}/meldung/{n}"
        return link, link

    def _reddit(self, post: SimPost, root: SimPost | None, n: int) -> tuple[str, str]:
        subs = SUBREDDITS.get(post.lang, SUBREDDITS["en"])
        top = root or post
        sub = subs[int.from_bytes(_digest(str(top.idx))[:2], "big") % len(subs)]
        top_id = base36(1_900_000_000 + top.idx)
        if post.parent is None:
            slug = "_".join(post.text.lower().split()[:6])
            slug = "".join(c for c in slug if c.isalnum() or c == "_")[:50]
            return f"t3_{top_id}", f"https://www.reddit.com/r/{sub}/comments/{top_id}/{slug}/"
        cid = base36(60_000_000_000 + n)
        return f"t1_{cid}", f"https://www.reddit.com/r/{sub}/comments/{top_id}/comment/{cid}/"
