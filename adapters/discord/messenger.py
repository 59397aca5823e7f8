"""Delivers outbox cards to Discord: posts (into the ticket's thread, creating it on first use), edits
living cards in place, writes directly to a person when their thread is gone, and turns Discord's answers
into retry, wait or dead-letter decisions."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import aiohttp
import discord

from adapters.discord.errors import UNKNOWN_MESSAGE, failure, is_gone
from adapters.discord.people import PLATFORM
from adapters.discord.render import Rendered, render_card
from adapters.discord.threads import ThreadBook
from core.delivery import Delivered, Delivery, DeliveryFailed

log = logging.getLogger(__name__)
NONCE_LENGTH = 25  # Discord's limit
NOT_READY_RETRY_SECONDS = 5.0
RECEIVED = "\N{INBOX TRAY}"  # the reaction that tells a reporter in a storm their report is a ticket


class DiscordMessenger:
    platform = PLATFORM

    def __init__(self, client: discord.Client, *, threads: ThreadBook, ready_timeout: float = 10.0) -> None:
        self.client = client
        self.threads = threads
        self.ready_timeout = ready_timeout
        self._dm_channels: dict[str, int] = {}

    async def deliver(self, delivery: Delivery) -> Delivered:
        await self._wait_until_ready()
        destination = delivery.destination
        try:
            try:
                return await self._deliver(delivery)
            except discord.HTTPException as error:
                if not (destination.thread and destination.fallback_user_id and is_gone(error)):
                    raise
                log.warning("the thread of %s in %s is gone (%s); writing to the requester directly",
                            delivery.ticket_key or "-", destination.describe(), error)
                channel_id = await self._dm_channel(destination.fallback_user_id)
                return await self._post(channel_id, render_card(delivery.card, delivery.files), delivery)
        except DeliveryFailed:
            raise
        except (TimeoutError, discord.DiscordException, aiohttp.ClientError, OSError) as error:
            raise failure(error, channel=destination.channel) from error

    async def _wait_until_ready(self) -> None:
        if self.client.is_ready():
            return
        try:
            await asyncio.wait_for(self.client.wait_until_ready(), self.ready_timeout)
        except (TimeoutError, RuntimeError):
            raise DeliveryFailed("not connected to Discord yet",
                                 retry_after=NOT_READY_RETRY_SECONDS) from None

    async def _deliver(self, delivery: Delivery) -> Delivered:
        destination = delivery.destination
        if delivery.quiet:
            return await self._acknowledge(delivery)
        rendered = render_card(delivery.card, delivery.files)
        if not destination.channel:
            if not destination.user_id:
                raise DeliveryFailed("no channel and no user to write to", permanent=True)
            return await self._post(await self._dm_channel(destination.user_id), rendered, delivery)
        if delivery.replaces_message_id:
            edited = await self._edit(int(destination.channel), int(delivery.replaces_message_id), rendered)
            if edited is not None:
                return edited
            # The card was deleted: post it again (rendered afresh, as a file is single-use).
            rendered = render_card(delivery.card, delivery.files)
        channel = await self._channel(int(destination.channel))
        if not destination.thread:
            return await self._post(channel.id, rendered, delivery)
        if isinstance(channel, discord.DMChannel):
            # Direct messages have no threads: answer as a reply to the message the ticket came from.
            reference = discord.MessageReference(message_id=int(destination.thread), channel_id=channel.id,
                                                 fail_if_not_exists=False)
            return await self._post(channel.id, rendered, delivery, reference=reference)
        if isinstance(channel, discord.TextChannel):
            thread_id = await self.threads.thread_for(channel, root=destination.thread,
                                                      ticket_key=delivery.ticket_key,
                                                      requester=destination.fallback_user_id)
            return await self._post(thread_id, rendered, delivery)
        return await self._post(channel.id, rendered, delivery)

    async def _acknowledge(self, delivery: Delivery) -> Delivered:
        """A reaction on the reporter's message: seen at once, and no message of the channel's pace."""
        destination = delivery.destination
        message = self.client.get_partial_messageable(int(destination.channel)).get_partial_message(
            int(destination.thread))
        await message.add_reaction(RECEIVED)
        return Delivered(message_id=destination.thread, channel=destination.channel)

    async def _post(self, channel_id: int, rendered: Rendered, delivery: Delivery, *,
                    reference: discord.MessageReference | None = None) -> Delivered:
        target = self.client.get_partial_messageable(channel_id)
        kwargs = rendered.send_kwargs()
        if reference is not None:
            kwargs["reference"] = reference
            kwargs["mention_author"] = False
        # Discord answers a send whose nonce the bot used in the last few minutes with that message instead of
        # a second one: a process that died before recording a delivery does not post it twice on restart.
        message = await target.send(nonce=outbox_nonce(delivery), **kwargs)
        return Delivered(message_id=str(message.id), channel=str(channel_id))

    async def _edit(self, channel_id: int, message_id: int, rendered: Rendered) -> Delivered | None:
        message = self.client.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await message.edit(**rendered.edit_kwargs())
        except discord.NotFound as error:
            if error.code != UNKNOWN_MESSAGE:
                raise
            log.warning("card %s in %s was deleted; posting it again", message_id, channel_id)
            return None
        return Delivered(message_id=str(message_id), channel=str(channel_id))

    async def _channel(self, channel_id: int) -> Any:
        found = self.client.get_channel(channel_id)
        return found if found is not None else await self.client.fetch_channel(channel_id)

    async def _dm_channel(self, user_id: str) -> int:
        if user_id not in self._dm_channels:
            channel = await self.client.create_dm(discord.Object(int(user_id)))
            self._dm_channels[user_id] = channel.id
        return self._dm_channels[user_id]


def outbox_nonce(delivery: Delivery) -> str:
    """The same for every attempt of one notification, and another database's notification of the same id
    has another (the moment it was written is in it)."""
    queued = delivery.queued_at.isoformat() if delivery.queued_at else ""
    return "o" + hashlib.sha256(f"{delivery.outbox_id}:{queued}".encode()).hexdigest()[:NONCE_LENGTH - 1]
