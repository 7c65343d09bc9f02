"""Run the whole simulation for a seed: population, events, everyday posts, ids and counts."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime

from resonanz.demo.crowd import background, bots, leaders
from resonanz.demo.events import Campaign, crisis
from resonanz.demo.platforms import IdMaker
from resonanz.demo.population import build_population
from resonanz.demo.service import own_posts, questions
from resonanz.demo.timeline import Clock
from resonanz.demo.world import SimPost, World


@dataclass
class Simulation:
    """A finished world: posts in creation order with their ids, and the campaign."""

    world: World
    campaign: Campaign
    ids: list[str]
    urls: list[str]


def _scaled(posts: int, at_50k: float, least: int) -> int:
    return max(least, round(at_50k * posts / 50_000))


def simulate(seed: int, posts: int, anchor: datetime) -> Simulation:
    """Simulate about ``posts`` posts over the 90 days before ``anchor``."""
    clock = Clock(anchor)
    people = random.Random(f"resonanz-demo:{seed}:population")
    authors = build_population(people, max(300, posts // 5), 12 if posts >= 20_000 else 8)
    world = World(seed, clock, authors)
    viral = _scaled(posts, 600, 80)
    world.cap = max(8, viral // 6)
    crisis(world, _scaled(posts, 900, 40))
    campaign = Campaign(world)
    campaign.run(viral, _scaled(posts, 220, 10))
    questions(world, _scaled(posts, 420, 30), _scaled(posts, 200, 15))
    own_posts(world, _scaled(posts, 220, 100))
    leaders(world, _scaled(posts, 45, 8), world.cap)
    bots(world, _scaled(posts, 2200, 50))
    planned = len(world.posts)  # the events and accounts above are never cut
    background(world, posts)
    truncate(world, max(posts, planned))
    ids, urls = assign_ids(world.posts)
    count_engagement(world)
    return Simulation(world, campaign, ids, urls)


def truncate(world: World, total: int) -> None:
    """Drop the newest-made posts beyond ``total`` (the tail of the last everyday cascade)."""
    for post in world.posts[total:]:
        if post.parent is not None and post.parent < total:
            parent = world.posts[post.parent]
            parent.children[post.kind] -= 1
    del world.posts[total:]


def assign_ids(posts: list[SimPost]) -> tuple[list[str], list[str]]:
    """Give every post its network's native id and URL, in order of creation time."""
    ids = [""] * len(posts)
    urls = [""] * len(posts)
    maker = IdMaker()
    seen: set[tuple[str, str]] = set()
    for post in sorted(posts, key=lambda p: (p.created_at, p.idx)):
        root = posts[post.root] if post.root is not None and post.root != post.idx else None
        native, url = maker.assign(post, root)
        while (post.author.platform, native) in seen:
            native, url = native + "-2", url + "-2"
        seen.add((post.author.platform, native))
        ids[post.idx], urls[post.idx] = native, url
    for post in posts:
        if post.kind == "repost" and post.author.platform == "bluesky":
            urls[post.idx] = urls[post.content]
    return ids, urls


def count_engagement(world: World) -> None:
    """Fill likes, reposts, replies and views: seen children plus plausible unseen ones."""
    rng = world.rng("engagement")
    for post in world.posts:
        kids = post.children
        shared = kids.get("repost", 0) + kids.get("quote", 0)
        noise = math.exp(rng.gauss(0.0, 0.6))
        if post.kind == "repost":
            post.extra.update(likes=0, reposts=0, replies=0, views=None)
            continue
        reach = post.author.followers or 250
        likes = post.extra.get("likes")
        if likes is None:
            likes = round((math.log1p(reach) * 0.8 + 2.5 * shared + kids.get("reply", 0)) * noise)
        if post.author.is_bot or post.slot == "spam":
            likes = rng.randrange(0, 2)
        unseen = round(likes * 0.12) if post.author.group == "own" else round(shared * 0.2)
        views = None
        if post.author.platform in ("mastodon", "bluesky"):
            views = round(reach * 0.3 * noise + 60 * shared + 8 * likes)
        post.extra.update(
            likes=int(likes),
            reposts=shared + unseen,
            replies=kids.get("reply", 0),
            views=views,
        )
