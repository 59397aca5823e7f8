"""What spoc reads in Discord: messages in the intake channels, in ticket threads and in direct messages,
and edits or deletions of them. Each becomes a core message, handed over in a thread.

A message's event id is `message:{channel}:{message}` whichever way it arrived, so a gateway event that
Discord delivers again after a resume changes nothing the second time.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord.catch_up import direct_place
from adapters.discord.people import PLATFORM, DiscordDirectory
from adapters.discord.settings import DiscordSettings
from adapters.discord.threads import ThreadBook
from core.messages import Inbound, MessageChanged, ReadMark
from core.service import Desk

log = logging.getLogger(__name__)
TAKEN_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def message_event_id(channel_id: int | str, message_id: int | str) -> str:
    return f"message:{channel_id}:{message_id}"


class MessageListeners:
    def __init__(self, *, desk: Desk, settings: DiscordSettings, directory: DiscordDirectory,
                 threads: ThreadBook, poke: Callable[[], None]) -> None:
        self.desk = desk
        self.directory = directory
        self.threads = threads
        self.poke = poke
        self.intake = frozenset(settings.intake_channels)
        self.watched = self.intake | ({settings.triage_channel} if settings.triage_channel else frozenset())
        self._warned_empty = False
        self.in_hand = 0  # events being handled: a stopping process waits for them

    def tracked(self, handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """`handler`, counted while it runs (discord.py names the event after the function)."""

        async def run(*args: Any) -> None:
            self.in_hand += 1
            try:
                await handler(*args)
            finally:
                self.in_hand -= 1

        run.__name__ = handler.__name__
        return run

    async def settle(self) -> None:
        while self.in_hand:
            await asyncio.sleep(0.05)

    async def on_message(self, message: discord.Message) -> None:
        await self.take(message)

    async def take(self, message: discord.Message) -> None:
        """A message from the gateway, or read again from a channel's history after a gap: the same way in."""
        if message.author.bot or message.webhook_id is not None or message.type not in TAKEN_TYPES:
            return
        inbound = await self._inbound(message)
        if inbound is None:
            return
        if not inbound.text.strip() and not self._warned_empty:
            self._warned_empty = True
            log.error("a Discord message arrived without its text: enable the MESSAGE CONTENT intent on the "
                      "Bot page of the Developer Portal")
        await asyncio.to_thread(self.desk.handle_message, inbound)
        self.poke()

    async def _inbound(self, message: discord.Message) -> Inbound | None:
        channel = message.channel
        text = _text(message, self.directory.client.user)
        author = await self.directory.author(message.author)
        common = {"platform": PLATFORM, "event_id": message_event_id(channel.id, message.id),
                  "message_id": str(message.id), "author": author, "text": text}
        # Direct messages, threads and intake channels are read again after a gap: taking a message marks it read.
        if isinstance(channel, discord.DMChannel):
            root = await self._reply_root(message)
            return Inbound(channel=str(channel.id), thread=root, is_direct=True,
                           mark=ReadMark(place=direct_place(channel.id), position=message.id), **common)
        here = ReadMark(place=str(channel.id), position=message.id)
        if isinstance(channel, discord.Thread):
            if str(channel.parent_id) not in self.watched and not self.threads.is_ticket_thread(channel):
                return None
            parent, root = await self.threads.origin_of(channel)
            return Inbound(channel=parent, thread=root, is_intake=parent in self.intake, mark=here, **common)
        if str(channel.id) in self.intake:
            return Inbound(channel=str(channel.id), is_intake=True, mark=here, **common)
        if self.directory.client.user in message.mentions:
            return Inbound(channel=str(channel.id), is_intake=True, **common)
        return None

    async def _reply_root(self, message: discord.Message) -> str | None:
        """A reply in a direct message belongs where the message it answers belongs: the bot answers a
        ticket's messages as replies to the message the ticket came from."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return None
        replied = reference.resolved if isinstance(reference.resolved, discord.Message) else None
        if replied is None:
            try:
                replied = await message.channel.fetch_message(reference.message_id)
            except discord.HTTPException:
                return str(reference.message_id)
        me = self.directory.client.user
        answered = replied.reference.message_id if replied.reference else None
        if me is not None and replied.author.id == me.id and answered:
            return str(answered)
        return str(replied.id)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        data = payload.data
        me = self.directory.client.user
        author = str((data.get("author") or {}).get("id", ""))
        mine = me is not None and author == str(me.id)
        if mine or not data.get("edited_timestamp") or "content" not in data:
            return
        if not self._tracked(payload.channel_id, payload.guild_id):
            return
        await self._changed(MessageChanged(
            platform=PLATFORM,
            event_id=f"change:{payload.channel_id}:{payload.message_id}:{data['edited_timestamp']}",
            channel=str(payload.channel_id), message_id=str(payload.message_id), text=str(data["content"])))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if not self._tracked(payload.channel_id, payload.guild_id):
            return
        await self._changed(MessageChanged(
            platform=PLATFORM, event_id=f"delete:{payload.channel_id}:{payload.message_id}",
            channel=str(payload.channel_id), message_id=str(payload.message_id), text=None))

    def _tracked(self, channel_id: int, guild_id: int | None) -> bool:
        """Tickets come from the intake channels and direct messages; nothing else is worth a look."""
        return guild_id is None or str(channel_id) in self.intake

    async def _changed(self, change: MessageChanged) -> None:
        await asyncio.to_thread(self.desk.handle_change, change)
        self.poke()


def _text(message: discord.Message, me: discord.ClientUser | None) -> str:
    text = message.content
    if me is not None:
        text = re.sub(rf"<@!?{me.id}>", "", text).strip()
    files = "\n".join(attachment.url for attachment in message.attachments)
    return f"{text}\n{files}".strip() if files else text
