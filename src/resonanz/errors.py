"""One exception tree for Resonanz; every message names the fix."""

from __future__ import annotations


class ResonanzError(Exception):
    """Base of every error Resonanz raises on purpose."""


class ConfigError(ResonanzError):
    """The workspace settings (resonanz.toml) are invalid."""


class WorkspaceError(ResonanzError):
    """The workspace folder is missing or unusable."""


class WorkspaceLocked(WorkspaceError):
    """Another process holds the workspace's writer lock."""


class SecretError(ConfigError):
    """A secret could not be resolved from its env/file/store indirection."""


class QuerySyntaxError(ResonanzError):
    """A listening query could not be parsed.

    ``position`` is the 0-based character offset, ``expected`` what the parser wanted there.
    """

    def __init__(self, message: str, query: str, position: int, expected: str) -> None:
        self.query = query
        self.position = position
        self.expected = expected
        super().__init__(message)


class ImportFormatError(ResonanzError):
    """An input file is not in a format Resonanz can read."""


class SourceError(ResonanzError):
    """A platform request failed; subclasses say why and what to do."""


class AuthFailed(SourceError):
    """The platform rejected our credentials (expired or revoked token)."""


class RateLimited(SourceError):
    """The platform asked us to slow down; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Unavailable(SourceError):
    """The platform did not answer usefully (network error, 5xx) after retries."""


class PublishError(ResonanzError):
    """A post could not be published."""


class ModelError(ResonanzError):
    """A model could not be loaded or trained."""
