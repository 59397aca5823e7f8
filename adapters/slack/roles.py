"""The scheduled sync of agents with the Slack user group that makes them (`slack.agent_usergroup`)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.slack.people import PLATFORM, SlackDirectory
from core.scheduling.jobs import LoopJob
from core.service import Desk

EVERY = timedelta(minutes=5)


def agents_sync_job(*, desk: Desk, directory: SlackDirectory) -> LoopJob:
    async def sync(_runner: object) -> None:
        members = await directory.agent_ids(fresh=True)
        if members is None:  # Slack could not be asked: nobody is demoted for an outage
            return
        held = await asyncio.to_thread(desk.agent_accounts, PLATFORM)
        verdicts = {user_id: user_id in members for user_id in set(held) | members}
        await asyncio.to_thread(desk.follow_platform_agents, PLATFORM, verdicts)

    return LoopJob("slack-agents", EVERY, sync)
