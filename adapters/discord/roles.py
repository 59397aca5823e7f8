"""The scheduled sync of agents with the Discord role that makes them (`discord.agent_role`): every account
the desk holds as an agent is asked about afresh; a member who newly holds the role counts at their next
message (a bot without the members intent cannot list a role's members)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.discord.people import PLATFORM, DiscordDirectory
from core.scheduling.jobs import LoopJob
from core.service import Desk

EVERY = timedelta(minutes=5)


def agents_sync_job(*, desk: Desk, directory: DiscordDirectory) -> LoopJob:
    async def sync(_runner: object) -> None:
        held = await asyncio.to_thread(desk.agent_accounts, PLATFORM)
        verdicts = await directory.verdicts(held)  # accounts Discord could not be asked about keep their role
        await asyncio.to_thread(desk.follow_platform_agents, PLATFORM, verdicts)

    return LoopJob("discord-agents", EVERY, sync)
