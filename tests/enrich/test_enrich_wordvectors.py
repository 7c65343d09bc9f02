"""Static word vectors: lookup by hashed word column, mean per post, round trip on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from resonanz.enrich.features import TextFeatures, word_index
from resonanz.enrich.wordvectors import DIMS, load_vectors, read_vectors, save_vectors


def test_mean_vector_averages_known_words_only(tmp_path: Path) -> None:
    words = ["good", "bad"]
    vectors = np.asarray([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    path = tmp_path / "vectors.npz"
    version = save_vectors(path, words, word_index(words), vectors)
    table = read_vectors(path)
    assert table.version == version
    feats = TextFeatures(["good bad unknownword", "nothing known here", ""])
    mean = table.mean(feats.unigrams)
    assert np.allclose(mean[0], [0.5, 1.0])  # the unknown word does not dilute the mean
    assert np.allclose(mean[1:], 0.0)


def test_shipped_vectors_separate_praise_from_complaints() -> None:
    table = load_vectors()
    assert table.vectors.shape[1] == DIMS
    mean = table.mean(TextFeatures(["wonderful", "delightful", "horrible"]).unigrams)
    unit = mean / np.linalg.norm(mean, axis=1, keepdims=True)
    assert unit[0] @ unit[1] > unit[0] @ unit[2]
