"""Who wrote: Discord users turned into authors. An agent is a member holding the configured role. A message
in a guild carries the member's roles as they are; in a direct message (no member attached) the roles are
asked of the configured guilds (at most a minute old), and the scheduled sync asks again for every account
the desk holds as an agent. Discord user ids are the same in every guild, so an account is its id alone.
Discord tells bots no e-mail addresses, so none is vouched for."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import discord

from core.messages import Author

PLATFORM = "discord"
ROLES_TTL = 60.0
log = logging.getLogger(__name__)


class DiscordDirectory:
    def __init__(self, client: discord.Client, *, agent_role: str, guild_ids: tuple[str, ...],
                 ttl_seconds: float = ROLES_TTL) -> None:
        self.client = client
        self.agent_role = agent_role
        self.guild_ids = guild_ids
        self.ttl = ttl_seconds
        self._roles: dict[int, tuple[float, frozenset[str]]] = {}

    async def author(self, user: discord.User | discord.Member | Any) -> Author:
        agent = await self.holds_agent_role(user)
        return Author(platform=PLATFORM, user_id=str(user.id), display_name=str(user.display_name),
                      is_agent=bool(agent), roles_known=agent is not None)

    async def holds_agent_role(self, user: discord.User | discord.Member | Any, *, fresh: bool = False
                               ) -> bool | None:
        """Whether the member holds the agents' role; None when Discord could not be asked."""
        if not self.agent_role:
            return False
        if isinstance(user, discord.Member) and not fresh and self._configured(user.guild.id):
            return any(str(role.id) == self.agent_role for role in user.roles)
        roles = await self._roles_in_guilds(int(user.id), fresh=fresh)
        return None if roles is None else self.agent_role in roles

    def _configured(self, guild_id: int) -> bool:
        return not self.guild_ids or str(guild_id) in self.guild_ids

    async def verdicts(self, user_ids: Iterable[str]) -> dict[str, bool]:
        """Whether each account holds the agents' role now, asked afresh (accounts Discord could not be
        asked about are left out)."""
        found: dict[str, bool] = {}
        for user_id in user_ids:
            holds = await self.holds_agent_role(discord.Object(int(user_id)), fresh=True)
            if holds is not None:
                found[user_id] = holds
        return found

    async def _roles_in_guilds(self, user_id: int, *, fresh: bool) -> frozenset[str] | None:
        cached = self._roles.get(user_id)
        if cached and not fresh and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        roles: set[str] = set()
        guilds = [int(g) for g in self.guild_ids] or [g.id for g in self.client.guilds]
        for guild_id in guilds:
            guild = self.client.get_guild(guild_id)
            if guild is None:
                log.warning("guild %s is not known to the bot: roles cannot be read there", guild_id)
                return None
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                continue  # not (or no longer) a member of this guild
            except discord.HTTPException:
                log.warning("could not look up member %s in guild %s", user_id, guild_id)
                return None
            roles.update(str(role.id) for role in member.roles)
        found = frozenset(roles)
        self._roles[user_id] = (time.monotonic(), found)
        return found
