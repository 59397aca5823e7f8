"""Where a ticket's conversation lives in Discord.

The core addresses a requester as (channel, root message): the message they reported in. Discord gives a
thread started from a message the message's own id, so a public thread needs no bookkeeping. A private
thread is a new channel with a new id, so this book keeps the pairs (channel, root) <-> thread in memory
and finds them again after a restart without any table of its own:

- every private ticket thread is created by the bot and named after its ticket, "INC-42 · title";
- outgoing: a delivery for (channel, root) of INC-42 looks among the channel's threads (in the gateway's
  cache), then among the archived private threads the bot has joined (Discord sends no archived thread
  when the bot connects), for the bot's private thread of ticket 42, and creates one only when there is
  none; posting in an archived thread opens it again;
- incoming: a message in a bot-owned private thread named "INC-42 · ..." asks the core where INC-42's
  requester thread is, and is reported there (channel, root), so the core sees a reply in that thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

import discord

from core.refs import TicketRef
from core.text import inert

log = logging.getLogger(__name__)
KEY_IN_NAME = re.compile(r"^\s*([A-Za-z]{2,5})-(\d+)\b")
NAME = 100
ARCHIVE_MINUTES = 10080
THREAD_ALREADY_EXISTS = 160004
ARCHIVED_LOOKED_AT = 100  # Discord's most per request

Lookup = Callable[[str], Awaitable[TicketRef | None]]


def key_in_name(name: str) -> str | None:
    found = KEY_IN_NAME.match(name)
    return f"{found.group(1).upper()}-{found.group(2)}" if found else None


def ticket_number(key_or_name: str) -> str:
    """The number of the ticket a key or a thread's name names ("" for none): a ticket keeps its number
    when its kind, and so its key's prefix, changes."""
    found = KEY_IN_NAME.match(key_or_name)
    return found.group(2) if found else ""


class ThreadBook:
    def __init__(self, client: discord.Client, *, private_in: frozenset[str], lookup: Lookup) -> None:
        """`private_in`: the channels whose tickets get a private thread (the intake channels)."""
        self.client = client
        self.private_in = private_in
        self.lookup = lookup
        self._threads: dict[tuple[str, str], int] = {}
        self._origins: dict[int, tuple[str, str]] = {}

    def remember(self, *, channel: str, root: str, thread_id: int) -> None:
        self._threads[(channel, root)] = thread_id
        self._origins.setdefault(thread_id, (channel, root))

    async def thread_for(self, channel: discord.TextChannel, *, root: str, ticket_key: str,
                         requester: str) -> int:
        """The thread to post in for the conversation rooted at `root` in `channel`; created when missing."""
        known = self._threads.get((str(channel.id), root))
        if known is not None:
            return known
        thread: discord.Thread | None = None
        if str(channel.id) in self.private_in and ticket_key:
            thread = self._cached_private(channel, ticket_key) or await self._archived_private(channel, ticket_key)
            if thread is None:
                thread = await self._open_private(channel, root=root, ticket_key=ticket_key,
                                                  requester=requester)
        thread_id = thread.id if thread is not None else await self._open_public(channel, root=root,
                                                                                 ticket_key=ticket_key)
        self.remember(channel=str(channel.id), root=root, thread_id=thread_id)
        return thread_id

    async def origin_of(self, thread: discord.Thread) -> tuple[str, str]:
        """(channel, root) the core knows a message written in `thread` by."""
        known = self._origins.get(thread.id)
        if known is not None:
            return known
        parent = str(thread.parent_id)
        if self.is_ticket_thread(thread):
            key = key_in_name(thread.name)
            ref = await self.lookup(key) if key else None
            if ref is not None and ref.channel == parent and ref.thread:
                self.remember(channel=parent, root=ref.thread, thread_id=thread.id)
                return parent, ref.thread
        return parent, str(thread.id)

    def is_ticket_thread(self, thread: discord.Thread) -> bool:
        """Only a private thread the bot made is mapped by its name: nobody else can make one in its name."""
        me = self.client.user
        private = thread.type is discord.ChannelType.private_thread
        return private and me is not None and thread.owner_id == me.id

    def _cached_private(self, channel: discord.TextChannel, ticket_key: str) -> discord.Thread | None:
        return next((t for t in channel.threads if self._is_thread_of(t, ticket_key)), None)

    async def _archived_private(self, channel: discord.TextChannel, ticket_key: str) -> discord.Thread | None:
        """The ticket's private thread among the newest archived ones the bot joined (one request)."""
        try:
            async for thread in channel.archived_threads(private=True, joined=True, limit=ARCHIVED_LOOKED_AT):
                if self._is_thread_of(thread, ticket_key):
                    return thread
        except discord.HTTPException as error:
            log.warning("could not list the archived threads of %s (%s)", channel.id, error)
        return None

    def _is_thread_of(self, thread: discord.Thread, ticket_key: str) -> bool:
        key = key_in_name(thread.name)
        return self.is_ticket_thread(thread) and key is not None and ticket_number(key) == ticket_number(ticket_key)

    async def _name(self, ticket_key: str) -> str:
        ref = await self.lookup(ticket_key) if ticket_key else None
        name = f"{ticket_key} \u00b7 {ref.title}" if ref is not None and ref.title else ticket_key or "spoc"
        return discord.utils.escape_mentions(" ".join(inert(name).split()))[:NAME]

    async def _open_private(self, channel: discord.TextChannel, *, root: str, ticket_key: str, requester: str
                            ) -> discord.Thread | None:
        try:
            thread = await channel.create_thread(name=await self._name(ticket_key), invitable=False,
                                                 type=discord.ChannelType.private_thread,
                                                 auto_archive_duration=ARCHIVE_MINUTES)
        except discord.Forbidden as refused:
            log.warning("no private thread for %s in %s (%s); using a public one", ticket_key, channel.id,
                        refused)
            return None
        who = requester or await self._author_of(channel, root)
        if who:
            try:
                await thread.add_user(discord.Object(int(who)))
            except discord.HTTPException:
                log.exception("could not add %s to the thread of %s", who, ticket_key)
        return thread

    async def _author_of(self, channel: discord.TextChannel, root: str) -> str:
        try:
            return str((await channel.fetch_message(int(root))).author.id)
        except discord.HTTPException:
            return ""

    async def _open_public(self, channel: discord.TextChannel, *, root: str, ticket_key: str) -> int:
        """A thread started from the root message: it has the message's id."""
        if isinstance(self.client.get_channel(int(root)), discord.Thread):
            return int(root)
        try:
            await channel.get_partial_message(int(root)).create_thread(
                name=await self._name(ticket_key), auto_archive_duration=ARCHIVE_MINUTES)
        except discord.HTTPException as error:
            if error.code != THREAD_ALREADY_EXISTS:
                raise
        return int(root)
