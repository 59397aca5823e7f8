"""Who wrote: Slack user ids turned into authors, as Slack vouches for them.

The e-mail of a profile is passed on only for a member of the desk's own workspace (the one the bot token
belongs to): an account of another organisation in a shared channel may carry any address. An account is an
agent while the user group named by `slack.agent_usergroup` holds it; that group is read again at most a
minute after it was last read (and by the scheduled sync), so a removal counts at the account's next event.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from core.messages import Author

PLATFORM = "slack"
PROFILE_TTL = 300.0
GROUP_TTL = 60.0
log = logging.getLogger(__name__)


class SlackDirectory:
    def __init__(self, client: AsyncWebClient, *, agent_usergroup: str = "", ttl_seconds: float = PROFILE_TTL,
                 group_ttl_seconds: float = GROUP_TTL) -> None:
        self.client = client
        self.agent_usergroup = agent_usergroup
        self.ttl = ttl_seconds
        self.group_ttl = group_ttl_seconds
        self._users: dict[str, tuple[float, str, str | None, str]] = {}
        self._agents: tuple[float, frozenset[str]] | None = None
        self._home: str | None = None

    async def author(self, user_id: str) -> Author:
        name, email, workspace = await self._profile(user_id)
        agents = await self.agent_ids()
        known = agents is not None and not workspace
        return Author(platform=PLATFORM, user_id=user_id, display_name=name, email=email, workspace=workspace,
                      is_agent=known and user_id in (agents or ()), roles_known=known or bool(workspace))

    async def name_of(self, user_id: str) -> str:
        return (await self._profile(user_id))[0]

    async def agent_ids(self, *, fresh: bool = False) -> frozenset[str] | None:
        """The members of the agents' user group (empty when none is configured); None when Slack could not
        be asked and nothing recent is known."""
        if not self.agent_usergroup:
            return frozenset()
        if not fresh and self._agents and time.monotonic() - self._agents[0] < self.group_ttl:
            return self._agents[1]
        try:
            response = await self.client.usergroups_users_list(usergroup=self.agent_usergroup)
        except SlackApiError as error:
            log.warning("could not read the agents' user group %s: %s", self.agent_usergroup,
                        error.response.get("error"))
            return self._agents[1] if self._agents and not fresh else None
        members = frozenset(str(u) for u in response.get("users", []))
        self._agents = (time.monotonic(), members)
        return members

    async def _profile(self, user_id: str) -> tuple[str, str | None, str]:
        """Name, vouched e-mail, and workspace ("" for the desk's own) of an account."""
        cached = self._users.get(user_id)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1], cached[2], cached[3]
        try:
            response = await self.client.users_info(user=user_id)
            user: dict[str, Any] = response["user"]
        except SlackApiError:
            return user_id, None, ""  # a missing profile must not lose the message; nothing is vouched for
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name") or user_id
        home = await self._home_workspace()
        team = str(user.get("team_id") or "")
        workspace = "" if home is None or team in ("", home) else team
        vouched = home is not None and not workspace and not user.get("is_bot") and not user.get("deleted")
        email = (profile.get("email") or None) if vouched else None
        if home is not None:
            self._users[user_id] = (time.monotonic(), name, email, workspace)
        return name, email, workspace

    async def _home_workspace(self) -> str | None:
        """The workspace the bot token belongs to; None when Slack could not say (then nothing is vouched)."""
        if self._home is None:
            try:
                self._home = str((await self.client.auth_test()).get("team_id") or "")
            except SlackApiError:
                log.warning("auth.test failed: e-mail addresses are not trusted until it answers")
                return None
        return self._home
