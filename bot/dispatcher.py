"""Delivers the outbox through each platform's messenger: retries with backoff, obeys Retry-After,
dead-letters what can never be delivered, and keeps each channel's messages in order."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import TypeVar

from core.cards import Card
from core.clock import Clock
from core.delivery import Delivery, DeliveryFailed, Destination, File, Messenger
from core.log_context import handling
from core.outbox import (
    LEASE,
    RetryPolicy,
    begin_attempts,
    claim_due,
    last_sent_at,
    mark_failed,
    mark_sent,
    message_to_replace,
)
from core.storage.blobs import read_blobs
from core.storage.database import Database
from core.telemetry import DELIVERY, NoObserver, Observer

log = logging.getLogger(__name__)
T = TypeVar("T")
LEASE_MARGIN_SECONDS = 10.0
QUIET_DOUBLINGS = 3  # leases that found nothing stretch the poll interval up to 2**3 times


class Dispatcher:
    def __init__(
        self, *, db: Database, messengers: Mapping[str, Messenger], clock: Clock, policy: RetryPolicy,
        poll_seconds: float = 0.5, batch: int = 50, observer: Observer | None = None,
    ) -> None:
        self.db = db
        self.messengers: dict[str, Messenger] = dict(messengers)
        self.clock = clock
        self.policy = policy
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.observer: Observer = observer or NoObserver()
        self.wakeup = asyncio.Event()
        self._quiet_leases = 0  # leases in a row that found nothing to deliver

    @property
    def platforms(self) -> frozenset[str]:
        return frozenset(self.messengers)

    def poke(self) -> None:
        """New work was committed: look now instead of at the next poll."""
        self._quiet_leases = 0
        self.wakeup.set()

    @property
    def interval(self) -> float:
        """How long an idle dispatcher waits for a poke before it looks again: the poll interval, stretched
        after leases that found nothing. Every worker polls the one outbox, and each worker's own commits poke
        it, so most polls find nothing: they cost every worker CPU while the others deliver. (During a pass,
        leases stay every poll interval: a channel held to its pace keeps no other waiting.)"""
        return self.poll_seconds * 2 ** min(self._quiet_leases, QUIET_DOUBLINGS)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.wakeup.clear()  # before the pass: a poke during it is not lost
            try:
                await self.deliver_due()
            except Exception:
                log.exception("outbox pass failed; trying again")
            waiters = [asyncio.ensure_future(self.wakeup.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=self.interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def deliver_due(self, *, deadline: float | None = None) -> int:
        """Deliver everything due now, or what fits before `deadline` (loop time); returns how many
        deliveries were attempted. What is left stays in the outbox for the next pass.

        Each channel's leased messages go out in order while other channels' do the same; whenever a
        channel is done, or every poll interval, more is leased, so a channel held to its platform's pace
        (a message a second) keeps no other channel waiting."""
        loop = asyncio.get_running_loop()
        attempted = 0
        running: dict[asyncio.Task[None], int] = {}
        try:
            while deadline is None or loop.time() < deadline:
                room = self.batch - sum(running.values())
                deliveries = await asyncio.to_thread(self._lease, room) if room > 0 else []
                self._quiet_leases = 0 if deliveries else self._quiet_leases + 1
                attempted += len(deliveries)
                running.update(self._start(deliveries, deadline=self._lease_deadline(loop.time(), deadline)))
                if not running:
                    return attempted
                done, _ = await asyncio.wait(running, timeout=self.poll_seconds,
                                             return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    del running[task]
                    task.result()  # a fault outside a delivery's own handling ends the pass (it is logged)
            return attempted
        except asyncio.CancelledError:  # the process is stopping: what is in flight stops too
            for task in running:
                task.cancel()
            raise
        finally:
            await asyncio.gather(*running, return_exceptions=True)  # each stops at its own deadline

    @staticmethod
    def _lease_deadline(now: float, deadline: float | None) -> float:
        # A lease must not run out while its messages are still going out (another worker would take them
        # again), so a channel stops early and hands back what it did not send.
        batch_deadline = now + LEASE.total_seconds() - LEASE_MARGIN_SECONDS
        return batch_deadline if deadline is None else min(batch_deadline, deadline)

    def _start(self, deliveries: list[Delivery], *, deadline: float) -> dict[asyncio.Task[None], int]:
        by_channel: dict[tuple[str, str, str], list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            d = delivery.destination
            by_channel[(d.platform, d.channel, d.user_id)].append(delivery)
        return {asyncio.create_task(self._deliver_in_order(group, deadline=deadline)): len(group)
                for group in by_channel.values()}

    async def drain(self, *, timeout: float = 30.0) -> None:
        """Deliver until nothing is due (or the timeout passes): used when a scripted run ends."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and await self.deliver_due(deadline=deadline):
            pass

    def _lease(self, limit: int) -> list[Delivery]:
        def work(session):  # type: ignore[no-untyped-def]
            now = self.clock.now()
            rows = claim_due(session, now=now, platforms=self.platforms, limit=limit)
            unconfirmed = begin_attempts(rows, now=now)
            paced = {(row.platform, row.channel): last_sent_at(session, platform=row.platform, channel=row.channel)
                     for row in rows}
            cards = {row.id: Card.from_dict(row.card) for row in rows}
            stored = read_blobs(session, (a.digest for card in cards.values() for a in card.attachments))
            return [
                Delivery(
                    outbox_id=row.id,
                    destination=Destination(row.platform, row.channel, row.thread, row.user_id,
                                            row.fallback_user_id),
                    card=cards[row.id],
                    ticket_key=row.ticket_key,
                    replaces_message_id=message_to_replace(session, row),
                    channel_last_sent_at=paced[(row.platform, row.channel)],
                    files=_files(row.id, cards[row.id], stored),
                    quiet=row.quiet,
                    queued_at=row.created_at,
                    unconfirmed_since=unconfirmed[row.id],
                )
                for row in rows
            ]

        return self._step(lambda: self.db.run(work))

    def _step(self, step: Callable[[], T]) -> T:
        """One step of the outbox's database work, in a worker thread: observed as a unit of work, so that
        what delivery costs shows beside what events cost."""
        started, cpu_started = time.perf_counter(), time.thread_time()
        try:
            return step()
        finally:
            self.observer.work_done(work=DELIVERY, seconds=time.perf_counter() - started,
                                    cpu_seconds=time.thread_time() - cpu_started)

    async def _deliver_in_order(self, group: list[Delivery], *, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        for index, delivery in enumerate(group):
            if loop.time() >= deadline:
                await asyncio.to_thread(self._release, [d.outbox_id for d in group[index:]])
                return
            delivered = await self._deliver(delivery)
            if not delivered:
                # A later message must not overtake one that is waiting for its retry.
                await asyncio.to_thread(self._release, [d.outbox_id for d in group[index + 1:]])
                return

    async def _deliver(self, delivery: Delivery) -> bool:
        with handling("", ticket=delivery.ticket_key):  # what is logged meanwhile names the ticket
            return await self._attempt(delivery)

    async def _attempt(self, delivery: Delivery) -> bool:
        messenger = self.messengers[delivery.destination.platform]
        try:
            result = await messenger.deliver(delivery)
        except DeliveryFailed as failure:
            status = await asyncio.to_thread(self._failed, delivery, failure.reason, failure.permanent,
                                             failure.retry_after)
            self.observer.delivery_failed(platform=delivery.destination.platform, status=status)
            level = logging.ERROR if status == "dead" else logging.WARNING
            log.log(level, "delivery %s of %s to %s failed (%s): %s", delivery.outbox_id, delivery.ticket_key or "-",
                    delivery.destination.describe(), status, failure.reason)
            return False
        except Exception as error:  # a bug or a network fault: retried with backoff, never lost
            log.exception("delivery %s of %s to %s raised", delivery.outbox_id, delivery.ticket_key or "-",
                          delivery.destination.describe())
            status = await asyncio.to_thread(self._failed, delivery, f"{type(error).__name__}: {error}", False,
                                             None)
            self.observer.delivery_failed(platform=delivery.destination.platform, status=status)
            return False
        now = self.clock.now()
        await asyncio.to_thread(self._step, lambda: self.db.run(
            lambda s: mark_sent(s, outbox_id=delivery.outbox_id, message_id=result.message_id,
                                channel=result.channel, now=now)))
        if delivery.queued_at is not None:
            self.observer.delivered(platform=delivery.destination.platform,
                                    seconds=(now - delivery.queued_at).total_seconds())
        return True

    def _failed(self, delivery: Delivery, reason: str, permanent: bool, retry_after: float | None) -> str:
        return self._step(lambda: self.db.run(lambda s: mark_failed(
            s, outbox_id=delivery.outbox_id, reason=reason, now=self.clock.now(), policy=self.policy,
            permanent=permanent, retry_after=retry_after,
        )))

    def _release(self, outbox_ids: list[int]) -> None:
        from core.storage.models import OutboxRow

        def work(session):  # type: ignore[no-untyped-def]
            for outbox_id in outbox_ids:
                row = session.get(OutboxRow, outbox_id)
                if row is not None:
                    row.locked_until = None

        if outbox_ids:
            self._step(lambda: self.db.run(work))


def _files(outbox_id: int, card: Card, stored: dict[str, bytes]) -> tuple[File, ...]:
    """The bytes of each file the card carries; one that is gone is left out (the card goes without it)."""
    found = []
    for attachment in card.attachments:
        data = stored.get(attachment.digest)
        if data is None:
            log.warning("outbox %s: the file %s is no longer stored; the card goes without it", outbox_id,
                        attachment.name)
            continue
        found.append(File(name=attachment.name, media_type=attachment.media_type, data=data))
    return tuple(found)
