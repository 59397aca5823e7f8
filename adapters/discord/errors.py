"""Discord's answers turned into the outbox's decisions: wait, retry later, or dead-letter at once."""

from __future__ import annotations

import asyncio

import aiohttp
import discord

from core.delivery import DeliveryFailed

# 400 (a malformed message), 401 (bad token), 403 (Missing Access 50001, Missing Permissions 50013,
# Cannot send messages to this user 50007), 404 (Unknown Channel 10003, Unknown Message 10008):
# no retry can fix these.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404})
# The thread or channel cannot be reached any more: the requester is written to directly instead.
GONE_CODES = frozenset({10003, 10008, 50001, 50013, 50083, 160005})
UNKNOWN_MESSAGE = 10008


def describe(error: discord.HTTPException) -> str:
    return " ".join(str(error).split())[:500]


def retry_after(error: discord.HTTPException) -> float:
    headers = getattr(error.response, "headers", None) or {}
    for name in ("Retry-After", "X-RateLimit-Reset-After"):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                continue
    return 1.0


def is_gone(error: discord.HTTPException) -> bool:
    return error.status in (403, 404) and (error.code in GONE_CODES or error.code == 0)


def failure(error: BaseException) -> DeliveryFailed:
    """The DeliveryFailed for anything the Discord client raised while delivering."""
    if isinstance(error, discord.RateLimited):
        return DeliveryFailed(f"rate limited: {error}", retry_after=error.retry_after)
    if isinstance(error, discord.HTTPException):
        reason = describe(error)
        if error.status == 429:
            return DeliveryFailed(f"rate limited: {reason}", retry_after=retry_after(error))
        if error.status in PERMANENT_STATUSES:
            return DeliveryFailed(reason, permanent=True)
        return DeliveryFailed(reason)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError | discord.GatewayNotFound):
        return DeliveryFailed(f"network: {type(error).__name__}: {error}")
    return DeliveryFailed(f"{type(error).__name__}: {error}")
