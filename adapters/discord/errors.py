"""Discord's answers turned into the outbox's decisions (wait, retry later, or dead-letter at once), and
into one sentence for a person: what went wrong and what to switch on where."""

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
UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, MISSING_ACCESS, MISSING_PERMISSIONS, CANNOT_DM = 10003, 10008, 50001, 50013, 50007

BOT_PAGE = "Developer Portal -> your application -> Bot"
# View Channels, Send Messages, Send Messages in Threads, Create Public and Private Threads, Manage Threads,
# Read Message History, Embed Links, Attach Files, Use Application Commands.
INVITE_PERMISSIONS = 397284592640
NEEDED_IN_CHANNELS = ("View Channel", "Send Messages", "Send Messages in Threads", "Create Private Threads",
                      "Embed Links", "Attach Files", "Read Message History")


def invite_url(application_id: int | str | None) -> str:
    client_id = application_id or "APPLICATION_ID"
    return (f"https://discord.com/oauth2/authorize?client_id={client_id}&scope=bot%20applications.commands"
            f"&permissions={INVITE_PERMISSIONS}")


def explain(error: BaseException, *, doing: str = "", channel: str = "", application_id: int | str | None = None
            ) -> str:
    """One sentence for an error the Discord client raised: what Discord refused and how to fix it.

    `doing` says what spoc was doing ("registering /desk in server 123"), `channel` which channel it concerned.
    """
    while_ = f" while {doing}" if doing else ""
    where = f"channel {channel}" if channel else "a channel"
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return ("Discord refused the MESSAGE CONTENT intent (gateway close 4014): switch it on at "
                f"{BOT_PAGE} -> Privileged Gateway Intents -> MESSAGE CONTENT INTENT, then start spoc again.")
    if isinstance(error, discord.LoginFailure) or (isinstance(error, discord.HTTPException) and error.status == 401):
        return (f"Discord refused the bot token (401 Unauthorized){while_}: copy a new one from {BOT_PAGE} -> "
                "Reset Token into DISCORD_BOT_TOKEN.")
    if isinstance(error, discord.ConnectionClosed):
        if error.code == 4004:
            return (f"Discord refused the bot token (gateway close 4004): copy a new one from {BOT_PAGE} -> "
                    "Reset Token into DISCORD_BOT_TOKEN.")
        if error.code in (4013, 4014):
            return explain(discord.PrivilegedIntentsRequired(None))  # type: ignore[arg-type]
        return f"Discord closed the gateway connection (code {error.code}){while_}: {error.reason or 'no reason'}."
    if isinstance(error, discord.HTTPException):
        return _http(error, while_=while_, where=where, doing=doing, application_id=application_id)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError | discord.GatewayNotFound):
        return f"Discord could not be reached{while_} ({type(error).__name__}: {error}); spoc tries again."
    return f"Discord failed{while_}: {type(error).__name__}: {error}."


def _http(error: discord.HTTPException, *, while_: str, where: str, doing: str,
          application_id: int | str | None) -> str:
    code = f"{error.code} {_reason(error)}" if error.code else f"HTTP {error.status}"
    if error.code == MISSING_ACCESS and "/desk" in doing:
        return (f"Discord refused {doing} ({code}): the bot was invited without the applications.commands "
                f"scope there. Invite it again with {invite_url(application_id)} (it keeps its roles), or set "
                "discord.commands: global.")
    if error.code == MISSING_ACCESS:
        return (f"spoc cannot see {where} ({code}){while_}: in that channel's settings -> Permissions, add "
                "spoc's role with View Channel (or invite the bot to that server).")
    if error.code == MISSING_PERMISSIONS:
        return (f"spoc lacks a permission in {where} ({code}){while_}: in that channel's settings -> "
                f"Permissions, allow spoc's role {', '.join(NEEDED_IN_CHANNELS)}.")
    if error.code == UNKNOWN_CHANNEL:
        return (f"Discord has no {where} ({code}){while_}: correct the id in the config (Developer Mode -> "
                "right click the channel -> Copy Channel ID).")
    if error.code == CANNOT_DM:
        return f"Discord refused a direct message ({code}){while_}: the person does not accept them from the server."
    return f"Discord refused{while_}: {describe(error)}."


def _reason(error: discord.HTTPException) -> str:
    return {MISSING_ACCESS: "Missing Access", MISSING_PERMISSIONS: "Missing Permissions",
            UNKNOWN_CHANNEL: "Unknown Channel", CANNOT_DM: "Cannot send messages to this user"}.get(
        error.code, error.text or "")


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


def failure(error: BaseException, *, channel: str = "") -> DeliveryFailed:
    """The DeliveryFailed for anything the Discord client raised while delivering."""
    if isinstance(error, discord.RateLimited):
        return DeliveryFailed(f"rate limited: {error}", retry_after=error.retry_after)
    if isinstance(error, discord.HTTPException):
        if error.status == 429:
            return DeliveryFailed(f"rate limited: {describe(error)}", retry_after=retry_after(error))
        if error.status in PERMANENT_STATUSES:
            return DeliveryFailed(explain(error, channel=channel), permanent=True)
        return DeliveryFailed(describe(error))
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError | discord.GatewayNotFound):
        return DeliveryFailed(f"network: {type(error).__name__}: {error}")
    return DeliveryFailed(f"{type(error).__name__}: {error}")
