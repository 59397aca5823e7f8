"""Slack's HTTP requests, committed to the database before Slack is told they arrived, then worked on from
there.

Slack sends an event until it is acknowledged, and never again after: so the 200 goes out only once the
signed request is committed (`keep`), and Slack gets a 503 (and sends it again) when the database cannot
take it in time. Requests arriving together are committed together, one transaction per burst. The work
(`run`) takes the oldest request no worker holds, a few at a time: one try for each request this process
kept, and now and then a look for what others left (an earlier process, a retry that came due, a busy
worker); on stop it finishes what it holds and leaves the rest for the next start."""

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
        self._due = 0  # requests this process kept that it has not tried to take yet
        self._kept = 0  # requests this process kept, ever
        self._looking = False  # a look for requests kept elsewhere (or put back) is wanted
        self._taking = asyncio.Lock()  # one take at a time: on SQLite it alone keeps two from taking one row
        self._in_hand: dict[asyncio.Task[None], int | None] = {}  # what each of them took (None: not yet)
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
        for _request, done in batch:
            if not done.done():
                done.set_result(kept)
        new = sum(kept_id is not None for kept_id in ids)
        self._due += new
        self._kept += new

    async def run(self, stop: asyncio.Event) -> None:
        """Work on what is kept until `stop`, then finish what is in hand; the rest waits in the database."""
        loop = asyncio.get_running_loop()
        looked = -self.poll_seconds
        while not stop.is_set():
            if loop.time() - looked >= self.poll_seconds:
                self._looking = True
                looked = loop.time()
            self._start_taking()
            self._wakeup.clear()
            waiters = [asyncio.ensure_future(self._wakeup.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
        if self._in_hand:
            await asyncio.gather(*self._in_hand, return_exceptions=True)

    async def settle(self) -> None:
        """Wait until nothing kept is waiting or in hand (for tests and benchmarks)."""
        while self._due or self._looking or self._in_hand or self._arriving:
            await asyncio.sleep(0.02)

    def _start_taking(self) -> None:
        """A try for each request kept here (whichever worker ends up with it, each try takes the oldest free
        one), then, when wanted, a look: work that another worker had kept but not taken, that an earlier
        process left, or that was put back and is due again. A look that finds one looks again."""
        if not self._quiet.is_set():
            return  # requests are arriving: they are acknowledged first, the work starts when they are kept
        while len(self._in_hand) < self.workers and (self._due or self._looking):
            looking = not self._due
            if looking:
                self._looking = False
            else:
                self._due -= 1
            task = asyncio.create_task(self._take_one(looking=looking), name=f"{self.platform}-request")
            self._in_hand[task] = None

    async def _take_one(self, *, looking: bool) -> None:
        taken: Taken | None = None
        task = asyncio.current_task()
        assert task is not None
        try:
            # Arriving requests go first: on SQLite the work's transactions would hold the one write lock
            # they wait for, and Slack waits only 3 s for its answer.
            await self._quiet.wait()
            async with self._taking:
                kept_before = self._kept
                held = {event_id for event_id in self._in_hand.values() if event_id is not None}
                taken = await asyncio.to_thread(self.pending.take_next, self.platform, besides=held)
                if taken is None:
                    # Nothing free is due: what this process kept is done or in other hands, except what it
                    # kept since this take began.
                    self._due = min(self._due, self._kept - kept_before)
                    return
                self._in_hand[task] = taken.event.id
            self._unreadable = False
            if looking:  # more may be waiting behind this one: look again, beside the work on it
                self._looking = True
                self._wakeup.set()
            done = await self._outcome(taken)
            await asyncio.to_thread(taken.finish if done else taken.put_back)
        except Exception as error:  # the database went away: the requests stay kept and are tried again
            self._due, self._looking = 0, False  # at the next look, not at once
            if not self._unreadable:
                log.warning("kept Slack requests could not be taken or finished (%s); they stay kept and are "
                            "tried again", type(error).__name__)
            self._unreadable = True
        finally:
            if taken is not None:
                taken.release()
            self._in_hand.pop(task, None)
            self._wakeup.set()

    async def _outcome(self, taken: Taken) -> bool:
        try:
            return await self.work(taken.event.request)
        except Exception:
            log.exception("Slack request %s failed; it is tried again later", taken.event.request.key)
            return False

    def close(self) -> None:
        self._keeper.shutdown(wait=False)
