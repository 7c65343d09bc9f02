"""The two events of the demo: the Kolibri battery crisis and the viral Freunde-Bonus campaign."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from resonanz.demo.brand import BRAND, CAMPAIGN, COMPETITORS, CRISIS_ASPECT, CRISIS_PRODUCT, product
from resonanz.demo.cascade import Growth, grow, reply_with, respond
from resonanz.demo.language import PostSpec
from resonanz.demo.population import Author
from resonanz.demo.service import answer
from resonanz.demo.timeline import crisis_shape, window_shape
from resonanz.demo.world import SimPost, World, mention_text

CRISIS_PLATFORMS = ("mastodon", "bluesky", "reddit")
_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def crisis_start(anchor: datetime) -> datetime:
    """Return when the crisis starts: 16 days before the anchor, 06:40 UTC."""
    return (anchor - timedelta(days=16)).replace(hour=6, minute=40, second=0, microsecond=0)


def crisis(world: World, originals: int) -> None:
    """Add the burst of angry and fearful posts about Kolibri batteries, and its echo."""
    rng = world.rng("crisis")
    clock = world.clock
    start = crisis_start(clock.anchor)
    world.crisis_window = (start, start + timedelta(days=8))
    offset = (start - clock.start).total_seconds() / 3600
    sampler = clock.sampler(crisis_shape(offset))
    kolibri = product(CRISIS_PRODUCT)
    for _ in range(originals):
        platform = rng.choices(CRISIS_PLATFORMS, weights=(0.42, 0.38, 0.2))[0]
        author = world.pool(platform, ("customer", "public", "prospect")).pick(rng)
        emotion = "fear" if rng.random() < 0.45 else "anger"
        tag = ("Akkugate" if author.lang == "de" else "batterygate",)
        spec = PostSpec(
            intent=f"crisis_{emotion}_post",
            lang=author.lang,
            sentiment="negative",
            aspect=CRISIS_ASPECT,
            emotion=emotion,
            company=BRAND,
            product=kolibri,
            rival=COMPETITORS[rng.randrange(len(COMPETITORS))],
            us=mention_text(platform, world.own_handle(platform, BRAND)),
            extra_tags=tag if rng.random() < 0.25 else (),
        )
        post = world.compose(
            rng, author, sampler.draw(rng), spec, crisis=True, has_media=rng.random() < 0.3
        )
        post.aspect, post.polarity = CRISIS_ASPECT, "negative"
        grow(world, post, Growth(first=2.0, mean=0.3, cap=world.cap, delay_minutes=35), rng)
        if post.mentions:
            answer(world, rng, post, complaint=True, p_answer=0.35)
    _crisis_echo(world, rng, start)


def _crisis_echo(world: World, rng: random.Random, start: datetime) -> None:
    """Add news coverage and our statements during the crisis."""
    kolibri = product(CRISIS_PRODUCT)
    outlets = [a for a in world.authors if a.platform == "rss"]
    for i, outlet in enumerate(outlets):
        at = start + timedelta(hours=18 + 11 * i, minutes=rng.randrange(60))
        link = f"https://{outlet.handle}/{at:%Y/%m}/akku-{kolibri.key}-{i + 1}"
        spec = PostSpec("news_crisis", outlet.lang, company=BRAND, product=kolibri, link=link)
        news = world.compose(rng, outlet, at, spec, crisis=True)
        news.aspect, news.polarity = CRISIS_ASPECT, "negative"
    for _, own in sorted(world.own.items()):
        for lang, hours in (("de", 30), ("en", 31), ("de", 75)):
            spec = PostSpec(
                "crisis_statement",
                lang,
                company=BRAND,
                product=kolibri,
                link=f"https://{BRAND.domain}/akku-service",
            )
            at = start + timedelta(hours=hours, minutes=rng.randrange(30))
            post = world.compose(rng, own, at, spec)
            grow(world, post, Growth(first=6.0, mean=0.2, cap=world.cap), rng)


def referral_code(rng: random.Random) -> str:
    """Return a fresh-looking referral code such as ``FK7M2Q``."""
    return "F" + "".join(rng.choice(_CODE_CHARS) for _ in range(5))


def referral_link(code: str, platform: str) -> str:
    """Return the tracked referral link of ``code`` as shared on ``platform``."""
    return (
        f"{CAMPAIGN['link_base']}{code}?utm_source={platform}"
        f"&utm_medium=social&utm_campaign={CAMPAIGN['key']}"
    )


class Campaign:
    """Build the campaign: the viral root post, its cascade and advocates' referral posts."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng("campaign")
        self.codes: dict[tuple[str, str], str] = {}
        anchor = world.clock.anchor
        local = world.clock.local(anchor - timedelta(days=40))
        self.start = local.replace(hour=9, minute=0, second=0, microsecond=0)
        self.roots: list[SimPost] = []

    def code_for(self, author: Author) -> str:
        """Return the advocate's referral code, creating it on first use."""
        key = (author.platform, author.handle)
        if key not in self.codes:
            code = referral_code(self.rng)
            while code in self.codes.values():
                code = referral_code(self.rng)
            self.codes[key] = code
        return self.codes[key]

    def run(self, size: int, referrals: int) -> None:
        """Add the root posts, the viral cascade of ``size`` posts and ``referrals`` posts."""
        world, rng = self.world, self.rng
        for i, (platform, own) in enumerate(sorted(world.own.items())):
            link = referral_link("freunde", platform)
            spec = PostSpec(
                "campaign_post",
                "de",
                company=BRAND,
                product=BRAND.products[0],
                link=link,
                extra_tags=(str(CAMPAIGN["hashtag"]),),
            )
            at = self.start + timedelta(minutes=30 * i)
            root = world.compose(rng, own, at, spec, campaign=True, has_media=True)
            self.roots.append(root)
            viral = platform == "mastodon"
            growth = Growth(
                first=max(6.0, 0.02 * size) if viral else 8.0,
                mean=1.3 if viral else 0.45,
                cap=size if viral else world.cap,
                delay_minutes=50.0,
                kinds=(0.7, 0.08, 0.22),
                dispersion=0.8,
                sustain=viral,
                groups=("customer", "prospect", "public", "influencer", "employee"),
            )
            made = grow(world, root, growth, rng, self._respond)
            if viral:
                self._deepen(made, depth=8)
        self._referrals(referrals)

    def _deepen(self, made: list[SimPost], depth: int) -> None:
        """Make sure the viral cascade is at least ``depth`` reposts deep."""
        if not made:
            return
        world, rng = self.world, self.rng
        node = max(made, key=lambda p: (p.depth, p.idx))
        pool = world.pool(node.author.platform, ("customer", "prospect", "public"))
        while node.depth < depth:
            at = node.created_at + timedelta(minutes=rng.randrange(10, 90))
            if at >= world.clock.anchor:
                return
            node = world.repost(pool.pick(rng, avoid=node.author), at, node)

    def _respond(
        self, world: World, rng: random.Random, node: SimPost, kind: str, author: Author, at: Any
    ) -> SimPost:
        if kind == "quote" and author.group == "customer":
            code = self.code_for(author)
            target = world.posts[node.content]
            post = reply_with(
                world, rng, target, "quote", author, at, "referral",
                code=code, link=referral_link(code, author.platform),
            )  # fmt: skip
            post.campaign = True
            return post
        post = respond(world, rng, node, kind, author, at)
        post.campaign = True
        return post

    def _referrals(self, count: int) -> None:
        """Add advocates' own posts with their referral links over the following weeks."""
        world, rng = self.world, self.rng
        offset = (self.start - world.clock.start).total_seconds() / 3600
        sampler = world.clock.sampler(window_shape(offset, 30 * 24))
        for _ in range(count):
            platform = rng.choice(("mastodon", "bluesky", "reddit"))
            author = world.pool(platform, ("customer",)).pick(rng)
            code = self.code_for(author)
            prod = author.product if author.owns is BRAND and author.product else BRAND.products[0]
            spec = PostSpec(
                "referral",
                author.lang,
                sentiment="positive",
                company=BRAND,
                product=prod,
                code=code,
                link=referral_link(code, platform),
                extra_tags=(str(CAMPAIGN["hashtag"]),) if rng.random() < 0.5 else (),
            )
            world.compose(rng, author, sampler.draw(rng), spec, campaign=True)
