"""What every request handler needs: the workspace, its database and the signing key."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from resonanz.store import Store
from resonanz.workspace import Workspace

KEY_FILE = ".web-secret-key"
T = TypeVar("T")


class BorrowedStore(Store):
    """A store over a fresh cursor of the app's writer connection.

    The app holds the workspace's writer lock for as long as it runs, so library calls may
    write through this store; closing it closes only the cursor.
    """

    @classmethod
    def of(cls, store: Store) -> BorrowedStore:
        """Return a borrowed store over a fresh cursor of ``store``'s connection."""
        return cls(store.cursor(), store.path, None)

    @property
    def writable(self) -> bool:
        """True: the app that lent this store is the workspace's writer."""
        return True


@dataclass
class WebContext:
    """The app's shared state; the store is the workspace's single writer."""

    workspace: Workspace
    store: Store

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection of its own for one request (safe across threads)."""
        con = self.store.cursor()
        try:
            yield con
        finally:
            con.close()

    async def run(self, func: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run ``func(con, *args)`` in a worker thread with a fresh cursor."""

        def call() -> T:
            with self.cursor() as con:
                return func(con, *args, **kwargs)

        return await run_in_threadpool(call)

    async def run_store(self, func: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run ``func(store, *args)`` for library calls that take a :class:`Store`.

        The store handed over wraps a fresh cursor of the writer connection; closing it
        closes only that cursor.
        """

        def call() -> T:
            with self.borrow() as store:
                return func(store, *args, **kwargs)

        return await run_in_threadpool(call)

    def borrow(self) -> BorrowedStore:
        """Return a :class:`BorrowedStore` (use it as a context manager)."""
        return BorrowedStore.of(self.store)


def web_context(request: Request) -> WebContext:
    """Return the :class:`WebContext` of the app serving ``request``."""
    found: WebContext = request.app.state.web
    return found


def signing_key(workspace: Workspace) -> str:
    """Return the key that signs cookies: from ``[web] secret_key`` or a kept random file."""
    configured = workspace.settings.web.secret_key
    if configured is not None:
        return configured.reveal(workspace.folder)
    path = workspace.folder / KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()
