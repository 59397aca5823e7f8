"""GET /metrics on the process's HTTP server, in Prometheus's text format.

Counters and histograms count what this process did since it started (each worker serves its own; add
them up in Prometheus). The outbox gauges are read from the database when scraped, at most every few
seconds (one query on an index), so every worker shows the same, shared backlog. `spoc_scheduler_leader`
is 1 on the worker that runs the scheduled jobs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.clock import Clock
from core.outbox import Backlog, backlog
from core.storage.database import Database

log = logging.getLogger(__name__)
WORK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
SLA_ACTIONS = {"sla_warning": "warnings", "sla_breach": "breaches"}


class Metrics:
    """This process's metrics; it is the core's `Observer` (core/telemetry.py)."""

    def __init__(self, *, db: Database, clock: Clock, cache_seconds: float = 5.0, timeout: float = 3.0) -> None:
        disable_created_metrics()  # no `_created` twin of every counter: a start shows as a reset anyway
        self.registry = CollectorRegistry()
        r = self.registry
        self.events = Counter("spoc_events", "Chat events handled, by platform, kind and outcome.",
                              ["platform", "kind", "outcome"], registry=r)
        self.work = Histogram("spoc_unit_of_work_seconds", "Time of one unit of work (one event, one piece "
                              "of scheduled work, or one step of the outbox's delivery), retries included.", ["work"],
                              buckets=WORK_BUCKETS, registry=r)
        self.work_cpu = Counter("spoc_work_cpu_seconds", "CPU time of units of work, spent by the thread that ran "
                                "them, by work (the rest of the process's CPU is its event loop: HTTP both ways).",
                                ["work"], registry=r)
        self.opened = Counter("spoc_tickets_opened", "Tickets opened, by kind.", ["kind"], registry=r)
        self.changes = Counter("spoc_ticket_changes", "Audited ticket changes committed, by action.", ["action"],
                               registry=r)
        self.sla = {name: Counter(f"spoc_sla_{name}", f"SLA {name} recorded, by clock.", ["clock"], registry=r)
                    for name in SLA_ACTIONS.values()}
        self.delivery = Histogram("spoc_outbox_delivery_seconds", "From a notification written to the outbox to "
                                  "its delivery, by platform.", ["platform"], buckets=DELIVERY_BUCKETS, registry=r)
        self.delivery_failures = Counter("spoc_outbox_delivery_failures", "Failed deliveries, by platform and "
                                         "what became of them (pending: tried again; dead).",
                                         ["platform", "status"], registry=r)
        self.leader = Gauge("spoc_scheduler_leader", "1 when this process runs the scheduled jobs.", registry=r)
        self.outbox = OutboxGauges(db=db, clock=clock, cache_seconds=cache_seconds, timeout=timeout)
        r.register(self.outbox)

    def follow_leadership(self, leading: Callable[[], bool]) -> None:
        self.leader.set_function(lambda: 1.0 if leading() else 0.0)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/metrics", self.scrape)]

    async def scrape(self, _request: web.Request) -> web.Response:
        await self.outbox.refresh()
        return web.Response(body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    # The core's Observer
    def event_handled(self, *, platform: str, kind: str, outcome: str) -> None:
        self.events.labels(platform or "-", kind, outcome).inc()

    def work_done(self, *, work: str, seconds: float, cpu_seconds: float) -> None:
        self.work.labels(work).observe(seconds)
        self.work_cpu.labels(work).inc(max(0.0, cpu_seconds))

    def ticket_changed(self, *, action: str, kind: str, field: str) -> None:
        self.changes.labels(action).inc()
        if action == "opened":
            self.opened.labels(kind).inc()
        elif action in SLA_ACTIONS:
            self.sla[SLA_ACTIONS[action]].labels(field or "-").inc()

    def delivered(self, *, platform: str, seconds: float) -> None:
        self.delivery.labels(platform).observe(max(0.0, seconds))

    def delivery_failed(self, *, platform: str, status: str) -> None:
        self.delivery_failures.labels(platform, status).inc()


class OutboxGauges(Collector):
    """The outbox's backlog, read when scraped and kept for `cache_seconds`; a database that does not answer
    within `timeout` shows as `spoc_database_reachable 0` and leaves the gauges out."""

    def __init__(self, *, db: Database, clock: Clock, cache_seconds: float, timeout: float) -> None:
        self.db = db
        self.clock = clock
        self.cache_seconds = cache_seconds
        self.timeout = timeout
        self.found: Backlog | None = None
        self.read_at = -float("inf")
        self._reading = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._reading:  # scrapes at once share one read
            if time.monotonic() - self.read_at < self.cache_seconds:
                return
            try:
                self.found = await asyncio.wait_for(asyncio.to_thread(self._read), self.timeout)
            except Exception as error:
                log.warning("metrics: the outbox backlog could not be read: %s",
                            " ".join(str(getattr(error, "orig", error) or type(error).__name__).split())[:300])
                self.found = None
            self.read_at = time.monotonic()

    def _read(self) -> Backlog:
        with self.db.deferred_sessions() as session, session.begin():
            return backlog(session, now=self.clock.now())

    def describe(self) -> Iterator[Any]:
        return iter(_families())

    def collect(self) -> Iterator[Any]:
        reachable, *gauges = _families()
        found = self.found
        reachable.add_metric([], 0.0 if found is None else 1.0)
        if found is None:
            return iter([reachable])
        for gauge, value in zip(gauges, (found.pending, found.dead, found.oldest_pending_seconds or 0.0),
                                strict=True):
            gauge.add_metric([], value)
        return iter([reachable, *gauges])


def _families() -> list[GaugeMetricFamily]:
    return [
        GaugeMetricFamily("spoc_database_reachable", "1 when the last read of the outbox answered."),
        GaugeMetricFamily("spoc_outbox_pending", "Notifications waiting to be delivered (all workers)."),
        GaugeMetricFamily("spoc_outbox_dead", "Notifications that will not be delivered without `spoc outbox "
                          "retry` (all workers)."),
        GaugeMetricFamily("spoc_outbox_oldest_pending_seconds", "Age of the oldest pending notification (0 when "
                          "none waits)."),
    ]
