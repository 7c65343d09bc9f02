"""Read a Mastodon account archive: the .zip or .tar.gz export, or its extracted outbox.json.

The archive holds ``outbox.json`` (an ActivityStreams OrderedCollection of the account's
Create and Announce activities) and ``actor.json`` (the profile). Media files are ignored.
Direct and followers-only posts are skipped on purpose: they were never public.
"""

from __future__ import annotations

import tarfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Final

import orjson

from resonanz.errors import ImportFormatError
from resonanz.importers.activitystreams import NotPublic, actor_handle, author_record, post_record
from resonanz.importers.chunk import Chunk, Position, ReadContext
from resonanz.importers.values import RecordError

#: Largest outbox.json read into memory (an outbox of ~1M posts is far below).
MAX_OUTBOX_BYTES: Final = 2 * 1024**3
_MEMBERS: Final = ("outbox.json", "actor.json")


def load_archive(path: Path) -> tuple[Mapping[str, Any], Mapping[str, Any] | None]:
    """Return the parsed outbox and actor (None when absent) of an archive or outbox file."""
    files = _archive_files(path)
    if "outbox.json" not in files:
        raise ImportFormatError(f"{path} holds no outbox.json; is it a Mastodon account archive?")
    outbox = _parse(files["outbox.json"], path, "outbox.json")
    actor = _parse(files["actor.json"], path, "actor.json") if "actor.json" in files else None
    items = outbox.get("orderedItems")
    if not isinstance(items, list):
        raise ImportFormatError(f"{path}: outbox.json has no orderedItems list")
    return outbox, actor


def read(path: Path, start: Position, ctx: ReadContext) -> Iterator[Chunk]:
    """Yield chunks of the outbox's activities from item ``start.offset`` on."""
    outbox, actor = load_archive(path)
    items: list[Any] = list(outbox["orderedItems"])
    seen = ctx.defaults.collected_at
    owner = actor_handle(actor) if actor is not None else None
    chunk = ctx.chunk(start)
    profile = author_record(actor, seen) if actor is not None else None
    if profile is not None:
        chunk.add_author(profile)
    total_bytes = max(1, path.stat().st_size if path.is_file() else 1)
    for index in range(start.offset, len(items)):
        _add_item(chunk, items[index], owner, ctx.location(index + 1), ctx)
        chunk.position = Position(index + 1, index + 1)
        chunk.done_bytes = total_bytes * (index + 1) // len(items)
        if len(chunk) >= ctx.batch_size:
            yield chunk
            chunk = ctx.chunk(chunk.position)
    if len(chunk) or chunk.authors or chunk.position != start:
        yield chunk


def _add_item(
    chunk: Chunk, item: object, owner: str | None, location: str, ctx: ReadContext
) -> None:
    raw = orjson.dumps(item)
    if not isinstance(item, Mapping):
        chunk.reject(location, "outbox item is not an object", raw)
        return
    try:
        post = post_record(item, owner, ctx.defaults.collected_at)
    except NotPublic:
        chunk.skip()
        return
    except RecordError as exc:
        chunk.reject(location, str(exc), raw)
        return
    author = post.get("author")
    seen = ctx.defaults.collected_at
    chunk.add_post(
        post, {"platform": "mastodon", "handle": author, "updated_at": seen} if author else None
    )


def _archive_files(path: Path) -> dict[str, bytes]:
    """Read outbox.json and actor.json from a folder, a zip, a tar.gz or a bare outbox file."""
    try:
        if path.is_dir():
            return {
                name: (path / name).read_bytes() for name in _MEMBERS if (path / name).is_file()
            }
        if zipfile.is_zipfile(path):
            return _from_zip(path)
        if tarfile.is_tarfile(path):
            return _from_tar(path)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise ImportFormatError(f"{path} is a damaged archive: {exc}") from None
    files = {"outbox.json": path.read_bytes()}
    sibling = path.with_name("actor.json")
    if sibling.is_file():
        files["actor.json"] = sibling.read_bytes()
    return files


def _wanted(member: str) -> str | None:
    name = PurePosixPath(member).name
    return name if name in _MEMBERS and member.count("/") <= 1 else None


def _from_zip(path: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = _wanted(info.filename)
            if name and name not in files:
                _check_size(path, name, info.file_size)
                files[name] = archive.read(info)
    return files


def _from_tar(path: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            name = _wanted(member.name)
            if name and member.isfile() and name not in files:
                _check_size(path, name, member.size)
                handle = archive.extractfile(member)
                if handle is not None:
                    with handle:
                        files[name] = handle.read()
    return files


def _check_size(path: Path, name: str, size: int) -> None:
    if size > MAX_OUTBOX_BYTES:
        raise ImportFormatError(f"{path}: {name} is {size} bytes, more than {MAX_OUTBOX_BYTES}")


def _parse(data: bytes, path: Path, name: str) -> Mapping[str, Any]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ImportFormatError(f"{path}: {name} is not valid JSON ({exc})") from None
    if not isinstance(value, Mapping):
        raise ImportFormatError(f"{path}: {name} is not a JSON object")
    return value
