"""The adapted GermEval figure states what its model was trained on and how it was chosen."""

from __future__ import annotations

from resonanz.enrich.adapt import train_task
from resonanz.evaluation.harness import NO_TRAIN, _chosen

WORDS = {
    "negative": "kaputt verspätet",
    "neutral": "fahrplan gleis",
    "positive": "pünktlich sauber",
}


def test_note_names_the_training_data_and_the_chosen_setting() -> None:
    labels = ("neutral", "neutral", "negative", "positive")
    records = [
        {"text": f"Zug {WORDS[labels[i % 4]]} {i}", "sentiment": labels[i % 4]} for i in range(120)
    ]
    head = train_task("sentiment", records)
    note = _chosen(head)
    assert note.startswith(NO_TRAIN)
    assert "120 labelled records" in note
    assert f"chosen on dev by 3-fold CV: {head.meta['chosen']}" in note
    assert "(120 labelled records, no other labels)" in _chosen(
        train_task("sentiment", records, c=3.0)
    )
