"""`spoc doctor` for Discord against the stand-in (REST and gateway): token, MESSAGE CONTENT intent, servers
and their applications.commands scope, and spoc's permissions in each configured channel. And the same
channel check when the adapter starts, and the one-line wording of each Discord refusal."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import discord
import pytest

from adapters.discord.checkup import checkup
from adapters.discord.errors import explain
from core.checkup import Check
from tests.adapters.discord.conftest import (
    HELPDESK,
    TRIAGE,
    desk_for,
    discord_settings,
    fast_dispatcher,
    require_discord_data,
    start_adapter,
)
from tests.standins.discord_payloads import (
    APPLICATION_ID,
    BOT_ROLE_ID,
    GUILD_ID,
    INTENT_MESSAGE_CONTENT,
    SEND_MESSAGES,
    overwrite,
)
from tests.standins.discord_standin import DiscordStandIn

CHANNELS = {str(HELPDESK): "discord.intake_channels", str(TRIAGE): "discord.triage_channel"}
INVITE = (f"https://discord.com/oauth2/authorize?client_id={APPLICATION_ID}&scope=bot%20applications.commands"
          "&permissions=397284592640")


def lines(checks: list[Check]) -> list[str]:
    return [check.line() for check in checks]


async def test_a_healthy_discord_installation_passes_every_check() -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        checks = await checkup(discord_settings(srv), CHANNELS, ready_timeout=10)
        assert lines(checks) == [
            "ok    discord bot token: valid: spoc (GET /users/@me)",
            "ok    discord gateway: connected with the MESSAGE CONTENT intent",
            f"ok    discord server {GUILD_ID} (discord.guilds): Acme: spoc is in it, /desk can be registered",
            f"ok    discord channel {HELPDESK} (discord.intake_channels): #helpdesk in Acme: spoc can read, post and "
            "open threads",
            f"ok    discord channel {TRIAGE} (discord.triage_channel): #it-agents in Acme: spoc can read, post and "
            "open threads",
        ]
        srv.assert_calls_match_spec()


async def test_a_missing_message_content_intent_says_where_to_switch_it_on() -> None:
    require_discord_data()
    async with DiscordStandIn(allowed_intents=0) as srv:
        checks = await checkup(discord_settings(srv), CHANNELS, ready_timeout=10)
    assert lines(checks)[-1] == (
        "FAIL  discord gateway: Discord refused the MESSAGE CONTENT intent (gateway close 4014): switch it on at "
        "Developer Portal -> your application -> Bot -> Privileged Gateway Intents -> MESSAGE CONTENT INTENT, then "
        "start spoc again.")


async def test_a_refused_token_says_where_to_get_a_new_one() -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        checks = await checkup(discord_settings(srv, bot_token="MTE4.wrong.token"), CHANNELS, ready_timeout=10)
    assert lines(checks) == [
        "FAIL  discord bot token: Discord refused the bot token (401 Unauthorized) while checking the token (GET "
        "/users/@me): copy a new one from Developer Portal -> your application -> Bot -> Reset Token into "
        "DISCORD_BOT_TOKEN."]


async def test_a_server_without_the_commands_scope_and_a_channel_without_permissions_are_named() -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        srv.world.guilds_without_commands_scope.add(GUILD_ID)
        srv.world.channels[HELPDESK]["permission_overwrites"] = [overwrite(target_id=BOT_ROLE_ID, deny=SEND_MESSAGES)]
        checks = await checkup(discord_settings(srv), CHANNELS | {"1180000000000000999": "desk.teams[network]"},
                               ready_timeout=10)
    failures = [line for line in lines(checks) if line.startswith("FAIL")]
    assert failures == [
        f"FAIL  discord server {GUILD_ID} (discord.guilds): Discord refused registering /desk in Acme (50001 Missing "
        f"Access): the bot was invited without the applications.commands scope there. Invite it again with {INVITE} "
        "(it keeps its roles), or set discord.commands: global.",
        # Discord takes Embed Links and Attach Files away with Send Messages
        f"FAIL  discord channel {HELPDESK} (discord.intake_channels): spoc lacks Send Messages, Embed Links, Attach "
        "Files in #helpdesk in Acme: in that channel's settings -> Permissions, allow them for spoc's role.",
        "FAIL  discord channel 1180000000000000999 (desk.teams[network]): spoc cannot see channel 1180000000000000999: "
        f"invite the bot to its server ({INVITE}), give its role View Channel there, or correct the id (Developer "
        "Mode -> right click the channel -> Copy Channel ID).",
    ]


async def test_a_server_spoc_is_not_in_is_named_with_the_invite_link() -> None:
    require_discord_data()
    async with DiscordStandIn() as srv:
        checks = await checkup(discord_settings(srv, guilds=("1180000000000000777",)), {}, ready_timeout=10)
    assert lines(checks)[-1] == (
        f"FAIL  discord server 1180000000000000777 (discord.guilds): spoc is not in server 1180000000000000777: invite "
        f"it with {INVITE}, or correct the id (Developer Mode -> right click the server -> Copy Server ID).")


async def test_the_adapter_warns_at_start_about_a_channel_it_cannot_post_in(
        sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    require_discord_data()
    from core.storage.database import Database

    async with DiscordStandIn() as srv:
        srv.world.channels[TRIAGE]["permission_overwrites"].append(overwrite(target_id=BOT_ROLE_ID,
                                                                             deny=SEND_MESSAGES))
        db = Database(sqlite_url)
        desk = desk_for(db, platforms=("discord",), triage=())
        with caplog.at_level(logging.WARNING, logger="adapters.discord.app"):
            running = await start_adapter(srv, desk=desk, settings=discord_settings(srv),
                                          poke=fast_dispatcher(db).poke)
            try:
                for _ in range(100):
                    if any("lacks Send Messages" in r.getMessage() for r in caplog.records):
                        break
                    await asyncio.sleep(0.02)
            finally:
                await running.close()
                db.dispose()
    assert [r.getMessage() for r in caplog.records if "lacks" in r.getMessage()] == [
        "spoc lacks Send Messages, Embed Links, Attach Files in #it-agents in Acme: in that channel's settings -> "
        "Permissions, allow them for spoc's role."]


@dataclass
class _Response:
    status: int
    reason: str = "Error"
    headers: dict[str, str] | None = None


def _http_error(status: int, code: int, message: str) -> discord.HTTPException:
    return discord.HTTPException(_Response(status), {"code": code, "message": message})


def test_each_discord_refusal_is_one_line_saying_what_to_switch_on_where() -> None:
    assert explain(_http_error(403, 50013, "Missing Permissions"), channel="123", doing="posting a card") == (
        "spoc lacks a permission in channel 123 (50013 Missing Permissions) while posting a card: in that channel's "
        "settings -> Permissions, allow spoc's role View Channel, Send Messages, Send Messages in Threads, Create "
        "Private Threads, Embed Links, Attach Files, Read Message History.")
    assert explain(_http_error(403, 50001, "Missing Access"), channel="123") == (
        "spoc cannot see channel 123 (50001 Missing Access): in that channel's settings -> Permissions, add spoc's "
        "role with View Channel (or invite the bot to that server).")
    assert explain(_http_error(403, 50001, "Missing Access"), doing="registering /desk in server 9",
                   application_id=42).startswith(
        "Discord refused registering /desk in server 9 (50001 Missing Access): the bot was invited without the "
        "applications.commands scope there. Invite it again with https://discord.com/oauth2/authorize?client_id=42")
    assert explain(discord.ConnectionClosed(_Socket(4014), shard_id=None)).startswith(
        "Discord refused the MESSAGE CONTENT intent (gateway close 4014): switch it on at Developer Portal")
    assert "\n" not in explain(_http_error(404, 10003, "Unknown Channel"), channel="5")


@dataclass
class _Socket:
    close_code: int


def test_intent_constant_is_the_one_discord_documents() -> None:
    assert INTENT_MESSAGE_CONTENT == discord.Intents(message_content=True).value


async def test_the_adapter_stops_on_a_missing_intent_with_one_line_saying_where_to_switch_it_on(
        sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    require_discord_data()
    from adapters.discord.app import DiscordAdapter
    from core.connection import ConnectionFailed
    from core.storage.database import Database

    async with DiscordStandIn(allowed_intents=0) as srv:
        db = Database(sqlite_url)
        desk = desk_for(db, platforms=("discord",), triage=())
        adapter = DiscordAdapter(desk=desk, settings=discord_settings(srv), poke=lambda: None,
                                 guild_ready_timeout=0.05)
        with caplog.at_level(logging.ERROR, logger="adapters.discord.app"), \
                pytest.raises(ConnectionFailed) as stopped:
            await asyncio.wait_for(adapter.run(asyncio.Event()), 10)
        db.dispose()
    assert stopped.value.permanent and stopped.value.reason == (
        "Discord refused the MESSAGE CONTENT intent (gateway close 4014): switch it on at Developer Portal -> your "
        "application -> Bot -> Privileged Gateway Intents -> MESSAGE CONTENT INTENT, then start spoc again.")
    assert caplog.records == []  # the line is the process's last word (the CLI prints it), said once


async def test_commands_global_registers_desk_everywhere_and_leaves_no_copy_in_the_servers(sqlite_url: str) -> None:
    require_discord_data()
    from core.storage.database import Database

    async with DiscordStandIn() as srv:
        srv.world.guild_commands[GUILD_ID] = [{"id": "1", "name": "desk", "type": 1}]  # from an earlier guild setup
        db = Database(sqlite_url)
        desk = desk_for(db, platforms=("discord",), triage=())
        running = await start_adapter(srv, desk=desk, settings=discord_settings(srv, commands="global"),
                                      poke=lambda: None)
        try:
            for _ in range(200):
                if srv.world.global_commands:
                    break
                await asyncio.sleep(0.02)
        finally:
            await running.close()
            db.dispose()
        assert {c["name"] for c in srv.world.global_commands} == {"desk", "plan-change"}
        assert srv.world.guild_commands[GUILD_ID] == []
        srv.assert_calls_match_spec()


def test_commands_per_guild_without_guilds_is_a_config_problem() -> None:
    from bot.config import parse_config

    config = parse_config("run: {adapters: [discord]}\ndiscord:\n  commands: guild\n",
                          environ={"DISCORD_BOT_TOKEN": "MTE4.abc.def"})
    assert [str(p) for p in config.run_problems()] == [
        "discord.guilds: commands: guild registers /desk in each server listed here, and none is: add your server "
        "ids, or set discord.commands: global"]
