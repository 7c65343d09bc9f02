"""Fixtures of the dashboard tests (defined in ``dashboard_world``)."""

from __future__ import annotations

from dashboard_world import browser, live_server, web_workspace, web_world

__all__ = ["browser", "live_server", "web_workspace", "web_world"]
