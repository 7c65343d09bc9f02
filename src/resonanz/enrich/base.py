"""The enricher contract: a pure function over an Arrow batch of posts."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pyarrow as pa


@runtime_checkable
class Enricher(Protocol):
    """Adds columns to a batch of posts.

    ``__call__`` returns one array per name in ``produces``, each of the batch's length and
    order. Enrichers are pure: no database, no clock, no network. Bumping ``version``
    re-enriches stored posts.
    """

    name: str
    version: str
    produces: tuple[str, ...]

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]: ...
