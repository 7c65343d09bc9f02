"""Everyone else: opinion leaders, bots and the everyday chatter that fills the 90 days."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

from resonanz.demo.brand import ASPECTS, BRAND, COMPETITORS, CRISIS_PRODUCT, Company, product
from resonanz.demo.cascade import Growth, grow, rival_for
from resonanz.demo.language import PostSpec
from resonanz.demo.population import Author
from resonanz.demo.timeline import window_shape
from resonanz.demo.world import World, mention_text, owned_product

#: Grammar slots each group writes, with weights.
SLOTS: dict[str, tuple[tuple[str, float], ...]] = {
    "customer": (
        ("complaint", 0.2),
        ("praise", 0.22),
        ("chatter", 0.17),
        ("question_open", 0.08),
        ("recommend", 0.07),
        ("mixed", 0.04),
        ("churn", 0.03),
        ("rival_mention", 0.06),
        ("offtopic", 0.1),
        ("purchase", 0.03),
    ),
    "prospect": (
        ("purchase", 0.45),
        ("question_open", 0.2),
        ("rival_mention", 0.15),
        ("offtopic", 0.2),
    ),
    "public": (("offtopic", 0.55), ("rival_mention", 0.25), ("purchase", 0.2)),
    "press": (("news", 1.0),),
    "influencer": (
        ("praise", 0.35),
        ("complaint", 0.3),
        ("mixed", 0.15),
        ("recommend", 0.1),
        ("chatter", 0.1),
    ),
    "employee": (("employee", 0.85), ("chatter", 0.15)),
    "investor": (("news", 0.6), ("rival_mention", 0.4)),
    "politician": (("politician", 1.0),),
    "ngo": (("ngo", 1.0),),
    "competitor": (("rival_staff", 1.0),),
}
#: Aspects each company is criticised for (×3 in complaints) and praised for (×3 in praise).
WEAK = {
    "rheinrad": ("support", "app"),
    "spreeflug": ("delivery", "quality"),
    "alpenvolt": ("price",),
}
STRONG = {
    "rheinrad": ("design", "motor"),
    "spreeflug": ("price", "design"),
    "alpenvolt": ("motor",),
}
#: Where everyday posts appear.
PLATFORMS = (
    ("mastodon", 0.31),
    ("bluesky", 0.31),
    ("reddit", 0.22),
    ("hackernews", 0.06),
    ("rss", 0.1),
)
EVERYONE = tuple(SLOTS)


def pick_aspect(rng: random.Random, company: Company, sentiment: str) -> str:
    """Return an aspect, favouring what people criticise or praise about ``company``."""
    boosted = WEAK.get(company.key, ()) if sentiment == "negative" else STRONG.get(company.key, ())
    weights = [3.0 if a in boosted else 1.0 for a in ASPECTS]
    return rng.choices(ASPECTS, weights=weights)[0]


def pick_company(rng: random.Random) -> Company:
    """Return the company a post is about: us more often than each competitor."""
    return rng.choices((BRAND, *COMPETITORS), weights=(0.56, 0.24, 0.2))[0]


def article_link(outlet: str, at: datetime, rng: random.Random) -> str:
    """Return the URL of an article on a news site."""
    return f"https://{outlet}/{at:%Y/%m/%d}/artikel-{rng.randrange(10000, 99999)}"


def spec_for(world: World, rng: random.Random, author: Author, slot: str, at: datetime) -> PostSpec:
    """Describe an everyday post of ``author`` written from grammar ``slot``."""
    company, prod = owned_product(author, rng)
    if author.group != "customer" or slot in ("news", "rival_mention", "purchase"):
        company = author.company or pick_company(rng)
        prod = company.products[rng.randrange(len(company.products))]
    if slot == "rival_mention":
        company = COMPETITORS[rng.randrange(len(COMPETITORS))]
    sentiment = "negative" if slot in ("complaint", "churn", "mixed") else "positive"
    lang = "en" if author.platform == "hackernews" else author.lang
    link = None
    if slot == "news":
        site = author.handle if author.platform == "rss" else rng.choice(world.outlets)
        link = article_link(site, at, rng)
    return PostSpec(
        intent=slot,
        lang=lang,
        sentiment=sentiment,
        aspect=pick_aspect(rng, company, sentiment),
        company=company,
        product=prod,
        rival=rival_for(company, rng),
        us=mention_text(author.platform, world.own_handle(author.platform, company)),
        link=link,
        name="",
    )


def background(world: World, total: int) -> None:
    """Add everyday posts (each with a small cascade) until the world holds ``total`` posts."""
    rng = world.rng("background")
    sampler = world.clock.sampler()
    launch_at = (world.clock.anchor - timedelta(days=58) - world.clock.start).total_seconds()
    launch = world.clock.sampler(window_shape(launch_at / 3600, 72))
    leaders = {p: [a for a in world.leaders() if a.platform == p] for p in ("mastodon", "bluesky")}
    platforms = [name for name, _ in PLATFORMS]
    cumulative = list(itertools.accumulate(share for _, share in PLATFORMS))
    while len(world.posts) < total:
        platform = rng.choices(platforms, cum_weights=cumulative)[0]
        groups = ("press",) if platform == "rss" else EVERYONE
        author = world.pool(platform, groups).pick(rng)
        options, shares = zip(*SLOTS[author.group], strict=True)
        slot = rng.choices(options, weights=shares)[0]
        at = sampler.draw(rng)
        spec = spec_for(world, rng, author, slot, at)
        if rng.random() < 0.03:  # the Alpenvolt launch: three days of talk about the rival
            slot, at = "rival_mention", launch.draw(rng)
            spec = PostSpec("rival_mention", spec.lang, company=COMPETITORS[1], rival=BRAND)
        media = slot in ("praise", "chatter", "complaint") and rng.random() < 0.25
        post = world.compose(rng, author, at, spec, has_media=media)
        crowd = leaders.get(platform)
        if crowd and rng.random() < 0.06:
            leader = crowd[min(int(rng.expovariate(0.6)), len(crowd) - 1)]
            post.text += f" cc {mention_text(platform, leader.handle)}"
            post.mentions.append(leader.handle)
        first = 2.0 if platform == "hackernews" else 0.55
        grow(world, post, Growth(first=first, mean=0.25, cap=min(30, world.cap)), rng)


def leaders(world: World, posts_each: int, cap: int) -> None:
    """Add the opinion leaders' posts; each draws many reposts, replies and quotes."""
    rng = world.rng("leaders")
    sampler = world.clock.sampler()
    window = world.crisis_window
    for rank, leader in enumerate(world.leaders()):
        first = 18.0 / (1 + rank) ** 0.45
        growth = Growth(first=first, mean=0.12, cap=cap, delay_minutes=70.0, dispersion=2.0)
        for i in range(posts_each):
            at = sampler.draw(rng)
            slot = rng.choices(*zip(*SLOTS[leader.group], strict=True))[0]
            spec = spec_for(world, rng, leader, slot, at)
            crisis = window is not None and i < 2
            if crisis and window is not None:
                at = window[0] + timedelta(hours=10 + 20 * i + rank, minutes=rng.randrange(60))
                slot = "news_crisis" if leader.group == "press" else "crisis_anger_post"
                spec = PostSpec(
                    slot,
                    leader.lang,
                    aspect="battery",
                    company=BRAND,
                    product=product(CRISIS_PRODUCT),
                    link=spec.link or f"https://{BRAND.domain}/",
                    us=spec.us,
                )
            post = world.compose(rng, leader, at, spec, crisis=crisis)
            if crisis:
                post.aspect, post.polarity = "battery", "negative"
            grow(world, post, growth, rng)


def bots(world: World, total: int) -> None:
    """Add the bots' link spam: repetitive, in bursts, many posts per account."""
    rng = world.rng("bots")
    sampler = world.clock.sampler()
    accounts = [a for a in world.authors if a.group == "bot"]
    if not accounts:
        return
    weights = [a.activity for a in accounts]
    made = 0
    while made < total:
        bot = rng.choices(accounts, weights=weights)[0]
        at = sampler.draw(rng)
        spec = PostSpec("spam", bot.lang, company=pick_company(rng), rival=COMPETITORS[0])
        for _ in range(rng.randrange(3, 9)):
            if at >= world.clock.anchor or made >= total:
                break
            world.compose(rng, bot, at, spec)
            made += 1
            at += timedelta(minutes=rng.randrange(2, 12), seconds=rng.randrange(60))
