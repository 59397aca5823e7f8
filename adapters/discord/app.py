"""The Discord adapter: a discord.py client (gateway and REST) with `/desk` commands, and its messenger."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from adapters.discord.commands import desk_group, plan_change_command
from adapters.discord.components import ButtonHandler, DeskButton
from adapters.discord.errors import explain
from adapters.discord.interactions import DeskInteractions
from adapters.discord.listeners import MessageListeners
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.people import PLATFORM, DiscordDirectory
from adapters.discord.permissions import channel_problems
from adapters.discord.roles import agents_sync_job
from adapters.discord.settings import DiscordSettings
from adapters.discord.threads import ThreadBook
from core.connection import ConnectionFailed
from core.desk.registry import VERBS
from core.refs import TicketRef
from core.service import Desk
from core.text import inert

log = logging.getLogger(__name__)
CHOICES = 25
CHOICE_NAME = 100
MAX_RATE_LIMIT_WAIT = 30.0  # longer waits go back to the outbox, which obeys them without holding a slot


def _intents() -> discord.Intents:
    # Asked for by every client before discord.py builds it, which warns about voice libraries otherwise.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # spoc has no voice
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True  # privileged: enabled on the Developer Portal's Bot page
    return intents


class _SpocClientParts:
    """What spoc adds to discord.py's client: the intents it uses, no pings unless a message allows them,
    the `/desk` command tree, and `on_desk_button`, which the persistent buttons call."""

    def _spoc_setup(self) -> None:
        self.tree = app_commands.CommandTree(self)  # type: ignore[arg-type]
        self.on_desk_button: ButtonHandler | None = None
        self.setup_steps: list[Callable[[], Awaitable[None]]] = []

    async def setup_hook(self) -> None:
        # Once per client: a login after a failed connection must not register /desk a second time.
        steps, self.setup_steps = self.setup_steps, []
        for step in steps:
            await step()


class SpocClient(_SpocClientParts, discord.Client):
    """One gateway connection: the only worker on this bot."""

    def __init__(self, *, application_id: str = "", guild_ready_timeout: float = 2.0) -> None:
        super().__init__(intents=_intents(), allowed_mentions=discord.AllowedMentions.none(),
                         application_id=int(application_id) if application_id else None,
                         guild_ready_timeout=guild_ready_timeout, max_ratelimit_timeout=MAX_RATE_LIMIT_WAIT)
        self._spoc_setup()


class ShardedSpocClient(_SpocClientParts, discord.AutoShardedClient):
    """The gateway shards this worker owns (`discord.shard_ids` of `discord.shard_count`); the other
    workers own the rest, so each server's events reach one worker."""

    def __init__(self, *, shard_ids: tuple[int, ...], shard_count: int, application_id: str = "",
                 guild_ready_timeout: float = 2.0) -> None:
        super().__init__(intents=_intents(), allowed_mentions=discord.AllowedMentions.none(),
                         application_id=int(application_id) if application_id else None,
                         guild_ready_timeout=guild_ready_timeout, max_ratelimit_timeout=MAX_RATE_LIMIT_WAIT,
                         shard_ids=list(shard_ids or range(shard_count)), shard_count=shard_count)
        self._spoc_setup()


def build_client(settings: DiscordSettings, *, guild_ready_timeout: float) -> SpocClient | ShardedSpocClient:
    if settings.shard_count is None:
        return SpocClient(application_id=settings.application_id, guild_ready_timeout=guild_ready_timeout)
    return ShardedSpocClient(shard_ids=settings.shard_ids, shard_count=settings.shard_count,
                             application_id=settings.application_id, guild_ready_timeout=guild_ready_timeout)


class Endpoints:
    """discord.py keeps its REST base and gateway URL as class attributes, shared by every client in the
    process: set them from the config while this adapter runs, and put them back after."""

    def __init__(self, api_url: str) -> None:
        self._previous = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = api_url.rstrip("/")

    @staticmethod
    def use_gateway(url: str) -> None:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

    def restore(self) -> None:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._previous


async def find_gateway(client: discord.Client, settings: DiscordSettings, endpoints: Endpoints) -> None:
    if settings.gateway_url:
        endpoints.use_gateway(settings.gateway_url)
    elif settings.custom_api:
        # The API names its own gateway (GET /gateway), as Discord's does.
        found: dict[str, Any] = await client.http.request(discord.http.Route("GET", "/gateway"))
        endpoints.use_gateway(str(found["url"]))


class DiscordAdapter:
    platform = PLATFORM

    def __init__(self, *, desk: Desk, settings: DiscordSettings, poke: Callable[[], None],
                 guild_ready_timeout: float = 2.0) -> None:
        self.desk = desk
        self.settings = settings
        self.channels = settings.channels() | desk.deps.settings.channels_on(PLATFORM)
        self._endpoints: Endpoints | None = None
        self.client = build_client(settings, guild_ready_timeout=guild_ready_timeout)
        private_in = frozenset(settings.intake_channels) if settings.private_threads else frozenset()
        self.threads = ThreadBook(self.client, private_in=private_in, lookup=self._ticket_ref)
        self.directory = DiscordDirectory(self.client, agent_role=settings.agent_role,
                                          guild_ids=settings.guilds)
        self.messenger = DiscordMessenger(self.client, threads=self.threads)
        self.jobs = (agents_sync_job(desk=desk, directory=self.directory),)
        self.listeners = MessageListeners(desk=desk, settings=settings, directory=self.directory,
                                          threads=self.threads, poke=poke)
        self.interactions = DeskInteractions(desk=desk, directory=self.directory, threads=self.threads,
                                             poke=poke)
        self.client.on_desk_button = self.interactions.on_button
        for handler in (self.listeners.on_message, self.listeners.on_raw_message_edit,
                        self.listeners.on_raw_message_delete, self.interactions.on_interaction):
            self.client.event(self.listeners.tracked(handler))
        if settings.registers_commands:
            self.client.setup_steps.append(self._install_commands)
        else:
            self.client.setup_steps.append(self._install_buttons)

    def routes(self) -> list[Any]:
        return []  # everything comes through the gateway

    def connected(self) -> bool:
        """Ready, and every gateway socket open (not between a drop and its resume)."""
        if not self.client.is_ready() or self.client.is_closed():
            return False
        if isinstance(self.client, discord.AutoShardedClient):
            return all(not shard.is_closed() for shard in self.client.shards.values())
        return self.client.ws is not None and self.client.ws.open

    async def run(self, stop: asyncio.Event) -> None:
        """Take events until `stop`; then close the gateway (no more events), finish the work in hand and
        return with the REST client still open, for the outbox's last deliveries (`close` ends it).
        A connection that ends against our will raises ConnectionFailed; discord.py itself resumes or
        reconnects after the ordinary drops."""
        self._endpoints = self._endpoints or Endpoints(self.settings.api_url)
        connection: asyncio.Task[None] | None = None
        checked: asyncio.Task[None] | None = None
        try:
            await self.client.login(self.settings.bot_token)
            await find_gateway(self.client, self.settings, self._endpoints)
            connection = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
            checked = asyncio.create_task(self._warn_about_channels(), name="discord-channel-check")
            stopped = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait({connection, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if connection in done:
                connection.result()
                raise ConnectionFailed("the Discord gateway connection ended")
            await self._close_gateway(connection)
            await self.listeners.settle()
        except (discord.LoginFailure, discord.PrivilegedIntentsRequired, discord.ConnectionClosed) as error:
            # With reconnect on, discord.py raises these only for what no retry can mend.
            await self._abandon(connection)
            raise ConnectionFailed(self.explain_failure(error), permanent=True) from None
        except (TimeoutError, discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, OSError) as error:
            await self._abandon(connection)
            raise ConnectionFailed(f"cannot reach Discord: {type(error).__name__}: {error}") from None
        except BaseException:
            await self._abandon(connection)
            raise
        finally:
            if checked is not None:
                checked.cancel()

    async def close(self) -> None:
        """End the REST client too; a later `run` opens everything afresh."""
        await self.client.close()
        self.client.clear()
        # Closing the session closed its connector too; the next login must open a new one, not reuse it.
        self.client.http.connector = discord.utils.MISSING
        if self._endpoints is not None:
            self._endpoints.restore()
            self._endpoints = None

    async def _close_gateway(self, connection: asyncio.Task[None]) -> None:
        connection.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await connection
        if isinstance(self.client, discord.AutoShardedClient):
            for shard in self.client.shards.values():
                await shard.disconnect()
        elif self.client.ws is not None:
            await self.client.ws.close(code=1000)

    async def _abandon(self, connection: asyncio.Task[None] | None) -> None:
        if connection is not None:
            connection.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await connection
        await self.close()

    def explain_failure(self, error: BaseException) -> str:
        """The one line that says why this adapter stopped and what to switch on where."""
        return explain(error, application_id=self.client.application_id)

    async def _warn_about_channels(self) -> None:
        """Say once connected which configured channel spoc cannot work in, rather than dead-letter there later."""
        await self.client.wait_until_ready()
        for problem in channel_problems(self.client, self.channels):
            log.warning("%s", problem)

    async def _install_buttons(self) -> None:
        self.client.add_dynamic_items(DeskButton)

    async def _install_commands(self) -> None:
        await self._install_buttons()
        tree = self.client.tree
        tree.add_command(desk_group(VERBS, runner=self.interactions.run_command, suggest=self._suggest,
                                    description=self.desk.deps.settings.name))
        tree.add_command(plan_change_command(self.interactions.open_change_form))
        in_guilds = self.settings.commands_in_guilds
        try:
            if not in_guilds:
                await tree.sync()  # everywhere, direct messages included
            for guild_id in self.settings.guilds:
                guild = discord.Object(int(guild_id))
                if in_guilds:
                    tree.copy_global_to(guild=guild)
                else:
                    tree.clear_commands(guild=guild)  # no second copy beside the global one
                await tree.sync(guild=guild)
        except discord.HTTPException as error:
            log.error("%s", explain(error, doing="registering /desk", application_id=self.client.application_id))

    async def _ticket_ref(self, key: str) -> TicketRef | None:
        return await asyncio.to_thread(self.desk.ticket_ref, key)

    async def _suggest(self, interaction: discord.Interaction[Any], current: str
                       ) -> list[app_commands.Choice[str]]:
        author = await self.directory.author(interaction.user)
        refs = await asyncio.to_thread(self.desk.suggest_keys, author, current, limit=CHOICES)
        return [app_commands.Choice(name=_choice_name(f"{ref.key} \u00b7 {ref.title}"), value=ref.key)
                for ref in refs]


def _choice_name(text: str) -> str:
    text = " ".join(inert(text).split())
    return text if len(text) <= CHOICE_NAME else text[: CHOICE_NAME - 1] + "\u2026"
