"""Send due outbox rows exactly once, through crashes and retries.

Each row is claimed in one committed transaction, sent with its id as the idempotency key,
and recorded as published in a second one. A run that finds a claim of an earlier run knows
that run died (the workspace's writer lock is ours), so it reconciles: it asks the network
whether the post arrived (``Publisher.lookup``) and otherwise sends it again under the same
key, which the network dedupes. Temporary failures are retried with exponential backoff;
permanent ones and exhausted retries end in ``failed`` and are reported.

For tests, ``RESONANZ_HALT_AT=<step>`` stops the process at a named step (``after_claim``,
``after_send``, ``after_record``): it writes the step to ``RESONANZ_HALT_FILE`` and waits to
be killed, or kills itself with SIGKILL when no file is named.
"""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from resonanz.errors import ConfigError, PublishError, SecretError
from resonanz.publish import outbox
from resonanz.publish.outbox import OutboxItem
from resonanz.publish.publisher import (
    Outgoing,
    Publisher,
    PublishUnavailable,
    ReplyTarget,
    Sent,
    StrongRef,
)
from resonanz.publish.settings import PublishSettings
from resonanz.records import utcnow
from resonanz.store import Store

HALT_AT = "RESONANZ_HALT_AT"
HALT_FILE = "RESONANZ_HALT_FILE"
STEPS = ("after_claim", "after_send", "after_record")


def checkpoint(step: str) -> None:
    """Stop the process here when the environment asks for it (crash tests)."""
    if os.environ.get(HALT_AT) != step:
        return
    marker = os.environ.get(HALT_FILE)
    if marker:
        Path(marker).write_text(step, encoding="utf-8")
        while True:  # wait for the test to SIGKILL us
            time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class PublishReport:
    """What one scheduler run did."""

    published: list[str] = field(default_factory=list)
    reconciled: list[str] = field(default_factory=list)
    retrying: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable summary."""
        return {
            "published": self.published,
            "reconciled": self.reconciled,
            "retrying": [{"id": i, "error": e} for i, e in self.retrying],
            "failed": [{"id": i, "error": e} for i, e in self.failed],
        }


class Scheduler:
    """Deliver the outbox of one workspace through its channels' publishers."""

    def __init__(
        self,
        store: Store,
        publishers: Mapping[str, Publisher],
        settings: PublishSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.publishers = publishers
        self.settings = settings
        self.clock = clock
        self.token = uuid.uuid4().hex

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The workspace connection."""
        return self.store.con

    def run_once(self, ids: list[str] | None = None) -> PublishReport:
        """Reconcile stale claims, then send everything due now (or only ``ids``)."""
        report = PublishReport()
        for item_id in outbox.stale_claims(self.con, self.token):
            if ids is None or item_id in ids:
                with self.store.transaction() as con:
                    outbox.take_over(con, item_id, self.token, self.clock())
                self._deliver(outbox.get(self.con, item_id), report, stale=True)
        while True:
            pending = outbox.due(self.con, self.clock(), ids)
            if not pending:
                return report
            with self.store.transaction() as con:
                claimed = outbox.claim(con, pending[0], self.token, self.clock())
            if claimed:
                checkpoint("after_claim")
                self._deliver(outbox.get(self.con, pending[0]), report, stale=False)

    def next_due(self) -> datetime | None:
        """Return when the next scheduled row becomes due."""
        row = self.con.execute(
            "SELECT min(greatest(not_before, next_attempt_at)) FROM outbox "
            "WHERE state = 'scheduled'"
        ).fetchone()
        return None if row is None or row[0] is None else row[0]

    def _deliver(self, item: OutboxItem, report: PublishReport, *, stale: bool) -> None:
        try:
            publisher = self.publishers[item.channel]
            post = self._outgoing(item, publisher)
            sent = publisher.lookup(post) if stale else None
            if sent is not None:
                report.reconciled.append(item.id)
            else:
                sent = publisher.publish(post)
            checkpoint("after_send")
        except PublishUnavailable as exc:
            self._retry_or_fail(item, str(exc), exc.retry_after, report)
            return
        except (PublishError, ConfigError, SecretError) as exc:
            self._fail(item, str(exc), report)
            return
        self._record(item, sent, report)
        checkpoint("after_record")

    def _record(self, item: OutboxItem, sent: Sent, report: PublishReport) -> None:
        with self.store.transaction() as con:
            outbox.mark_published(con, item.id, sent, self.clock())
            if item.kind == "reply":
                _close_clock(con, item, sent, self.clock())
        report.published.append(item.id)

    def _retry_or_fail(
        self, item: OutboxItem, error: str, retry_after: float | None, report: PublishReport
    ) -> None:
        if item.attempts >= self.settings.max_attempts:
            self._fail(item, f"gave up after {item.attempts} tries: {error}", report)
            return
        delay = min(self.settings.backoff_s * 2 ** (item.attempts - 1), self.settings.backoff_max_s)
        delay = max(delay * random.uniform(1.0, 1.1), retry_after or 0.0)
        with self.store.transaction() as con:
            outbox.mark_retry(con, item.id, error, self.clock() + timedelta(seconds=delay))
        report.retrying.append((item.id, error))

    def _fail(self, item: OutboxItem, error: str, report: PublishReport) -> None:
        with self.store.transaction() as con:
            outbox.mark_failed(con, item.id, error)
        report.failed.append((item.id, error))

    def _outgoing(self, item: OutboxItem, publisher: Publisher) -> Outgoing:
        return Outgoing(
            key=item.id,
            text=item.text,
            scheduled_at=item.not_before,
            reply=self._target(item, publisher),
            campaign=item.campaign,
        )

    def _target(self, item: OutboxItem, publisher: Publisher) -> ReplyTarget | None:
        if item.after_id is not None:
            parent_item = outbox.get(self.con, item.after_id)
            parent = StrongRef(str(parent_item.remote_id), parent_item.remote_cid)
            first = parent_item
            while first.after_id is not None:
                first = outbox.get(self.con, first.after_id)
            if first.reply_native_id is not None:
                return ReplyTarget(parent, self._reply_target(first, publisher).root)
            return ReplyTarget(parent, StrongRef(str(first.remote_id), first.remote_cid))
        if item.reply_native_id is not None:
            return self._reply_target(item, publisher)
        return None

    def _reply_target(self, item: OutboxItem, publisher: Publisher) -> ReplyTarget:
        row = self.con.execute(
            "SELECT url, raw FROM posts WHERE platform = ? AND native_id = ?",
            [item.reply_platform, item.reply_native_id],
        ).fetchone()
        url, raw = (row[0], row[1]) if row else (None, None)
        native_id = str(item.reply_native_id)
        parent = publisher.resolve(native_id, url, raw)
        root = publisher.thread_root(native_id, raw) or parent
        return ReplyTarget(parent, root)


def _close_clock(
    con: duckdb.DuckDBPyConnection, item: OutboxItem, sent: Sent, now: datetime
) -> None:
    """Mark the inbox item this reply answers as answered (stops its response clock)."""
    con.execute(
        "UPDATE inbox_items SET status = 'answered', answered_at = coalesce(answered_at, ?), "
        "answered_by = coalesce(answered_by, (SELECT sent_by FROM responses "
        "WHERE outbox_id = ?)), answer_native_id = ?, updated_at = ? "
        "WHERE platform = ? AND native_id = ? AND status <> 'closed'",
        [now, item.id, sent.remote_id, now, item.reply_platform, item.reply_native_id],
    )


def run_loop(scheduler: Scheduler, *, poll_s: float = 30.0, stop: Callable[[], bool]) -> None:
    """Run the scheduler until ``stop()`` says so, sleeping until the next due row."""
    while not stop():
        scheduler.run_once()
        nxt = scheduler.next_due()
        wait = poll_s if nxt is None else (nxt - scheduler.clock()).total_seconds()
        deadline = time.monotonic() + max(0.2, min(wait, poll_s))
        while time.monotonic() < deadline and not stop():
            time.sleep(0.2)


def deliver(
    store: Store, settings: PublishSettings, folder: Path, ids: list[str] | None = None
) -> PublishReport:
    """Send what is due now (or only ``ids``) through the workspace's channels."""
    from resonanz.publish.channels import open_publishers  # late: avoids an import cycle

    with open_publishers(settings, folder) as publishers:
        return Scheduler(store, publishers, settings).run_once(ids)
