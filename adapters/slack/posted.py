"""Finding a message an earlier attempt posted: each post carries message metadata naming its notification,
and a delivery whose earlier attempt was never confirmed (the process died after Slack took the message, or
Slack's answer was lost) reads the channel or thread since that attempt for it before posting again."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_code
from core.delivery import Delivered, Delivery

log = logging.getLogger(__name__)
EVENT_TYPE = "spoc_outbox"
EARLIER = timedelta(seconds=5)  # clocks differ a little between this host and Slack
PAGE = 200
PAGES = 10


def outbox_metadata(delivery: Delivery) -> dict[str, Any]:
    """The notification a message delivers: its outbox id and when it was written (ids of another database
    are not taken for this one's)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": delivery.outbox_id,
                                                        "queued_at": _moment(delivery.queued_at)}}


class PostedMessages:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def find(self, delivery: Delivery, *, channel: str, thread: str) -> Delivered | None:
        """The message an unconfirmed earlier attempt of `delivery` posted in `channel` (`thread`), if any."""
        if delivery.unconfirmed_since is None:
            return None
        try:
            return await self._look(delivery, channel=channel, thread=thread)
        except SlackApiError as error:
            if error.response.status_code == 429 or error.response.status_code >= 500:
                raise  # asked again at the next attempt
            # Refused for good (a scope or membership the history needs): a message twice beats none.
            log.warning("outbox %s: could not look for an earlier post in %s (%s); posting it", delivery.outbox_id,
                        channel, error_code(error))
            return None

    async def _look(self, delivery: Delivery, *, channel: str, thread: str) -> Delivered | None:
        wanted = outbox_metadata(delivery)["event_payload"]
        oldest = f"{(delivery.unconfirmed_since - EARLIER).timestamp():.6f}"
        cursor = ""
        for _ in range(PAGES):
            if thread:
                page = await self.client.conversations_replies(channel=channel, ts=thread, oldest=oldest, limit=PAGE,
                                                                cursor=cursor or None, include_all_metadata=True)
            else:
                page = await self.client.conversations_history(channel=channel, oldest=oldest, limit=PAGE,
                                                                cursor=cursor or None, include_all_metadata=True)
            for message in page.get("messages", []):
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") == EVENT_TYPE and _same(metadata.get("event_payload") or {}, wanted):
                    # Only after a process died mid-delivery (or an answer was lost): worth an operator's eye.
                    log.warning("outbox %s was posted by an attempt whose outcome was never recorded (%s in %s); "
                                "not posted again", delivery.outbox_id, message["ts"], channel)
                    return Delivered(message_id=str(message["ts"]), channel=channel)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
            if not page.get("has_more") or not cursor:
                break
        return None


def _same(found: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return str(found.get("outbox_id")) == str(wanted["outbox_id"]) and found.get("queued_at") == wanted["queued_at"]


def _moment(at: datetime | None) -> str:
    return at.isoformat(timespec="microseconds") if at is not None else ""
