"""The simulated world while it is built: authors, posts and the picking of who acts."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from resonanz.demo.brand import BRAND, OWN_ACCOUNTS, Company, Product
from resonanz.demo.labels import INTENDED, aspect_polarity
from resonanz.demo.language import PostSpec, Written, write
from resonanz.demo.population import Author
from resonanz.demo.timeline import Clock

#: Groups of ordinary people who reply, repost and quote.
PEOPLE = ("customer", "prospect", "public", "press", "influencer", "employee")


@dataclass
class SimPost:
    """One simulated post with the labels the simulator intended."""

    idx: int
    author: Author
    created_at: datetime
    text: str
    lang: str
    slot: str  # the grammar slot that wrote it (or the copied one, for reposts)
    kind: str = "post"  # post | reply | repost | quote
    parent: int | None = None
    root: int | None = None
    content: int = -1  # the post whose words this is (a repost's original)
    depth: int = 0
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    has_media: bool = False
    intents: tuple[str, ...] = ()
    sentiment: str = "neutral"
    emotion: str = "none"
    aspect: str | None = None
    polarity: str | None = None
    company: str | None = None
    product: str | None = None
    crisis: bool = False
    campaign: bool = False
    children: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class Pool:
    """Authors of one platform, picked in proportion to their activity."""

    def __init__(self, authors: list[Author]) -> None:
        self.authors = authors
        self.cumulative = list(itertools.accumulate(a.activity for a in authors))

    def pick(self, rng: random.Random, avoid: Author | None = None) -> Author:
        """Return one author; ``avoid`` is never returned when anyone else exists."""
        for _ in range(8):
            i = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
            author = self.authors[min(i, len(self.authors) - 1)]
            if author is not avoid:
                return author
        return self.authors[0]


class World:
    """Everything the simulation has created so far."""

    def __init__(self, seed: int, clock: Clock, authors: list[Author]) -> None:
        self.seed = seed
        self.clock = clock
        self.authors = authors
        self.posts: list[SimPost] = []
        self.truth: dict[str, Any] = {}
        self._pools: dict[tuple[str, tuple[str, ...]], Pool] = {}
        self.own = {p: self.author(p, h) for p, h in OWN_ACCOUNTS}
        self.crisis_window: tuple[datetime, datetime] | None = None
        self.outlets = [a.handle for a in authors if a.platform == "rss"]
        self.cap = 40  # the most posts of any cascade but the viral one (set by the simulation)

    def in_crisis(self, at: datetime) -> bool:
        """Return True while the crisis runs (our team is slower then)."""
        window = self.crisis_window
        return window is not None and window[0] <= at < window[1]

    def rng(self, name: str) -> random.Random:
        """Return the random source of one part of the world (independent of the others)."""
        return random.Random(f"resonanz-demo:{self.seed}:{name}")

    def author(self, platform: str, handle: str) -> Author:
        """Return the author with this handle."""
        for author in self.authors:
            if author.platform == platform and author.handle == handle:
                return author
        raise KeyError((platform, handle))

    def pool(self, platform: str, groups: tuple[str, ...] = PEOPLE) -> Pool:
        """Return the ordinary authors of ``platform`` in ``groups`` (opinion leaders excluded)."""
        key = (platform, groups)
        if key not in self._pools:
            members = [
                a
                for a in self.authors
                if a.platform == platform and a.group in groups and not a.leader
            ]
            if not members:
                members = [a for a in self.authors if a.platform == platform and a.group != "own"]
            self._pools[key] = Pool(members)
        return self._pools[key]

    def leaders(self) -> list[Author]:
        """Return the opinion leaders in their designed order."""
        return [a for a in self.authors if a.leader]

    def compose(
        self,
        rng: random.Random,
        author: Author,
        at: datetime,
        spec: PostSpec,
        **labels: Any,
    ) -> SimPost:
        """Write and add an original post (or a reply/quote when ``labels`` say so)."""
        spec = replace(spec, platform=author.platform)
        written: Written = write(spec, rng)
        intended = INTENDED[spec.intent]
        post = SimPost(
            idx=len(self.posts),
            author=author,
            created_at=at,
            text=written.text,
            lang=spec.lang,
            slot=spec.intent,
            hashtags=written.hashtags,
            links=written.links,
            intents=intended.intents,
            sentiment=intended.sentiment,
            emotion=spec.emotion if spec.emotion != "none" else intended.emotion,
            company=spec.company.key if spec.company else None,
            product=spec.product.key if spec.product else None,
        )
        if written.aspect_used and spec.aspect:
            post.aspect = spec.aspect
            post.polarity = aspect_polarity(spec.intent, post.sentiment)
        if spec.us and spec.us in written.text and author.platform in ("mastodon", "bluesky"):
            post.mentions.append(self.own_handle(author.platform, spec.company))
        for key, value in labels.items():
            setattr(post, key, value)
        post.content = post.idx
        self._link(post)
        self.posts.append(post)
        return post

    def repost(self, author: Author, at: datetime, parent: SimPost) -> SimPost:
        """Add a repost of ``parent`` by ``author``."""
        source = self.posts[parent.content]
        post = SimPost(
            idx=len(self.posts),
            author=author,
            created_at=at,
            text=source.text,
            lang=source.lang,
            slot=source.slot,
            kind="repost",
            parent=parent.idx,
            content=source.idx,
            hashtags=list(source.hashtags),
            mentions=list(source.mentions),
            links=list(source.links),
            has_media=source.has_media,
            intents=source.intents,
            sentiment=source.sentiment,
            emotion=source.emotion,
            aspect=source.aspect,
            polarity=source.polarity,
            company=source.company,
            product=source.product,
            crisis=source.crisis,
            campaign=source.campaign,
        )
        self._link(post)
        self.posts.append(post)
        return post

    def relink(self, post: SimPost) -> None:
        """Attach an original post under its newly set ``parent``."""
        self._link(post)

    def _link(self, post: SimPost) -> None:
        """Set root and depth from the parent and count the child on the parent."""
        if post.parent is None:
            post.root = post.idx
            return
        parent = self.posts[post.parent]
        post.root = parent.root
        post.depth = parent.depth + 1
        parent.children[post.kind] = parent.children.get(post.kind, 0) + 1

    def own_handle(self, platform: str, company: Company | None) -> str:
        """Return the handle of the company's account on ``platform`` (ours by default)."""
        if company is None or company is BRAND:
            own = self.own.get(platform)
            return own.handle if own else OWN_ACCOUNTS[0][1]
        return (
            f"{company.key}@mastodon.social"
            if platform != "bluesky"
            else (f"{company.key}.bsky.social")
        )


def mention_text(platform: str, handle: str) -> str:
    """Return how a mention of ``handle`` is written in a post's text on ``platform``."""
    if platform == "mastodon":
        return "@" + handle.split("@")[0]
    if platform == "bluesky":
        return "@" + handle
    if platform == "reddit":
        return "u/" + handle.split("@")[0].split(".")[0] + "_official"
    return handle.split("@")[0].split(".")[0].capitalize()


def owned_product(author: Author, rng: random.Random) -> tuple[Company, Product]:
    """Return what the author writes about: their own bike, else one of ours."""
    if author.owns is not None and author.product is not None:
        return author.owns, author.product
    return BRAND, BRAND.products[rng.randrange(len(BRAND.products))]
