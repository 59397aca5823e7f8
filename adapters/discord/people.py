"""Who wrote: Discord users turned into authors. An agent is a member holding the configured role; in a
direct message (no member attached) the role is looked up in the configured guilds, cached for a while."""

from __future__ import annotations

import logging
import time
from typing import Any

import discord

from core.messages import Author

PLATFORM = "discord"
log = logging.getLogger(__name__)


class DiscordDirectory:
    def __init__(self, client: discord.Client, *, agent_role: str, guild_ids: tuple[str, ...],
                 ttl_seconds: float = 300) -> None:
        self.client = client
        self.agent_role = agent_role
        self.guild_ids = guild_ids
        self.ttl = ttl_seconds
        self._roles: dict[int, tuple[float, frozenset[str]]] = {}

    async def author(self, user: discord.User | discord.Member | Any) -> Author:
        return Author(platform=PLATFORM, user_id=str(user.id), display_name=str(user.display_name),
                      is_agent=await self._is_agent(user))

    async def _is_agent(self, user: discord.User | discord.Member | Any) -> bool:
        if not self.agent_role:
            return False
        if isinstance(user, discord.Member):
            return any(str(role.id) == self.agent_role for role in user.roles)
        return self.agent_role in await self._roles_in_guilds(int(user.id))

    async def _roles_in_guilds(self, user_id: int) -> frozenset[str]:
        cached = self._roles.get(user_id)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        roles: set[str] = set()
        for guild_id in self.guild_ids:
            guild = self.client.get_guild(int(guild_id))
            if guild is None:
                continue
            member = guild.get_member(user_id)
            if member is None:
                try:
                    member = await guild.fetch_member(user_id)
                except discord.NotFound:
                    continue
                except discord.HTTPException:
                    log.warning("could not look up member %s in guild %s", user_id, guild_id)
                    continue
            roles.update(str(role.id) for role in member.roles)
        found = frozenset(roles)
        self._roles[user_id] = (time.monotonic(), found)
        return found
