"""The fictional market of the demo: Rheinrad (Cologne e-bikes), its products and two rivals.

Every name, domain and handle here is invented. Domains use the reserved ``.example`` suffix so
that no link of the demo points at a real site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Product:
    """One product line of a company in the demo market."""

    key: str  # topic name
    name: str  # e.g. "Kolibri"
    full: str  # e.g. "Rheinrad Kolibri"
    kind_de: str  # "City-E-Bike"
    kind_en: str  # "city e-bike"
    price: int  # euros


@dataclass(frozen=True)
class Company:
    """A brand with its products, domain and hashtag."""

    key: str
    name: str
    domain: str
    hashtag: str
    city: str
    products: tuple[Product, ...]


BRAND: Final = Company(
    key="rheinrad",
    name="Rheinrad",
    domain="rheinrad.example",
    hashtag="rheinrad",
    city="Köln",
    products=(
        Product("kolibri", "Kolibri", "Rheinrad Kolibri", "City-E-Bike", "city e-bike", 2499),
        Product("falke", "Falke", "Rheinrad Falke", "E-MTB", "e-MTB", 3999),
        Product("kranich", "Kranich", "Rheinrad Kranich", "Lastenrad", "cargo bike", 4799),
    ),
)

COMPETITORS: Final = (
    Company(
        key="spreeflug",
        name="Spreeflug",
        domain="spreeflug.example",
        hashtag="spreeflug",
        city="Berlin",
        products=(
            Product("aero", "Aero", "Spreeflug Aero", "City-E-Bike", "city e-bike", 2299),
            Product("lastflug", "Lastflug", "Spreeflug Lastflug", "Lastenrad", "cargo bike", 4299),
        ),
    ),
    Company(
        key="alpenvolt",
        name="Alpenvolt",
        domain="alpenvolt.example",
        hashtag="alpenvolt",
        city="München",
        products=(
            Product("gipfel", "Gipfel", "Alpenvolt Gipfel", "E-MTB", "e-MTB", 4299),
            Product(
                "tour", "Tour 7", "Alpenvolt Tour 7", "Trekking-E-Bike", "trekking e-bike", 2899
            ),
        ),
    ),
)

#: The referral campaign whose cascade goes viral.
CAMPAIGN: Final = {
    "key": "freundebonus",
    "name": "Rheinrad Freunde-Bonus",
    "hashtag": "RheinradFreunde",
    "link_base": "https://go.rheinrad.example/l/",
}

#: Our own accounts: (platform, handle).
OWN_ACCOUNTS: Final = (
    ("mastodon", "rheinrad@mastodon.social"),
    ("bluesky", "rheinrad.bsky.social"),
)

#: Aspect categories the simulator writes about (names follow the shipped aspect taxonomy).
ASPECTS: Final = (
    "battery",
    "delivery",
    "price",
    "support",
    "quality",
    "motor",
    "brakes",
    "app",
    "design",
    "range",
)

#: The crisis: battery failures of the Kolibri.
CRISIS_PRODUCT: Final = "kolibri"
CRISIS_ASPECT: Final = "battery"


def product(key: str) -> Product:
    """Return the product with topic name ``key`` from any company."""
    for company in (BRAND, *COMPETITORS):
        for item in company.products:
            if item.key == key:
                return item
    raise KeyError(key)


def topics_toml() -> str:
    """Return the ``[topics.*]`` tables of the demo workspace's ``resonanz.toml``."""
    lines: list[str] = []

    def table(name: str, kind: str, query: str, description: str) -> None:
        lines.extend(
            [
                f"[topics.{name}]",
                f'kind = "{kind}"',
                f"query = '{query}'",
                f'description = "{description}"',
                "",
            ]
        )

    b = BRAND
    table(
        b.key,
        "brand",
        f'"{b.name}" OR #{b.hashtag} OR @{b.key} OR site:{b.domain}',
        "Our brand",
    )
    for p in b.products:
        table(p.key, "product", f'"{p.full}" OR {p.name} OR #{b.hashtag}{p.key}', p.full)
    for c in COMPETITORS:
        names = " OR ".join(f'"{p.full}"' for p in c.products)
        table(c.key, "competitor", f'"{c.name}" OR #{c.hashtag} OR {names}', f"Competitor {c.name}")
    table(
        str(CAMPAIGN["key"]),
        "campaign",
        f'#{CAMPAIGN["hashtag"]} OR "Freunde-Bonus" OR "friends bonus" OR site:go.rheinrad.example',
        str(CAMPAIGN["name"]),
    )
    return "\n".join(lines)
