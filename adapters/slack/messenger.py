"""Delivers outbox cards to Slack: posts, edits living cards in place, paces each channel, and turns
Slack's answers into retry, wait or dead-letter decisions."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_code, explain
from adapters.slack.posted import PostedMessages, outbox_metadata
from adapters.slack.render import fallback_text, render_blocks
from core.delivery import Delivered, Delivery, DeliveryFailed
from core.text import file_name

log = logging.getLogger(__name__)
PLATFORM = "slack"
# Errors that no retry can fix: dead-letter at once with the reason.
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "not_authed", "account_inactive",
    "token_revoked", "no_permission", "missing_scope", "msg_too_long", "invalid_blocks", "restricted_action",
    "cant_update_message", "message_not_found", "user_not_found", "cannot_dm_bot",
})
# Errors that mean the thread is gone: the requester is written to directly instead.
THREAD_GONE = frozenset({"thread_not_found", "message_not_found", "channel_not_found", "not_in_channel",
                         "is_archived"})


class SlackMessenger:
    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, *, per_channel_interval: float = 1.0) -> None:
        self.client = client
        self.interval = per_channel_interval
        self._last_sent: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._dm_channels: dict[str, str] = {}
        self.posted = PostedMessages(client)

    async def deliver(self, delivery: Delivery) -> Delivered:
        destination = delivery.destination
        try:
            if delivery.quiet:
                return await self._acknowledge(delivery)
            channel = destination.channel or await self._dm_channel(destination.user_id)
            return await self._send(delivery, channel=channel, thread=destination.thread)
        except SlackApiError as error:
            reason = error_code(error)
            if destination.fallback_user_id and destination.thread and reason in THREAD_GONE:
                try:
                    dm = await self._dm_channel(destination.fallback_user_id)
                    return await self._send(delivery, channel=dm, thread="")
                except SlackApiError as fallback_error:
                    raise _failure(fallback_error) from fallback_error
            raise _failure(error, channel=destination.channel) from error
        except (TimeoutError, ClientError, OSError) as error:
            raise DeliveryFailed(f"network: {type(error).__name__}: {error}") from error

    async def _send(self, delivery: Delivery, *, channel: str, thread: str) -> Delivered:
        blocks, text = render_blocks(delivery.card), fallback_text(delivery.card)
        async with self._locks.setdefault(channel, asyncio.Lock()):
            await self._pace(channel, elsewhere=delivery.channel_last_sent_at)
            if delivery.replaces_message_id:
                response = await self.client.chat_update(channel=channel, ts=delivery.replaces_message_id,
                                                         text=text, blocks=blocks)
            else:
                found = await self.posted.find(delivery, channel=channel, thread=thread)
                if found is not None:
                    return found
                response = await self.client.chat_postMessage(channel=channel, thread_ts=thread or None, text=text,
                                                              blocks=blocks, unfurl_links=False, unfurl_media=False,
                                                              metadata=outbox_metadata(delivery))
            self._last_sent[channel] = time.monotonic()
            posted = str(response.get("channel") or channel)
            if delivery.files and not delivery.replaces_message_id:
                await self._attach_files(delivery, channel=posted, thread=thread)
        return Delivered(message_id=str(response["ts"]), channel=posted)

    async def _acknowledge(self, delivery: Delivery) -> Delivered:
        """An ephemeral message to the reporter under their message: only they see it, and it counts
        against no channel's pace (chat.postEphemeral has a rate limit of its own)."""
        destination = delivery.destination
        response = await self.client.chat_postEphemeral(
            channel=destination.channel, user=destination.user_id, thread_ts=destination.thread or None,
            text=fallback_text(delivery.card), blocks=render_blocks(delivery.card))
        return Delivered(message_id=str(response.get("message_ts") or ""), channel=destination.channel)

    async def _attach_files(self, delivery: Delivery, *, channel: str, thread: str) -> None:
        """Upload the card's files (a report's chart) beside it, from the bytes its delivery brings. The
        card is posted already, so a failed upload is logged and not retried: a retry would post the card a
        second time."""
        for file in delivery.files:
            try:
                await self.client.files_upload_v2(channel=channel, thread_ts=thread or None, content=file.data,
                                                  filename=file_name(file.name), title=delivery.card.title or file.name)
            except (TimeoutError, SlackApiError, ClientError, OSError) as error:
                log.warning("outbox %s: could not upload %s: %s", delivery.outbox_id, file.name, error)

    async def _pace(self, channel: str, *, elsewhere: datetime | None) -> None:
        """Slack allows about one message a second per channel; wait instead of being rate limited. The
        pace holds across workers: `elsewhere` is when any of them last sent to this channel."""
        waits = [0.0]
        last = self._last_sent.get(channel)
        if last is not None:
            waits.append(self.interval - (time.monotonic() - last))
        if elsewhere is not None:
            waits.append(self.interval - (datetime.now(UTC) - elsewhere).total_seconds())
        wait = min(max(waits), self.interval)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _dm_channel(self, user_id: str) -> str:
        if not user_id:
            raise DeliveryFailed("no channel and no user to write to", permanent=True)
        if user_id not in self._dm_channels:
            response = await self.client.conversations_open(users=user_id)
            self._dm_channels[user_id] = str(response["channel"]["id"])
        return self._dm_channels[user_id]


def _failure(error: SlackApiError, *, channel: str = "") -> DeliveryFailed:
    response = error.response
    reason = error_code(error)
    if response.status_code == 429:
        retry_after = float(response.headers.get("Retry-After", response.headers.get("retry-after", 1)) or 1)
        return DeliveryFailed(f"rate limited: {reason}", retry_after=retry_after)
    if reason in PERMANENT:
        return DeliveryFailed(explain(error, channel=channel), permanent=True)
    return DeliveryFailed(reason)
