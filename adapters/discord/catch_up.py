"""Reading what was written while the gateway could not resume.

Discord replays the events a client missed only when it resumes its session (RESUMED). After a fresh
session (READY: an op 9 invalid session, an outage longer than Discord keeps a session, a restart) the
messages written in between exist only in the channels' history. So after every READY this reads, oldest
first, what came after the last message the desk took in each intake channel and in each thread of a
ticket that is neither closed nor cancelled, and takes each message exactly as the gateway would have
brought it: the event id is the same, so a message taken live and read again here is taken once.

A place is read from a little before its mark (`OVERLAP`), since messages handled side by side may commit
out of order, and at most `PER_PLACE` messages at a time. An intake channel read for the first time is only
marked (its history before spoc was watching is not a backlog of reports). Direct messages are read again in
the direct-message channels the desk has taken a message from (their marks are places `dm:<channel id>`), the
`DIRECT_PLACES` most recently active: Discord keeps no list of a bot's direct messages, so a person who writes
to spoc for the first time while the gateway is away is not found.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from adapters.discord.people import PLATFORM
from adapters.discord.threads import ThreadBook, ticket_number
from core.messages import ReadMark
from core.read_marks import TicketThread
from core.service import Desk

log = logging.getLogger(__name__)
OVERLAP = timedelta(seconds=30)
PER_PLACE = 1000
DIRECT = "dm:"  # the mark of a direct-message channel: its place is this and the channel's id
DIRECT_PLACES = 50
SNOWFLAKE_MS_SHIFT = 22  # a snowflake's time is its bits above 22, in milliseconds


class CatchUp:
    def __init__(self, *, client: discord.Client, desk: Desk, threads: ThreadBook, intake: frozenset[str],
                 take: Callable[[discord.Message], Awaitable[None]], per_place: int = PER_PLACE) -> None:
        self.client = client
        self.desk = desk
        self.threads = threads
        self.intake = intake
        self.take = take
        self.per_place = per_place
        self.rounds = 0  # catch-ups finished (fresh sessions read after)
        self._lock = asyncio.Lock()
        self._halted = False

    async def on_ready(self) -> None:
        """Every fresh session of a client that is not sharded (a resume dispatches `resumed` instead)."""
        await self.after_fresh_session(shard_id=None)

    async def on_shard_ready(self, shard_id: int) -> None:
        """Every fresh session of one shard of a sharded client: the places of that shard's servers."""
        await self.after_fresh_session(shard_id=shard_id)

    def halt(self) -> None:
        """Stop between two messages: the process is stopping (the next fresh session reads on)."""
        self._halted = True

    async def after_fresh_session(self, *, shard_id: int | None) -> None:
        async with self._lock:
            try:
                await self._catch_up(shard_id)
            except Exception:  # the live events flow anyway; the next fresh session reads on from the marks
                log.exception("Discord: reading the history after a new gateway session failed")

    async def _catch_up(self, shard_id: int | None) -> None:
        marks = await asyncio.to_thread(self.desk.read_marks, PLATFORM)
        tickets = await asyncio.to_thread(self.desk.ticket_threads, PLATFORM)
        places = (await self._intake_places(marks, shard_id) + self._thread_places(marks, tickets, shard_id)
                  + await self._direct_places(marks, shard_id))
        taken = 0
        for channel, after in places:
            if self._halted:
                return
            taken += await self._read(channel, after)
        self.rounds += 1
        if places:
            log.info("Discord: new gateway session; read %d places again after their last message (%d "
                     "messages)", len(places), taken)

    async def _intake_places(self, marks: dict[str, int], shard_id: int | None
                             ) -> list[tuple[discord.abc.Messageable, int]]:
        found: list[tuple[discord.abc.Messageable, int]] = []
        for channel_id in sorted(self.intake):
            channel = self.client.get_channel(int(channel_id))
            if not isinstance(channel, discord.TextChannel) or not _on_shard(channel.guild, shard_id):
                continue
            if channel_id in marks:
                found.append((channel, marks[channel_id]))
                continue
            # Never read before: what was written before spoc watched it is no backlog. (Reading starts an
            # overlap before a mark, so the first mark is set that much after the newest message.)
            newest = channel.last_message_id or discord.utils.time_snowflake(datetime.now(UTC))
            first = ReadMark(channel_id, newest + _overlap())
            await asyncio.to_thread(self.desk.start_reading_at, PLATFORM, first)
        return found

    def _thread_places(self, marks: dict[str, int], tickets: list[TicketThread], shard_id: int | None
                       ) -> list[tuple[discord.abc.Messageable, int]]:
        """The threads of live tickets among those the gateway lists (Discord opens an archived thread
        again when someone writes in it, so a thread written in during the gap is listed)."""
        roots = {(t.channel, t.thread) for t in tickets}
        numbers = {(t.channel, ticket_number(t.ticket_key)) for t in tickets}
        found: list[tuple[discord.abc.Messageable, int]] = []
        for guild in self.client.guilds:
            if not _on_shard(guild, shard_id):
                continue
            for thread in guild.threads:
                parent = str(thread.parent_id)
                if self.threads.is_ticket_thread(thread):
                    wanted = (parent, ticket_number(thread.name)) in numbers
                else:
                    wanted = (parent, str(thread.id)) in roots  # a thread started from its ticket's message
                if wanted:
                    found.append((thread, marks.get(str(thread.id), thread.id)))
        return found

    async def _direct_places(self, marks: dict[str, int], shard_id: int | None
                             ) -> list[tuple[discord.abc.Messageable, int]]:
        """The direct-message channels the desk took a message from, most recently active first (Discord
        gives direct messages to shard 0 only)."""
        if shard_id not in (None, 0):
            return []
        seen = sorted(((int(place.removeprefix(DIRECT)), position) for place, position in marks.items()
                       if place.startswith(DIRECT) and place.removeprefix(DIRECT).isdigit()),
                      key=lambda pair: pair[1], reverse=True)
        found: list[tuple[discord.abc.Messageable, int]] = []
        for channel_id, position in seen[:DIRECT_PLACES]:
            try:
                channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
            except discord.HTTPException as error:
                log.warning("Discord: could not open the direct messages %s after a gap (%s %s); messages written "
                            "there meanwhile are not taken", channel_id, error.status, error.text or "")
                continue
            if isinstance(channel, discord.DMChannel):
                found.append((channel, position))
        return found

    async def _read(self, channel: discord.abc.Messageable, after: int) -> int:
        start = max(after - _overlap(), 0)
        count = 0
        try:
            async for message in channel.history(limit=self.per_place, after=discord.Object(start),
                                                 oldest_first=True):
                if self._halted:
                    break
                await self._take(message)
                count += 1
        except discord.HTTPException as error:
            log.warning("Discord: could not read the history of %s after a gap (%s %s); messages written "
                        "there meanwhile are not taken", _name(channel), error.status, error.text or "")
        if count >= self.per_place:
            log.warning("Discord: %s had more than %d messages to read after a gap; the rest is read after the "
                        "next fresh session", _name(channel), self.per_place)
        return count


    async def _take(self, message: discord.Message) -> None:
        try:
            await self.take(message)
        except Exception:  # one message the desk cannot take must not hide the others
            log.exception("Discord: could not take message %s of %s read after a gap", message.id,
                          message.channel.id)


def _overlap() -> int:
    """`OVERLAP` as a difference of snowflakes."""
    return int(OVERLAP.total_seconds() * 1000) << SNOWFLAKE_MS_SHIFT


def _on_shard(guild: discord.Guild, shard_id: int | None) -> bool:
    return shard_id is None or guild.shard_id == shard_id


def _name(channel: Any) -> str:
    return f"#{channel.name} ({channel.id})" if getattr(channel, "name", None) else str(channel.id)


def direct_place(channel_id: int) -> str:
    """The place of a direct-message channel's read mark."""
    return f"{DIRECT}{channel_id}"
