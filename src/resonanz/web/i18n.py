"""German and English UI texts: catalogues in the package, language by browser or choice."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Final

LANGUAGES: Final = ("en", "de")
Translate = Callable[..., str]


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the message catalogue of ``lang`` (``resonanz/web/locales/<lang>.json``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no catalogue for {lang!r}; known: {', '.join(LANGUAGES)}")
    text = resources.files("resonanz.web").joinpath(f"locales/{lang}.json").read_text("utf-8")
    data = json.loads(text)
    return {str(k): str(v) for k, v in data.items()}


def translator(lang: str) -> Translate:
    """Return ``_(key, **values)`` for ``lang``; unknown keys fall back to English, then the key."""
    own, fallback = catalogue(lang), catalogue("en")

    def translate(key: str, **values: object) -> str:
        text = own.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return translate


def term_translator(lang: str) -> Callable[[str], str]:
    """Return a translator of generated headings (``term.<text>`` keys), else the text itself."""
    own = catalogue(lang)

    def term(text: str) -> str:
        return own.get(f"term.{text}") or text

    return term


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """Pick ``de`` or ``en`` from an ``Accept-Language`` header by the browser's weights.

    >>> negotiate("fr-CH, de;q=0.9, en;q=0.8")
    'de'
    """
    best, best_q = default, -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-", 1)[0]
        if lang not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = lang, q
    return best
