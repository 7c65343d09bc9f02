"""Aspect taxonomy: a workspace's own cues take precedence over the default categories."""

from __future__ import annotations

from resonanz.enrich.aspects import default_taxonomy, merge_taxonomy


def test_own_cue_moves_to_own_category() -> None:
    default = default_taxonomy()
    owner = next(cat for cat, cues in default.items() if "akku*" in cues)
    merged = merge_taxonomy({"battery": ["akku", "battery"]})
    assert {"akku", "akku*"} <= set(merged["battery"])
    holders = [cat for cat, cues in merged.items() if {"akku", "akku*"} & set(cues)]
    assert holders == ["battery"]
    assert owner == "battery" or merged[owner]


def test_topic_aspect_without_cues_is_its_own_cue() -> None:
    merged = merge_taxonomy({}, ["cargo_space"])
    assert merged["cargo_space"] == ["cargo space"]
