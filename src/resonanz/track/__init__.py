"""Tracked short links, clicks without IP addresses, referrals, conversions, campaign report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.routing import BaseRoute


def routes(source: Any, **kwargs: Any) -> list[BaseRoute]:
    """Return the routes ``/l/CODE`` and ``/api/conversions`` (see :mod:`resonanz.track.web`)."""
    from resonanz.track.web import routes as make  # late: no web imports at package import

    return make(source, **kwargs)


__all__ = ["routes"]
