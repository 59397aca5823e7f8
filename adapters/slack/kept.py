"""Slack's HTTP requests, committed to the database before Slack is told they arrived, then worked on from
there.

Slack sends an event until it is acknowledged, and never again after: so the 200 goes out only once the
signed request is committed (`keep`), and Slack gets a 503 (and sends it again) when the database cannot
take it in time. Requests arriving together are committed together, one transaction per burst. The work
(`run`) starts with what an earlier process left, then takes what arrives, a few at a time, oldest first;
on stop it finishes what it holds and leaves the rest for the next start."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from core.pending import PendingEvents, Request, Taken

log = logging.getLogger(__name__)
KEEP_BUDGET_SECONDS = 2.0  # Slack waits 3 s for the answer
POLL_SECONDS = 2.0
KEPT_HEADERS = ("content-type", "x-slack-retry-num", "x-slack-retry-reason", "x-slack-request-timestamp")


def request_key(body: str) -> str:
    """Slack's id for the request: an Events API delivery carries its `event_id` (a retry the same one);
    commands and interactivity are never retried, and their body stands for them."""
    if body.startswith("{"):
        with contextlib.suppress(ValueError):
            event_id = json.loads(body).get("event_id")
            if isinstance(event_id, str) and event_id:
                return f"event:{event_id}"
    return "body:" + hashlib.sha256(body.encode()).hexdigest()


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in headers if name.lower() in KEPT_HEADERS}


class KeptRequests:
    def __init__(self, *, pending: PendingEvents, platform: str, work: Callable[[Request], Awaitable[bool]],
                 workers: int = 4, poll_seconds: float = POLL_SECONDS) -> None:
        self.pending = pending
        self.platform = platform
        self.work = work  # True when done; False to try again later
        self.workers = workers
        self.poll_seconds = poll_seconds
        self._arriving: list[tuple[Request, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{platform}-keep")
        self._waiting: set[int] = set()
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._wakeup = asyncio.Event()
        self._quiet = asyncio.Event()  # no request is waiting to be kept
        self._quiet.set()
        self._unreadable = False

    async def keep(self, request: Request) -> bool:
        """True once `request` is committed (or was, by an earlier delivery still pending); False when the
        database could not take it within KEEP_BUDGET_SECONDS."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._arriving.append((request, done))
        if self._writer is None or self._writer.done():
            self._quiet.clear()
            self._writer = asyncio.create_task(self._write(), name=f"{self.platform}-keep")
        try:
            return await asyncio.wait_for(asyncio.shield(done), KEEP_BUDGET_SECONDS)
        except TimeoutError:
            return False

    async def _write(self) -> None:
        try:
            while self._arriving:
                batch, self._arriving = self._arriving, []
                await self._commit(batch)
        finally:
            self._quiet.set()
            self._wakeup.set()

    async def _commit(self, batch: list[tuple[Request, asyncio.Future[bool]]]) -> None:
        loop = asyncio.get_running_loop()
        try:
            ids = await loop.run_in_executor(self._keeper, self.pending.keep, self.platform,
                                             [request for request, _ in batch])
        except Exception as error:
            log.warning("%d Slack request(s) could not be stored (%s: %s); answered 503, Slack sends them "
                        "again", len(batch), type(error).__name__, str(error).splitlines()[0][:200])
            ids = [None] * len(batch)
            kept = False
        else:
            kept = True
        for (_request, done), kept_id in zip(batch, ids, strict=True):
            if not done.done():
                done.set_result(kept)
            if kept_id is not None:
                self._waiting.add(kept_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Work on what is kept until `stop`, then finish what is in hand; the rest waits in the database."""
        loop = asyncio.get_running_loop()
        looked = -self.poll_seconds
        while not stop.is_set():
            if loop.time() - looked >= self.poll_seconds:
                await self._look()
                looked = loop.time()
            self._start_waiting()
            self._wakeup.clear()
            waiters = [asyncio.ensure_future(self._wakeup.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
        if self._in_hand:
            await asyncio.gather(*self._in_hand.values(), return_exceptions=True)

    async def settle(self) -> None:
        """Wait until nothing kept is waiting or in hand (for tests and benchmarks)."""
        while self._waiting or self._in_hand or self._arriving:
            await asyncio.sleep(0.02)

    async def _look(self) -> None:
        """What is due in the database: left by an earlier process, put back for a later try, or kept by
        another worker that has not taken it yet."""
        try:
            ready = await asyncio.to_thread(self.pending.ready, self.platform)
        except Exception as error:
            if not self._unreadable:
                log.warning("kept Slack requests cannot be read now (%s); trying again", type(error).__name__)
            self._unreadable = True
            return
        if self._unreadable:
            log.info("kept Slack requests can be read again")
        self._unreadable = False
        self._waiting.update(event_id for event_id in ready if event_id not in self._in_hand)

    def _start_waiting(self) -> None:
        if not self._quiet.is_set():
            return  # requests are arriving: they are acknowledged first, the work starts when they are kept
        while self._waiting and len(self._in_hand) < self.workers:
            event_id = min(self._waiting)
            self._waiting.discard(event_id)
            if event_id in self._in_hand:
                continue
            task = asyncio.create_task(self._work_on(event_id), name=f"{self.platform}-request-{event_id}")
            self._in_hand[event_id] = task

    async def _work_on(self, event_id: int) -> None:
        taken: Taken | None = None
        try:
            # Arriving requests go first: on SQLite the work's transactions would hold the one write lock
            # they wait for, and Slack waits only 3 s for its answer.
            await self._quiet.wait()
            taken = await asyncio.to_thread(self.pending.take, event_id)
            if taken is not None:
                done = await self._outcome(taken)
                await asyncio.to_thread(taken.finish if done else taken.put_back)
        except Exception as error:  # the database went away: the request stays kept and is tried again
            log.warning("kept Slack request %d could not be taken or finished (%s); it stays kept", event_id,
                        type(error).__name__)
        finally:
            if taken is not None:
                taken.release()
            self._in_hand.pop(event_id, None)
            self._wakeup.set()

    async def _outcome(self, taken: Taken) -> bool:
        try:
            return await self.work(taken.event.request)
        except Exception:
            log.exception("Slack request %s failed; it is tried again later", taken.event.request.key)
            return False

    def close(self) -> None:
        self._keeper.shutdown(wait=False)
