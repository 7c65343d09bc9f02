"""Build the author population: stakeholder groups, handles, bios and heavy-tailed reach."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from resonanz.demo import grammar
from resonanz.demo.brand import BRAND, COMPETITORS, OWN_ACCOUNTS, Company, Product
from resonanz.demo.handles import HandleMaker
from resonanz.demo.language import CITIES, CITIES_EN

#: Share of each platform among people (news outlets are added separately).
PLATFORM_SHARE = {"mastodon": 0.34, "bluesky": 0.32, "reddit": 0.22, "hackernews": 0.12}
#: Share of German speakers per platform (overall posts end up at about 55 % German).
GERMAN_SHARE = {"mastodon": 0.66, "bluesky": 0.57, "reddit": 0.54, "hackernews": 0.0, "rss": 0.6}
#: Stakeholder groups of ordinary authors with their share.
GROUP_SHARE = {
    "customer": 0.42,
    "prospect": 0.24,
    "public": 0.202,
    "press": 0.025,
    "influencer": 0.01,
    "employee": 0.03,
    "investor": 0.005,
    "politician": 0.01,
    "ngo": 0.01,
    "competitor": 0.02,
    "bot": 0.008,
}
#: Median followers per group (lognormal around it).
FOLLOWERS = {
    "customer": 140,
    "prospect": 90,
    "public": 180,
    "press": 2500,
    "influencer": 9000,
    "employee": 260,
    "investor": 1800,
    "politician": 4200,
    "ngo": 3100,
    "competitor": 600,
    "bot": 40,
}
OUTLETS = (
    ("velojournal.example", "Velo-Journal", "de"),
    ("pedalwelt.example", "Pedalwelt", "de"),
    ("stadtrad-magazin.example", "Stadtrad Magazin", "de"),
    ("rheinland-kurier.example", "Rheinland-Kurier", "de"),
    ("wirtschaft-heute.example", "Wirtschaft heute", "de"),
    ("ebike-insider.example", "E-Bike Insider", "en"),
    ("mobility-review.example", "Mobility Review", "en"),
    ("cargo-weekly.example", "Cargo Weekly", "en"),
    ("techtrail.example", "TechTrail", "en"),
)


@dataclass(eq=False)
class Author:
    """One simulated account (compared and hashed by identity)."""

    platform: str
    handle: str
    display_name: str
    group: str  # stakeholder group, "public", or "own" for our accounts
    lang: str
    followers: int | None
    following: int | None
    activity: float  # relative posting rate
    is_bot: bool = False
    bio: str = ""
    owns: Company | None = None  # the company whose product they ride
    product: Product | None = None
    leader: bool = False
    company: Company | None = None  # employer (employees, competitor staff)
    extra: dict[str, str] = field(default_factory=dict)


def _pick_owned(rng: random.Random) -> tuple[Company, Product]:
    roll = rng.random()
    company = BRAND if roll < 0.58 else COMPETITORS[0] if roll < 0.8 else COMPETITORS[1]
    weights = (0.5, 0.3, 0.2) if company is BRAND else (0.6, 0.4)
    product = rng.choices(company.products, weights=weights)[0]
    return company, product


def _followers(rng: random.Random, group: str, platform: str) -> tuple[int | None, int | None]:
    if platform in ("reddit", "hackernews"):
        return None, None
    median = FOLLOWERS[group]
    followers = int(median * math.exp(rng.gauss(0.0, 1.1)))
    if group == "bot":
        return followers, int(800 * math.exp(rng.gauss(0.0, 0.6)))
    return followers, int(min(5000, 60 + followers * 0.3 * math.exp(rng.gauss(0.0, 0.8))))


def _bio(rng: random.Random, author: Author) -> str:
    gram = grammar.load(author.lang)
    product = author.product or BRAND.products[0]
    rival = author.company or COMPETITORS[rng.randrange(len(COMPETITORS))]
    outlet = OUTLETS[rng.randrange(len(OUTLETS))][1]
    context = {
        "PN": product.name,
        "PF": product.full,
        "KIND": product.kind_de if author.lang == "de" else product.kind_en,
        "B": (author.company or BRAND).name,
        "C": rival.name,
        "city": rng.choice(CITIES if author.lang == "de" else CITIES_EN),
        "months": str(rng.randrange(2, 30)),
        "n": str(rng.randrange(1, 9)),
        "outlet": outlet,
    }
    group = "public" if author.group in ("public", "own") else author.group
    return gram.expand(f"bio_{group}", rng, context)


def build_population(rng: random.Random, size: int, leaders: int) -> list[Author]:
    """Create ``size`` ordinary authors, opinion leaders, news outlets and brand accounts."""
    names = HandleMaker(rng)
    authors: list[Author] = []
    groups = list(GROUP_SHARE)
    platforms = list(PLATFORM_SHARE)
    for _ in range(size):
        platform = rng.choices(platforms, weights=list(PLATFORM_SHARE.values()))[0]
        group = rng.choices(groups, weights=list(GROUP_SHARE.values()))[0]
        if platform == "hackernews" and group in ("politician", "ngo", "bot"):
            group = "public"
        lang = "de" if rng.random() < GERMAN_SHARE[platform] else "en"
        handle, display = names.person(platform, lang, group)
        followers, following = _followers(rng, group, platform)
        author = Author(
            platform=platform,
            handle=handle,
            display_name=display,
            group=group,
            lang=lang,
            followers=followers,
            following=following,
            activity=min(30.0, rng.paretovariate(1.6)),
            is_bot=group == "bot" and rng.random() < 0.5,
        )
        if group == "customer":
            author.owns, author.product = _pick_owned(rng)
        if group == "employee":
            author.company = BRAND
        if group == "competitor":
            author.company = COMPETITORS[rng.randrange(len(COMPETITORS))]
        if group == "bot":
            author.activity = 25.0 + rng.random() * 25.0
        author.bio = _bio(rng, author)
        authors.append(author)
    authors.extend(_leaders(rng, names, leaders))
    authors.extend(_outlets())
    authors.extend(_brand_accounts())
    return authors


def _leaders(rng: random.Random, names: HandleMaker, count: int) -> list[Author]:
    """Create the opinion leaders: journalists and creators with a large following."""
    leaders = []
    for rank in range(count):
        platform = ("mastodon", "bluesky")[rank % 2]
        group = ("press", "influencer")[(rank // 2) % 2]
        lang = "de" if rank % 3 != 2 else "en"
        handle, display = names.person(platform, lang, group)
        followers = int(240_000 / (1 + rank) ** 0.9)
        author = Author(
            platform=platform,
            handle=handle,
            display_name=display,
            group=group,
            lang=lang,
            followers=followers,
            following=rng.randrange(150, 900),
            activity=6.0,
            leader=True,
        )
        author.bio = _bio(rng, author)
        leaders.append(author)
    return leaders


def _outlets() -> list[Author]:
    return [
        Author("rss", domain, name, "press", lang, None, None, 1.0, bio=f"Nachrichten: {name}")
        for domain, name, lang in OUTLETS
    ]


def _brand_accounts() -> list[Author]:
    """Our own accounts and the competitors' official accounts on Mastodon and Bluesky."""
    accounts = [
        Author(
            platform,
            handle,
            BRAND.name,
            "own",
            "de",
            12400 if platform == "mastodon" else 18900,
            310,
            0.0,
            bio="Elektrische Räder aus Köln. Hier antwortet unser Service-Team werktags 8–18 Uhr.",
            company=BRAND,
        )
        for platform, handle in OWN_ACCOUNTS
    ]
    for company in COMPETITORS:
        for platform, handle in competitor_accounts(company):
            accounts.append(
                Author(
                    platform,
                    handle,
                    company.name,
                    "competitor",
                    "de",
                    7600,
                    220,
                    0.0,
                    bio=f"Offizieller Account von {company.name}. E-Bikes aus {company.city}.",
                    company=company,
                )
            )
    return accounts


def competitor_accounts(company: Company) -> tuple[tuple[str, str], ...]:
    """Return the (platform, handle) of a competitor's official accounts."""
    return (
        ("mastodon", f"{company.key}@mastodon.social"),
        ("bluesky", f"{company.key}.bsky.social"),
    )
