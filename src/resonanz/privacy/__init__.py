"""GDPR tools: erase an author, export what is stored about one, retention, pseudonyms."""

from __future__ import annotations

from resonanz.privacy.author_export import export_author
from resonanz.privacy.forget import forget_author
from resonanz.privacy.retention import RetentionResult, apply_retention
from resonanz.privacy.salt import Pseudonymiser, subject_hash, workspace_salt

__all__ = [
    "Pseudonymiser",
    "RetentionResult",
    "apply_retention",
    "export_author",
    "forget_author",
    "subject_hash",
    "workspace_salt",
]
