"""Import posts from files: JSON Lines, CSV, Mastodon account archives and Parquet.

Every file is read in batches that go through the workspace's ingest pipeline
(:func:`resonanz.pipeline.open_ingestor`), each batch committed with the file's resume
cursor. Bad records go to the quarantine table, never abort the import. The formats are
documented in docs/import-formats.md.
"""

from __future__ import annotations

from resonanz.importers.detect import FORMATS, detect_format
from resonanz.importers.runner import FileReport, ImportOptions, ImportSummary, import_files

__all__ = [
    "FORMATS",
    "FileReport",
    "ImportOptions",
    "ImportSummary",
    "detect_format",
    "import_files",
]
