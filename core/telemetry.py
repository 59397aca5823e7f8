"""The port through which a running desk tells its operators what it does: events handled and how they
ended, how long each unit of work took, what happened to tickets, and how deliveries went. `bot/metrics.py`
counts them for Prometheus; `NoObserver` is for commands that serve no metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from core.log_context import event_id as current_event_id
from core.log_context import handling

log = logging.getLogger(__name__)
SYSTEM = "system"  # the work label of scheduled and administrative work, which no chat event caused
DELIVERY = "delivery"  # the work label of the outbox's own database work (leases, outcomes), not the sending


class Observer(Protocol):
    def event_handled(self, *, platform: str, kind: str, outcome: str) -> None:
        """An event of `kind` (message, command, change, answer) from `platform` ended with `outcome`:
        done, refused, repeated (a redelivery), empty (nothing to take) or failed (an error of ours)."""
        ...

    def work_done(self, *, work: str, seconds: float, cpu_seconds: float) -> None:
        """A unit of work (one event, one piece of scheduled work, or one step of the outbox's delivery) took
        `seconds`, retries included, of which `cpu_seconds` were spent by the thread that ran it."""
        ...

    def ticket_changed(self, *, action: str, kind: str, field: str) -> None:
        """An audited change of a ticket of `kind` was committed: opened, sla_warning, sla_breach, ..."""
        ...

    def delivered(self, *, platform: str, seconds: float) -> None:
        """A notification reached `platform`, `seconds` after it was written to the outbox."""
        ...

    def delivery_failed(self, *, platform: str, status: str) -> None:
        """A delivery failed and is now `status`: pending (tried again later) or dead."""
        ...


class NoObserver:
    def event_handled(self, *, platform: str, kind: str, outcome: str) -> None:
        pass

    def work_done(self, *, work: str, seconds: float, cpu_seconds: float) -> None:
        pass

    def ticket_changed(self, *, action: str, kind: str, field: str) -> None:
        pass

    def delivered(self, *, platform: str, seconds: float) -> None:
        pass

    def delivery_failed(self, *, platform: str, status: str) -> None:
        pass


@dataclass
class Watch:
    """How the event in hand ended; the work sets it, `watched` reports it."""

    outcome: str = "done"


@contextmanager
def watched(observer: Observer, *, work: str, platform: str = "", event_id: str = "") -> Iterator[Watch]:
    """Time one unit of work and, for a chat event, count how it ended (an exception: failed). Lines logged
    inside name the event id, and the ticket once one is found; each unit starts with no ticket."""
    watch = Watch()
    started, cpu_started = time.perf_counter(), time.thread_time()
    with handling(event_id or current_event_id()):  # work done for an event (none: a job) names it
        try:
            yield watch
        except BaseException:
            watch.outcome = "failed"
            raise
        finally:
            seconds = time.perf_counter() - started
            observer.work_done(work=work, seconds=seconds, cpu_seconds=time.thread_time() - cpu_started)
            if work != SYSTEM:
                observer.event_handled(platform=platform, kind=work, outcome=watch.outcome)
                log.debug("%s from %s: %s in %.1f ms", work, platform, watch.outcome, seconds * 1000)
