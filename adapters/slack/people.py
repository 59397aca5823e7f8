"""Who wrote: Slack user ids turned into authors (name, e-mail, agent or not), cached for a while."""

from __future__ import annotations

import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from core.messages import Author

PLATFORM = "slack"


class SlackDirectory:
    def __init__(self, client: AsyncWebClient, *, agent_usergroup: str = "", ttl_seconds: float = 300) -> None:
        self.client = client
        self.agent_usergroup = agent_usergroup
        self.ttl = ttl_seconds
        self._users: dict[str, tuple[float, str, str | None]] = {}
        self._agents: tuple[float, frozenset[str]] | None = None

    async def author(self, user_id: str) -> Author:
        name, email = await self._profile(user_id)
        return Author(platform=PLATFORM, user_id=user_id, display_name=name, email=email,
                      is_agent=user_id in await self._agent_ids())

    async def _profile(self, user_id: str) -> tuple[str, str | None]:
        cached = self._users.get(user_id)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1], cached[2]
        try:
            response = await self.client.users_info(user=user_id)
            user = response["user"]
            profile = user.get("profile", {})
            name = profile.get("display_name") or profile.get("real_name") or user.get("name") or user_id
            email = profile.get("email") or None
        except SlackApiError:
            name, email = user_id, None  # a missing profile must not lose the message
        self._users[user_id] = (time.monotonic(), name, email)
        return name, email

    async def _agent_ids(self) -> frozenset[str]:
        if not self.agent_usergroup:
            return frozenset()
        if self._agents and time.monotonic() - self._agents[0] < self.ttl:
            return self._agents[1]
        try:
            response = await self.client.usergroups_users_list(usergroup=self.agent_usergroup)
            members = frozenset(response.get("users", []))
        except SlackApiError:
            members = self._agents[1] if self._agents else frozenset()
        self._agents = (time.monotonic(), members)
        return members
