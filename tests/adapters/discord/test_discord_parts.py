"""The adapter's parts that need no network: the command tree, settings, error decisions, readiness."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord import app_commands
from pydantic import ValidationError

from adapters.discord.commands import OVERFLOW, Shape, desk_group, shape_of
from adapters.discord.errors import failure, is_gone
from adapters.discord.messenger import DiscordMessenger
from adapters.discord.threads import ThreadBook, key_in_name
from bot.config import ConfigError, parse_config
from core.cards import Reply, text_card
from core.commands.params import Param, Text, TicketKey
from core.commands.syntax import Syntax
from core.delivery import Delivery, DeliveryFailed, Destination
from core.desk.permissions import ANYONE
from core.desk.registry import VERBS, Verb


async def _run(interaction: Any, verb: str, text: str, given: dict[str, object]) -> None:
    return None


async def _suggest(interaction: Any, current: str) -> list[app_commands.Choice[str]]:
    return []


def _verb(name: str, *params: Param) -> Verb:
    return Verb(syntax=Syntax(name, params), allow=ANYONE, handler=lambda ctx, **values: Reply("ok"))


def test_the_desk_group_mirrors_the_core_grammar_and_every_verb_is_reachable() -> None:
    group = desk_group(VERBS, runner=_run, suggest=_suggest)
    assert len(group.commands) <= 25
    reachable: set[str] = set()
    for command in group.commands:
        if isinstance(command, app_commands.Group):
            reachable |= {f"{command.name} {sub.name}" for sub in command.commands}
        elif command.name != OVERFLOW:
            reachable.add(command.name)
    spilled = set(VERBS) - reachable
    # `/desk more command:...` runs any /desk line: it must exist when some verb is not a subcommand.
    assert not spilled or any(c.name == OVERFLOW for c in group.commands), f"{sorted(spilled)} unreachable"
    for everyday in ("new", "mine", "claim", "resolve", "comment", "link", "help"):
        assert everyday in reachable
    kb = next(c for c in group.commands if c.name == "kb")
    assert isinstance(kb, app_commands.Group)
    assert {c.name for c in kb.commands} == {n.split()[1] for n in VERBS if n.startswith("kb ")}


def test_a_verbs_options_are_read_from_its_parameters() -> None:
    ticket = TicketKey(name="ticket")
    assert shape_of(VERBS["claim"]) == shape_of(_verb("claim", ticket)) == Shape(key="ticket", text="",
                                                                                 text_required=False)
    resolve = shape_of(_verb("resolve", ticket, Text(name="resolution", required=False)))
    assert resolve.key == "ticket" and resolve.text == "[RESOLUTION]" and not resolve.text_required
    hold = shape_of(VERBS["hold"])
    assert hold.text == "[until YYYY-MM-DD] REASON" and hold.text_required
    search = shape_of(VERBS["kb search"])
    assert not search.key and search.text_required
    assert shape_of(VERBS["problem link"]).key == "problem"


def test_more_than_25_verbs_spill_into_one_subcommand_that_takes_any_line() -> None:
    verbs = {f"verb{n}": _verb(f"verb{n}", TicketKey(name="ticket")) for n in range(30)}
    group = desk_group(verbs, runner=_run, suggest=_suggest)
    assert len(group.commands) == 25
    more = next(c for c in group.commands if c.name == OVERFLOW)
    assert isinstance(more, app_commands.Command)
    assert [p.name for p in more.parameters] == ["command"]
    assert "verb29" in more.description


def test_settings_name_the_wrong_key() -> None:
    with pytest.raises(ConfigError) as bad:
        parse_config("discord:\n  guilds: [general]\n", environ={})
    assert "discord.guilds" in str(bad.value) and "numeric Discord id" in str(bad.value)
    with pytest.raises(ConfigError) as bad:
        parse_config("discord:\n  bot_token: ${DISCORD_BOT_TOKEN}\n",
                     environ={"DISCORD_BOT_TOKEN": "Bot a.b.c"})
    assert "without the 'Bot ' prefix" in str(bad.value)
    config = parse_config("discord:\n  guilds: [112233445566778899]\n  triage_channel: 998877665544332211\n",
                          environ={})
    assert config.discord.guilds == ("112233445566778899",)
    assert config.discord.triage_channel == "998877665544332211"


def test_settings_refuse_a_gateway_that_is_not_a_websocket() -> None:
    from adapters.discord.settings import DiscordSettings

    with pytest.raises(ValidationError):
        DiscordSettings(gateway_url="http://example.com/ws")
    assert DiscordSettings(api_url="http://127.0.0.1:9/api/v10/").custom_api
    assert not DiscordSettings().custom_api


@dataclass
class _Response:
    status: int
    reason: str = "Error"
    headers: dict[str, str] | None = None


def _http_error(status: int, code: int, message: str, **headers: str) -> discord.HTTPException:
    return discord.HTTPException(_Response(status, headers=headers), {"code": code, "message": message})


def test_discords_answers_become_wait_retry_or_dead_letter() -> None:
    limited = failure(_http_error(429, 0, "You are being rate limited.", **{"Retry-After": "3"}))
    assert limited.retry_after == 3.0 and not limited.permanent
    assert failure(discord.RateLimited(42.0)).retry_after == 42.0
    unknown = failure(_http_error(404, 10003, "Unknown Channel"))
    assert unknown.permanent and "10003" in unknown.reason and "Unknown Channel" in unknown.reason
    assert failure(_http_error(403, 50013, "Missing Permissions")).permanent
    assert failure(_http_error(403, 50001, "Missing Access")).permanent
    assert not failure(_http_error(502, 0, "Bad Gateway")).permanent
    assert not failure(TimeoutError()).permanent
    assert is_gone(_http_error(404, 10003, "Unknown Channel"))
    assert not is_gone(_http_error(400, 50035, "Invalid Form Body"))


async def test_a_messenger_that_is_not_connected_asks_to_be_tried_again_later() -> None:
    client = discord.Client(intents=discord.Intents.none())
    threads = ThreadBook(client, private_in=frozenset(), lookup=lambda key: asyncio.sleep(0, None))
    messenger = DiscordMessenger(client, threads=threads, ready_timeout=0.05)
    delivery = Delivery(outbox_id=1, destination=Destination("discord", "1"), card=text_card("hello"))
    with pytest.raises(DeliveryFailed) as refused:
        await messenger.deliver(delivery)
    assert refused.value.retry_after is not None and not refused.value.permanent
    await client.close()


def test_a_ticket_thread_is_found_by_the_key_in_its_name() -> None:
    assert key_in_name("INC-42 \u00b7 vpn keeps dropping") == "INC-42"
    assert key_in_name("req-7 · new laptop") == "REQ-7"
    assert key_in_name("lunch plans") is None
