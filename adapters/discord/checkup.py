"""`spoc doctor` for Discord, and the channel check at start: the token (GET /users/@me), the gateway with
the MESSAGE CONTENT intent, each server in `discord.guilds` (and its applications.commands scope), and
spoc's permissions in every configured channel."""

from __future__ import annotations

import asyncio
import contextlib

import discord

from adapters.discord.app import Endpoints, build_client, find_gateway
from adapters.discord.errors import explain, invite_url
from adapters.discord.permissions import channel_check
from adapters.discord.settings import DiscordSettings
from core.checkup import Check, failed, passed

READY_TIMEOUT = 20.0


async def checkup(settings: DiscordSettings, channels: dict[str, str], *, ready_timeout: float = READY_TIMEOUT
                  ) -> list[Check]:
    client = build_client(settings, guild_ready_timeout=1.0)
    endpoints = Endpoints(settings.api_url)
    connection: asyncio.Task[None] | None = None
    try:
        try:
            await client.login(settings.bot_token)
        except (discord.LoginFailure, discord.HTTPException) as error:
            return [failed("discord bot token", explain(error, doing="checking the token (GET /users/@me)"))]
        checks = [passed("discord bot token", f"valid: {client.user} (GET /users/@me)")]
        await find_gateway(client, settings, endpoints)
        connection = asyncio.create_task(client.connect(reconnect=False))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({connection, ready}, timeout=ready_timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if connection in done and connection.exception() is not None:
            return [*checks, failed("discord gateway", explain(connection.exception()))]  # type: ignore[arg-type]
        if ready not in done:
            return [*checks, failed("discord gateway", f"no READY from the gateway within {ready_timeout:g} s: "
                                                       "check the network (and discord.gateway_url).")]
        checks.append(passed("discord gateway", "connected with the MESSAGE CONTENT intent"))
        checks += [await _guild(client, settings, guild_id) for guild_id in settings.guilds]
        checks += [channel_check(client, channel, key) for channel, key in channels.items()]
        return checks
    finally:
        await client.close()
        if connection is not None:
            connection.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await connection
        endpoints.restore()


async def _guild(client: discord.Client, settings: DiscordSettings, guild_id: str) -> Check:
    name = f"discord server {guild_id} (discord.guilds)"
    guild = client.get_guild(int(guild_id))
    if guild is None:
        return failed(name, f"spoc is not in server {guild_id}: invite it with {invite_url(client.application_id)}, "
                            "or correct the id (Developer Mode -> right click the server -> Copy Server ID).")
    role = ""
    if settings.agent_role and guild.get_role(int(settings.agent_role)) is None:
        role = f"; its roles do not include discord.agent_role {settings.agent_role}"
    if settings.commands_in_guilds and client.application_id is not None:
        try:
            await client.http.get_guild_commands(client.application_id, guild.id)
        except discord.HTTPException as error:
            return failed(name, explain(error, doing=f"registering /desk in {guild.name}",
                                        application_id=client.application_id))
    if role:
        return failed(name, f"{guild.name}: spoc is in it{role}: copy the agents' role id (Server Settings -> "
                            "Roles -> right click -> Copy Role ID).")
    return passed(name, f"{guild.name}: spoc is in it" + (", /desk can be registered" if settings.commands_in_guilds
                                                          else ""))
