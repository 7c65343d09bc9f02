"""Grow repost/reply/quote cascades under a post and write the responses in them."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from resonanz.demo.brand import ASPECTS, BRAND, COMPETITORS, Company, product
from resonanz.demo.language import PostSpec
from resonanz.demo.population import Author
from resonanz.demo.world import PEOPLE, SimPost, World, mention_text

#: Weights of (repost, reply, quote) per platform; forums only have replies.
KINDS: dict[str, tuple[float, float, float]] = {
    "mastodon": (0.6, 0.3, 0.1),
    "bluesky": (0.55, 0.3, 0.15),
    "reddit": (0.0, 1.0, 0.0),
    "hackernews": (0.0, 1.0, 0.0),
}
_KIND_NAMES = ("repost", "reply", "quote")
Make = Callable[[World, random.Random, SimPost, str, Author, datetime], SimPost]


@dataclass(frozen=True)
class Growth:
    """How a cascade grows: expected children of the root and of every later node."""

    first: float
    mean: float
    cap: int
    delay_minutes: float = 45.0
    groups: tuple[str, ...] = PEOPLE
    kinds: tuple[float, float, float] | None = None
    dispersion: float = 0.6  # lower: more unequal offspring (a few nodes spread widely)
    sustain: bool = False  # keep growing from the newest posts until ``cap`` is reached


def poisson(rng: random.Random, lam: float) -> int:
    """Draw a Poisson number (normal approximation for large means)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def offspring(rng: random.Random, mean: float, dispersion: float) -> int:
    """Draw a negative-binomial number of children (gamma-mixed Poisson)."""
    if mean <= 0:
        return 0
    return poisson(rng, rng.gammavariate(dispersion, mean / dispersion))


def grow(
    world: World, root: SimPost, growth: Growth, rng: random.Random, make: Make | None = None
) -> list[SimPost]:
    """Grow a cascade under ``root`` breadth-first; return the new posts."""
    platform = root.author.platform
    weights = growth.kinds or KINDS.get(platform)
    if weights is None:
        return []
    make = make or respond
    cumulative = (weights[0], weights[0] + weights[1], sum(weights))
    pool = world.pool(platform, growth.groups)
    anchor = world.clock.anchor
    made: list[SimPost] = []
    queue = deque([root])
    revivals = 0
    while len(made) < growth.cap:
        if not queue:
            if not (growth.sustain and made and revivals < 50):
                break
            revivals += 1
            queue.extend(made[-3:])
        node = queue.popleft()
        if node is root:
            count = round(growth.first) if growth.sustain else offspring(rng, growth.first, 0.6)
        else:
            count = offspring(rng, growth.mean, growth.dispersion)
        for _ in range(count):
            if len(made) >= growth.cap:
                break
            kind = rng.choices(_KIND_NAMES, cum_weights=cumulative)[0]
            delay = growth.delay_minutes * math.exp(rng.gauss(0.0, 1.0))
            at = node.created_at + timedelta(minutes=delay, seconds=rng.randrange(60))
            if at >= anchor:
                continue
            child = make(world, rng, node, kind, pool.pick(rng, avoid=node.author), at)
            made.append(child)
            queue.append(child)
    return made


def company_of(key: str | None) -> Company:
    """Return the company with topic name ``key`` (ours by default)."""
    for company in COMPETITORS:
        if company.key == key:
            return company
    return BRAND


def rival_for(company: Company, rng: random.Random) -> Company:
    """Return another company to compare with or switch to."""
    others = [c for c in (BRAND, *COMPETITORS) if c is not company]
    return others[rng.randrange(len(others))]


#: How people respond to a post, by what the post is: (grammar slots, weights).
_RESPONSES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "purchase": (("recommend", "complaint", "rival_mention"), (0.45, 0.25, 0.3)),
    "question": (("reply_help", "recommend"), (0.8, 0.2)),
    "negative": (("reply_agree", "reply_help", "reply_disagree"), (0.55, 0.3, 0.15)),
    "positive": (("reply_praise", "reply_help"), (0.8, 0.2)),
    "neutral": (("reply_help", "reply_praise", "quote_neu"), (0.5, 0.3, 0.2)),
}


def response_slot(rng: random.Random, target: SimPost, kind: str) -> str:
    """Choose how someone answers or quotes ``target``."""
    if kind == "quote":
        return {"negative": "quote_neg", "positive": "quote_pos"}.get(target.sentiment, "quote_neu")
    if target.slot == "purchase":
        key = "purchase"
    elif target.slot.startswith("question"):
        key = "question"
    else:
        key = target.sentiment
    options, weights = _RESPONSES.get(key, _RESPONSES["neutral"])
    return rng.choices(options, weights=weights)[0]


def respond(
    world: World, rng: random.Random, node: SimPost, kind: str, author: Author, at: datetime
) -> SimPost:
    """Add a repost of ``node``, or a reply or quote to the post whose words it carries."""
    if kind == "repost":
        return world.repost(author, at, node)
    target = world.posts[node.content]
    slot = response_slot(rng, target, kind)
    return reply_with(world, rng, target, kind, author, at, slot)


def reply_with(
    world: World,
    rng: random.Random,
    target: SimPost,
    kind: str,
    author: Author,
    at: datetime,
    slot: str,
    **extra: object,
) -> SimPost:
    """Add a reply or quote of ``target`` written from grammar slot ``slot``."""
    company = company_of(target.company)
    prod = product(target.product) if target.product else company.products[0]
    lang = target.lang if rng.random() < 0.85 else author.lang
    spec = PostSpec(
        intent=slot,
        lang=lang,
        aspect=target.aspect or ASPECTS[rng.randrange(len(ASPECTS))],
        company=company,
        product=prod,
        rival=rival_for(company, rng),
        us=mention_text(author.platform, world.own_handle(author.platform, company)),
        **extra,  # type: ignore[arg-type]
    )
    post = world.compose(rng, author, at, spec, kind=kind, parent=target.idx)
    post.crisis = target.crisis and post.sentiment == "negative"
    post.campaign = target.campaign
    if kind == "reply" and author.platform == "mastodon" and target.author is not author:
        post.text = f"{mention_text('mastodon', target.author.handle)} {post.text}"
        post.mentions.insert(0, target.author.handle)
    return post
