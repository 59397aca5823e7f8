"""Reading what was written while the Socket Mode connection was lost for long.

Slack sends an event again for a while when it was not acknowledged, so a short drop loses nothing. After
a connection lost for longer than `slack.catch_up_after_seconds`, this reads what came after the last
message the desk took in each intake channel (`conversations.history`) and in each thread of a ticket that
is neither closed nor cancelled (`conversations.replies`), oldest first, and takes each message exactly as
its event would have been taken: the event id is the same, so a message taken live and read again here is
taken once.

A place is read from a little before its mark (`OVERLAP`), since messages handled side by side may commit
out of order; at most `PER_PLACE` messages of a place and `THREADS` threads (the most recently active
first) are read in one catch-up. Slack's 429s are waited out and 500s tried again (`history_client`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.people import PLATFORM
from core.messages import ReadMark
from core.read_marks import TicketThread
from core.service import Desk

log = logging.getLogger(__name__)
MICROS = 1_000_000
OVERLAP_MICROS = 30 * MICROS
PER_PLACE = 1000
THREADS = 200
PAGE = 200  # Slack's advice for conversations.history and .replies


def ts_position(ts: str) -> int:
    """A message's ts ("1700000000.000100") as a whole number of microseconds, in Slack's order."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds) * MICROS + int((fraction + "000000")[:6])


def position_ts(position: int) -> str:
    return f"{position // MICROS}.{position % MICROS:06d}"


def thread_place(channel: str, thread_ts: str) -> str:
    return f"{channel}/{thread_ts}"


def history_client(*, token: str, base_url: str) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After) and tries a 500 again, for reading history."""
    return AsyncWebClient(token=token, base_url=base_url, retry_handlers=[
        AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=5),
        AsyncServerErrorRetryHandler(max_retry_count=3)])


class SlackCatchUp:
    def __init__(self, *, client: AsyncWebClient, desk: Desk, intake: tuple[str, ...],
                 take: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        self.client = client
        self.desk = desk
        self.intake = intake
        self.take = take
        self.rounds = 0  # catch-ups finished
        self._lock = asyncio.Lock()
        self._halted = False

    def halt(self) -> None:
        """Stop between two messages: the process is stopping."""
        self._halted = True

    async def mark_new_channels(self) -> None:
        """An intake channel never read before is marked now: what was written before is no backlog.
        (Reading starts an overlap before a mark, so the first mark is set that much ahead.)"""
        marks = await asyncio.to_thread(self.desk.read_marks, PLATFORM)
        now = int(time.time() * MICROS)
        for channel in self.intake:
            if channel not in marks:
                await asyncio.to_thread(self.desk.start_reading_at, PLATFORM,
                                        ReadMark(channel, now + OVERLAP_MICROS))

    async def after_gap(self, seconds: float) -> None:
        async with self._lock:
            try:
                await self._catch_up(seconds)
            except Exception:  # the live events flow anyway; the next long gap reads on from the marks
                log.exception("Slack: reading the history after a lost connection failed")

    async def _catch_up(self, seconds: float) -> None:
        marks = await asyncio.to_thread(self.desk.read_marks, PLATFORM)
        tickets = await asyncio.to_thread(self.desk.ticket_threads, PLATFORM)
        taken = 0
        channels = [c for c in self.intake if c in marks]
        for channel in channels:
            taken += await self._read(channel, None, marks[channel])
        threads = _most_recent_first(tickets, marks)
        if len(threads) > THREADS:
            log.warning("Slack: %d ticket threads are open; after the gap only the %d most recently active "
                        "are read again", len(threads), THREADS)
        for thread, after in threads[:THREADS]:
            taken += await self._read(thread.channel, thread.thread, after)
        self.rounds += 1
        log.info("Slack: the Socket Mode connection was lost for %.0f s; read %d channels and %d threads "
                 "again after their last message (%d messages)", seconds, len(channels),
                 min(len(threads), THREADS), taken)

    async def _read(self, channel: str, thread: str | None, after: int) -> int:
        oldest = position_ts(max(after - OVERLAP_MICROS, 0))
        try:
            messages = await self._messages(channel, thread, oldest)
        except (SlackApiError, ClientError, TimeoutError) as error:
            reason = error.response.get("error", error) if isinstance(error, SlackApiError) else error
            log.warning("Slack: could not read %s again after a gap (%s); messages written there meanwhile "
                        "are not taken", thread_place(channel, thread) if thread else channel, reason)
            return 0
        for message in messages:
            if self._halted:
                break
            try:
                await self.take({**message, "channel": channel})
            except Exception:  # one message the desk cannot take must not hide the others
                log.exception("Slack: could not take message %s of %s read after a gap", message.get("ts"), channel)
        return len(messages)

    async def _messages(self, channel: str, thread: str | None, oldest: str) -> list[dict[str, Any]]:
        """The messages after `oldest`, oldest first (a thread's parent left out), at most `PER_PLACE`."""
        found: list[dict[str, Any]] = []
        cursor = ""
        while len(found) < PER_PLACE:
            if thread:
                page = await self.client.conversations_replies(channel=channel, ts=thread, oldest=oldest,
                                                                limit=PAGE, cursor=cursor or None)
                found += [m for m in page.get("messages", []) if m.get("ts") != thread]
            else:
                page = await self.client.conversations_history(channel=channel, oldest=oldest, limit=PAGE,
                                                                cursor=cursor or None)
                found += page.get("messages", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not page.get("has_more") or not cursor:
                break
        else:
            log.warning("Slack: more than %d messages were written in %s during the gap; only %d are read",
                        PER_PLACE, thread_place(channel, thread) if thread else channel, PER_PLACE)
        return sorted(found, key=lambda m: ts_position(m["ts"]))[:PER_PLACE]


def _most_recent_first(tickets: list[TicketThread], marks: dict[str, int]) -> list[tuple[TicketThread, int]]:
    """Each thread with where to read it from (its mark, or its first message), most recently active first."""
    placed = [(t, marks.get(thread_place(t.channel, t.thread), ts_position(t.thread))) for t in tickets]
    return sorted(placed, key=lambda pair: pair[1], reverse=True)
