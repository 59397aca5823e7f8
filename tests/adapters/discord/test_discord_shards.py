"""Several workers on one Discord bot: each connects the shards its config names, and one registers /desk."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapters.discord.app import ShardedSpocClient, SpocClient
from adapters.discord.settings import DiscordSettings
from tests.adapters.discord.conftest import DiscordWorld, tickets

COMMANDS = "PUT /applications/{application_id}/guilds/{guild_id}/commands"


async def test_a_worker_identifies_with_its_shard_and_takes_reports(world: DiscordWorld) -> None:
    await world.restart(shard_ids=(0,), shard_count=1)
    assert isinstance(world.adapter.client, ShardedSpocClient)
    assert world.srv.gateway.shard == [0, 1]
    await world.report()
    assert len(tickets(world.desk)) == 1


async def test_only_the_worker_with_shard_zero_registers_desk(world: DiscordWorld) -> None:
    registered = len(world.srv.calls_to(COMMANDS))
    await world.restart(shard_ids=(1,), shard_count=2)
    assert world.srv.gateway.shard == [1, 2]
    assert len(world.srv.calls_to(COMMANDS)) == registered
    await world.restart(shard_ids=(0,), shard_count=2)
    assert len(world.srv.calls_to(COMMANDS)) == registered + 1


def test_an_unsharded_worker_is_one_plain_connection() -> None:
    from adapters.discord.app import build_client

    assert type(build_client(DiscordSettings(), guild_ready_timeout=1)) is SpocClient


@pytest.mark.parametrize(("values", "words"), [
    ({"shard_ids": [0, 1]}, "shard_ids needs shard_count"),
    ({"shard_ids": [3], "shard_count": 2}, "outside 0..1"),
    ({"shard_ids": [1, 1], "shard_count": 2}, "twice"),
    ({"shard_count": 0}, "greater than or equal to 1"),
])
def test_shard_settings_that_cannot_work_are_refused_with_the_reason(values: dict, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        DiscordSettings(**values)


def test_shards_can_come_from_one_environment_variable_per_worker() -> None:
    settings = DiscordSettings(shard_ids="2, 3", shard_count="4")
    assert settings.shard_ids == (2, 3) and settings.shard_count == 4
    assert not settings.registers_commands
    assert DiscordSettings(shard_ids="", shard_count="").shard_count is None
