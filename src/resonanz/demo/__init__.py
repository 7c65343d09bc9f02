"""The demo world: a deterministic simulated social-media market around a fictional brand.

``build_demo(folder)`` writes a complete workspace (settings, posts, authors, our accounts
and their notifications) and the simulator's ground truth (``demo-truth.json`` plus label
tables) that insights and tests compare against.
"""

from __future__ import annotations

from resonanz.demo.build import build_demo, default_anchor, is_demo
from resonanz.demo.truth import load_author_labels, load_labels, load_truth

__all__ = [
    "build_demo",
    "default_anchor",
    "is_demo",
    "load_author_labels",
    "load_labels",
    "load_truth",
]
