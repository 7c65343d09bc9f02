"""The dashboard: server-rendered pages over the library, a JSON API, and team access."""

from __future__ import annotations
