"""Fit a text to each network: length rules, and splitting into a numbered thread.

Mastodon allows 500 characters and counts every link as 23; Bluesky allows 300 graphemes
(what a reader sees as one character, e.g. a family emoji).
"""

from __future__ import annotations

import re

import grapheme

LIMITS = {"mastodon": 500, "bluesky": 300, "webhook": 10_000}
MASTODON_URL_LENGTH = 23
_URL = re.compile(r"https?://\S+")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def length(text: str, network: str) -> int:
    """Return the length of ``text`` as ``network`` counts it."""
    if network == "mastodon":
        return len(_URL.sub("x" * MASTODON_URL_LENGTH, text))
    if network == "bluesky":
        return int(grapheme.length(text))
    return len(text)


def fits(text: str, network: str) -> bool:
    """Return whether ``text`` is within ``network``'s limit."""
    return length(text, network) <= LIMITS.get(network, LIMITS["webhook"])


def _pieces(text: str, budget: int, network: str) -> list[str]:
    """Split into sentences, then words, then graphemes, each fitting ``budget``."""
    out: list[str] = []
    for sentence in (s.strip() for s in _SENTENCE.split(text)):
        if not sentence:
            continue
        if length(sentence, network) <= budget:
            out.append(sentence)
            continue
        for word in sentence.split():
            if length(word, network) <= budget:
                out.append(word)
                continue
            chars = list(grapheme.graphemes(word))
            out.extend("".join(chars[i : i + budget]) for i in range(0, len(chars), budget))
    return out


def split_thread(text: str, network: str) -> list[str]:
    """Split ``text`` into thread parts that fit ``network``, numbered ``(1/3)`` etc.

    Parts break at sentence ends where possible, else between words; links stay whole.
    """
    limit = LIMITS.get(network, LIMITS["webhook"])
    if length(text, network) <= limit:
        return [text]
    reserve = len(" (99/99)")
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit - reserve, network):
        candidate = f"{current} {piece}" if current else piece
        if length(candidate, network) <= limit - reserve:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    total = len(parts)
    return [f"{part} ({i}/{total})" for i, part in enumerate(parts, 1)]


def variants(text: str, networks: dict[str, str], *, thread: bool) -> dict[str, list[str]]:
    """Return each channel's parts: one part, or a thread when asked and too long."""
    return {
        channel: split_thread(text, network) if thread else [text]
        for channel, network in networks.items()
    }
