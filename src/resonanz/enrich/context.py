"""What the enrichers of one batch share: texts, languages, features and earlier results."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from resonanz.enrich.cues import CueMatcher, CueScan, Hits, JoinedTexts
from resonanz.enrich.features import TextFeatures
from resonanz.enrich.lexicon import Lexicons, load_lexicons


class BatchContext:
    """One batch of posts as the enrichers see it; everything is computed on first use."""

    def __init__(
        self,
        texts: Sequence[str | None],
        given_lang: Sequence[str | None] | None = None,
        *,
        fallback: str = "en",
    ) -> None:
        self.raw = [t or "" for t in texts]
        self.given_lang = list(given_lang) if given_lang is not None else [None] * len(self.raw)
        self.fallback = fallback
        #: Columns produced so far (later enrichers read earlier ones, e.g. sentiment).
        self.results: dict[str, Any] = {}
        #: Cue matchers whose hits one shared pass over the batch finds (see :meth:`hits`).
        self.scan: CueScan | None = None

    @classmethod
    def of(cls, batch: pa.Table, *, fallback: str = "en") -> BatchContext:
        """Build the context of a posts table (``text`` and optional ``lang`` columns)."""
        texts = batch.column("text").to_pylist()
        langs = batch.column("lang").to_pylist() if "lang" in batch.column_names else None
        return cls(texts, langs, fallback=fallback)

    def __len__(self) -> int:
        return len(self.raw)

    @cached_property
    def lang(self) -> list[str]:
        """The given language of each post, or the detected one."""
        from resonanz.enrich.language import detect

        missing = [i for i, lang in enumerate(self.given_lang) if not lang]
        texts = [self.features.texts[i] for i in missing]
        found = detect(texts, self.fallback, (self.fallback, "de", "en")) if missing else []
        out = [str(lang).lower() if lang else "" for lang in self.given_lang]
        for i, lang in zip(missing, found, strict=True):
            out[i] = lang
        return out

    @cached_property
    def is_de(self) -> np.ndarray:
        """Boolean mask of German posts."""
        return np.fromiter((lang == "de" for lang in self.lang), dtype=bool, count=len(self))

    @cached_property
    def is_en(self) -> np.ndarray:
        """Boolean mask of English posts."""
        return np.fromiter((lang == "en" for lang in self.lang), dtype=bool, count=len(self))

    @cached_property
    def features(self) -> TextFeatures:
        """Shared hashed features of the batch."""
        return TextFeatures(self.raw)

    @cached_property
    def joined(self) -> JoinedTexts:
        """The normalised texts joined, for scanners that pass over the whole batch once."""
        return JoinedTexts(self.features.texts)

    def hits(self, matcher: CueMatcher) -> Hits:
        """Return ``matcher.find_all`` of the batch, from the shared pass where it takes part."""
        if self.scan is not None and matcher in self.scan.matchers:
            return self._scanned[self.scan.matchers.index(matcher)]
        return matcher.find_all(self.joined)

    @cached_property
    def _scanned(self) -> list[Hits]:
        """The hits of every matcher of :attr:`scan`, in its order."""
        return self.scan.find_all(self.joined) if self.scan is not None else []

    @cached_property
    def lexicons(self) -> Lexicons:
        """The shipped lexicons."""
        return load_lexicons()

    @cached_property
    def dense(self) -> np.ndarray:
        """Dense lexicon features (German lexicon for German posts, English otherwise)."""
        return self.lexicons.dense(self.features, self.is_de)
