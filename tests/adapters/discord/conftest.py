"""The real Discord adapter (discord.py 2.7 client, gateway and REST) against the local Discord stand-in,
on a real SQLite database, with the outbox delivered by the real dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from adapters.discord.app import DiscordAdapter
from adapters.discord.settings import DiscordSettings
from bot.dispatcher import Dispatcher
from core.clock import SystemClock
from core.context import DeskDeps, Routes
from core.delivery import Destination, Messenger
from core.knowledge import NoKnowledgeBase
from core.outbox import RetryPolicy
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database
from tests.conftest import shared_data
from tests.integration.helpers import tickets
from tests.standins.discord_payloads import (
    AGENT,
    AGENT_ROLE_ID,
    AGENTS_CHANNEL_ID,
    EMPLOYEE,
    GUILD_ID,
    HELPDESK_CHANNEL_ID,
    FakeUser,
    button_interaction,
    message_create,
    modal_submit_interaction,
    slash_command_interaction,
)
from tests.standins.discord_standin import DiscordStandIn, discord_spec_path
from tests.waiting import eventually

TIMEOUT = 10.0
SEND = "POST /channels/{channel_id}/messages"
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"
NEW_THREAD = "POST /channels/{channel_id}/threads"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOWUP = "POST /webhooks/{webhook_id}/{webhook_token}"
HELPDESK, TRIAGE = HELPDESK_CHANNEL_ID, AGENTS_CHANNEL_ID


def require_discord_data() -> None:
    shared_data("discord", "payloads")
    if not discord_spec_path().exists():
        pytest.skip(f"Discord's OpenAPI spec not found at {discord_spec_path()}")


def discord_settings(srv: DiscordStandIn, **overrides: Any) -> DiscordSettings:
    values: dict[str, Any] = {
        "bot_token": srv.token, "api_url": srv.api_url, "guilds": (str(GUILD_ID),),
        "intake_channels": (str(HELPDESK),), "triage_channel": str(TRIAGE), "agent_role": str(AGENT_ROLE_ID),
    }
    return DiscordSettings(**(values | overrides))


def runtime_config(srv: DiscordStandIn, database: str, extra: str = "") -> str:
    """A config file's text for `spoc run --adapter discord` against the stand-in."""
    return f"""
database: {{url: "{database}"}}
run: {{adapters: [discord]}}
kb: {{load_starter: false}}
discord:
  bot_token: ${{DISCORD_BOT_TOKEN}}
  api_url: {srv.api_url}
  guilds: ["{GUILD_ID}"]
  intake_channels: ["{HELPDESK}"]
  triage_channel: "{TRIAGE}"
  agent_role: "{AGENT_ROLE_ID}"
{extra}"""


@dataclass
class RunningAdapter:
    adapter: DiscordAdapter
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, TIMEOUT)
        await self.adapter.close()


async def start_adapter(srv: DiscordStandIn, *, desk: Desk, settings: DiscordSettings,
                        poke: Callable[[], None]) -> RunningAdapter:
    adapter = DiscordAdapter(desk=desk, settings=settings, poke=poke, guild_ready_timeout=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.run(stop))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not adapter.client.is_ready():
        if task.done():
            task.result()
        if loop.time() > deadline:
            stop.set()
            await asyncio.wait_for(task, TIMEOUT)
            raise AssertionError("the Discord adapter never became ready")
        await asyncio.sleep(0.02)
    return RunningAdapter(adapter=adapter, stop=stop, task=task)


@dataclass
class DiscordWorld:
    srv: DiscordStandIn
    desk: Desk
    dispatcher: Dispatcher
    running: RunningAdapter
    settings: DiscordSettings
    extra_messengers: dict[str, Messenger] = field(default_factory=dict)

    @property
    def adapter(self) -> DiscordAdapter:
        return self.running.adapter

    async def restart(self, **overrides: Any) -> None:
        """A new process, as far as Discord is concerned: a fresh client and adapter on the same database."""
        await self.running.close()
        self.settings = self.settings.model_copy(update=overrides)
        self.running = await start_adapter(self.srv, desk=self.desk, settings=self.settings,
                                           poke=self.dispatcher.poke)
        self.dispatcher.messengers["discord"] = self.adapter.messenger

    async def deliver(self) -> None:
        await asyncio.wait_for(self.dispatcher.drain(timeout=TIMEOUT), TIMEOUT + 5)

    async def report(self, text: str = "vpn keeps dropping since this morning's update", *,
                     author: FakeUser = EMPLOYEE, channel_id: int = HELPDESK, count: int = 1,
                     ) -> dict[str, Any]:
        payload = await self.say(text, channel_id=channel_id, author=author)
        await eventually(lambda: len(tickets(self.desk)) >= count, what="a ticket")
        return payload

    async def say(self, text: str, *, channel_id: int, author: FakeUser = EMPLOYEE) -> dict[str, Any]:
        """A person writes: Discord keeps the message (REST can read it) and dispatches MESSAGE_CREATE."""
        payload = message_create(content=text, author=author, channel_id=channel_id)
        self.keep(payload)
        await self.srv.dispatch("MESSAGE_CREATE", payload)
        return payload

    def keep(self, payload: dict[str, Any]) -> None:
        gateway_only = ("guild_id", "member", "nonce", "channel_type")
        kept = {k: v for k, v in payload.items() if k not in gateway_only}
        self.srv.world.messages[int(payload["id"])] = kept

    def command_id(self) -> int:
        return int(next(c["id"] for c in self.srv.world.guild_commands[GUILD_ID] if c["name"] == "desk"))

    async def slash(self, subcommand: str, *, options: dict[str, str] | None = None, group: str | None = None,
                    user: FakeUser = AGENT, channel_id: int = HELPDESK) -> dict[str, Any]:
        payload = slash_command_interaction(subcommand=subcommand, group=group, options=options, user=user,
                                            command_id=self.command_id(), command_guild_id=GUILD_ID,
                                            channel_id=channel_id)
        await self.srv.send_interaction(payload)
        return payload

    async def press(self, message: dict[str, Any], custom_id: str, *, user: FakeUser = AGENT
                    ) -> dict[str, Any]:
        payload = button_interaction(custom_id=custom_id, message=message, user=user,
                                     channel_id=int(message["channel_id"]))
        await self.srv.send_interaction(payload)
        return payload

    async def submit(self, custom_id: str, values: dict[str, str], *, user: FakeUser = AGENT,
                     channel_id: int = TRIAGE) -> dict[str, Any]:
        """A modal's answers, by field name, as labels hold them (the forms spoc sends are built of labels)."""
        payload = modal_submit_interaction(custom_id=custom_id, values=values, user=user, channel_id=channel_id,
                                           labels=True)
        await self.srv.send_interaction(payload)
        return payload

    async def answer_to(self, interaction: dict[str, Any]) -> dict[str, Any]:
        """The message that answered an interaction once its "thinking..." state is gone."""
        def found() -> dict[str, Any] | None:
            for message in self.srv.world.messages.values():
                meta = message.get("interaction_metadata") or {}
                if meta.get("id") == interaction["id"] and not int(message.get("flags", 0)) & (1 << 7):
                    return message
            return None

        return await eventually(found, what=f"the answer to interaction {interaction['id']}")

    def sent(self, route: str = SEND, *, channel_id: int | None = None) -> list[dict[str, Any]]:
        calls = [c for c in self.srv.calls_to(route) if 200 <= c.status < 300]
        if channel_id is not None:
            calls = [c for c in calls if c.path.startswith(f"/channels/{channel_id}/")]
        return [c.json for c in calls]

    def private_threads(self) -> list[dict[str, Any]]:
        return [c for c in self.srv.world.channels.values() if c["type"] == 12]

    def thread_messages(self) -> list[dict[str, Any]]:
        [thread] = self.private_threads()
        return self.srv.messages_in(int(thread["id"]))

    def card(self) -> dict[str, Any]:
        """The triage card (interaction answers shown in that channel are not it)."""
        [card] = [m for m in self.srv.messages_in(TRIAGE) if "interaction_metadata" not in m]
        return card


def embed_text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(p for p in parts if p)


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [b["custom_id"] for row in message.get("components") or [] for b in row["components"]]


def desk_for(db: Database, *, platforms: tuple[str, ...], triage: tuple[Destination, ...],
             settings: DeskSettings | None = None) -> Desk:
    desk = Desk(db=db, deps=DeskDeps(settings=settings or DeskSettings(), knowledge=NoKnowledgeBase(),
                                     routes=Routes(triage=triage), platforms=frozenset(platforms)),
                clock=SystemClock())
    desk.setup()
    return desk


def fast_dispatcher(db: Database) -> Dispatcher:
    return Dispatcher(db=db, messengers={}, clock=SystemClock(),
                      policy=RetryPolicy(max_attempts=3, base_delay=0.2, max_delay=1.0))


@pytest.fixture
def discord_desk_settings() -> DeskSettings | None:
    """The desk's settings in the Discord world (a test module may bring its own; None: the usual ones)."""
    return None


@pytest.fixture
async def world(sqlite_url: str, discord_desk_settings: DeskSettings | None) -> AsyncIterator[DiscordWorld]:
    async with discord_world(sqlite_url, settings=discord_desk_settings) as made:
        yield made


@asynccontextmanager
async def discord_world(sqlite_url: str, *, storm_backlog: int = 0, settings: DeskSettings | None = None
                        ) -> AsyncIterator[DiscordWorld]:
    """The world; with `storm_backlog`, Discord's channels can be outpaced by reports (core/storms.py)."""
    require_discord_data()
    async with DiscordStandIn() as srv:
        db = Database(sqlite_url)
        desk = Desk(db=db, deps=DeskDeps(settings=settings or DeskSettings(storm_backlog=storm_backlog),
                                         knowledge=NoKnowledgeBase(), platforms=frozenset({"discord"}),
                                         routes=Routes(triage=(Destination("discord", str(TRIAGE)),)),
                                         paced=frozenset({"discord"}) if storm_backlog else frozenset()),
                    clock=SystemClock())
        desk.setup()
        dispatcher = fast_dispatcher(db)
        settings = discord_settings(srv)
        running = await start_adapter(srv, desk=desk, settings=settings, poke=dispatcher.poke)
        dispatcher.messengers["discord"] = running.adapter.messenger
        built = DiscordWorld(srv=srv, desk=desk, dispatcher=dispatcher, running=running, settings=settings)
        try:
            yield built
        finally:
            await built.running.close()
            db.dispose()
