"""The state behind the Discord stand-in: one application, its bot user, guilds, channels, messages.

The REST side mutates it (messages, threads, DM channels, synced commands); the gateway side reads it
to build READY and GUILD_CREATE. Tests may inspect it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .discord_payloads import (
    AGENT,
    AGENT_PERMISSIONS,
    AGENT_ROLE_ID,
    AGENTS_CHANNEL_ID,
    APPLICATION_ID,
    BOT,
    BOT_PERMISSIONS,
    BOT_ROLE_ID,
    CATEGORY_ID,
    EMPLOYEE,
    EVERYONE_PERMISSIONS,
    GUILD_ID,
    HELPDESK_CHANNEL_ID,
    JOINED_AT,
    VIEW_CHANNEL,
    FakeUser,
    dm_channel_payload,
    guild_channel_payload,
    iso_now,
    member_payload,
    overwrite,
    role_payload,
    snowflake,
    user_payload,
)


@dataclass
class DiscordWorld:
    application_id: int
    bot: FakeUser
    users: dict[int, FakeUser] = field(default_factory=dict)
    guilds: dict[int, dict[str, Any]] = field(default_factory=dict)
    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    # guild id -> user id -> member payload (with user)
    members: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    thread_members: dict[int, set[int]] = field(default_factory=dict)
    global_commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # Users whose privacy settings refuse DMs from the bot (POST message -> 403 50007).
    dm_blocked_user_ids: set[int] = field(default_factory=set)
    # Guilds the bot was invited to without the applications.commands scope (guild commands -> 403 50001).
    guilds_without_commands_scope: set[int] = field(default_factory=set)

    @classmethod
    def default(cls) -> DiscordWorld:
        """One guild "Acme" with a #helpdesk channel for everyone, a private #it-agents channel for the
        IT Agents role, an employee (Alice), an agent (Bob) and the bot."""
        world = cls(application_id=APPLICATION_ID, bot=BOT)
        roles = [
            role_payload(role_id=GUILD_ID, name="@everyone", permissions=EVERYONE_PERMISSIONS, position=0),
            role_payload(role_id=AGENT_ROLE_ID, name="IT Agents", permissions=AGENT_PERMISSIONS, position=1),
            role_payload(
                role_id=BOT_ROLE_ID, name="spoc", permissions=BOT_PERMISSIONS, position=2, bot_id=BOT.id
            ),
        ]
        world.add_guild(guild_id=GUILD_ID, name="Acme", owner_id=AGENT.id, roles=roles)
        world.add_channel(
            guild_channel_payload(channel_id=CATEGORY_ID, guild_id=GUILD_ID, name="IT", channel_type=4)
        )
        world.add_channel(
            guild_channel_payload(
                channel_id=HELPDESK_CHANNEL_ID,
                guild_id=GUILD_ID,
                name="helpdesk",
                position=1,
                parent_id=CATEGORY_ID,
            )
        )
        world.add_channel(
            guild_channel_payload(
                channel_id=AGENTS_CHANNEL_ID,
                guild_id=GUILD_ID,
                name="it-agents",
                position=2,
                parent_id=CATEGORY_ID,
                overwrites=[
                    overwrite(target_id=GUILD_ID, deny=VIEW_CHANNEL),
                    overwrite(target_id=AGENT_ROLE_ID, allow=VIEW_CHANNEL),
                    overwrite(target_id=BOT_ROLE_ID, allow=VIEW_CHANNEL),
                ],
            )
        )
        world.add_member(GUILD_ID, BOT, roles=[BOT_ROLE_ID])
        world.add_member(GUILD_ID, EMPLOYEE)
        world.add_member(GUILD_ID, AGENT, roles=[AGENT_ROLE_ID])
        return world

    def add_guild(self, *, guild_id: int, name: str, owner_id: int, roles: list[dict[str, Any]]) -> None:
        self.guilds[guild_id] = {
            "id": str(guild_id),
            "name": name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(owner_id),
            "application_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "features": [],
            "roles": roles,
            "emojis": [],
            "stickers": [],
            "incidents_data": None,
        }
        self.members.setdefault(guild_id, {})

    def add_channel(self, channel: dict[str, Any]) -> dict[str, Any]:
        self.channels[int(channel["id"])] = channel
        return channel

    def add_member(self, guild_id: int, user: FakeUser, *, roles: list[int] | None = None) -> None:
        self.users[user.id] = user
        self.members.setdefault(guild_id, {})[user.id] = member_payload(user, roles=roles or [])
        if user.dm_channel_id is not None and not user.bot:
            self.add_channel(dm_channel_payload(channel_id=user.dm_channel_id, recipient=user))

    def user(self, user_id: int) -> FakeUser:
        """The known user, or a stand-in stranger so lookups by an unknown ID still return something."""
        return self.users.get(user_id) or FakeUser(id=user_id, username=f"user{user_id}")

    def member_roles(self, guild_id: int, user_id: int) -> list[int]:
        member = self.members.get(guild_id, {}).get(user_id)
        return [int(r) for r in member["roles"]] if member else []

    def guild_channels(self, guild_id: int) -> list[dict[str, Any]]:
        return [
            c
            for c in self.channels.values()
            if c.get("guild_id") == str(guild_id) and c["type"] not in (11, 12)
        ]

    def guild_threads(self, guild_id: int) -> list[dict[str, Any]]:
        """The active threads: Discord sends no archived thread when a client connects."""
        return [
            c for c in self.channels.values() if c.get("guild_id") == str(guild_id) and c["type"] in (11, 12)
            and not c["thread_metadata"]["archived"]
        ]

    def archive(self, thread_id: int) -> None:
        """As Discord does after a thread's auto-archive duration without messages."""
        metadata = self.channels[thread_id]["thread_metadata"]
        metadata["archived"], metadata["archive_timestamp"] = True, iso_now()

    def guild_create(self, guild_id: int) -> dict[str, Any]:
        """The GUILD_CREATE payload: the guild plus channels, threads and members. ``member_count`` equals
        the member list so discord.py considers the guild chunked and does not wait for member chunks."""
        members = list(self.members.get(guild_id, {}).values())
        return self.guilds[guild_id] | {
            "unavailable": False,
            "large": False,
            "lazy": True,
            "joined_at": JOINED_AT,
            "member_count": len(members),
            "members": members,
            "channels": [
                {k: v for k, v in c.items() if k != "guild_id"} for c in self.guild_channels(guild_id)
            ],
            "threads": self.guild_threads(guild_id),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "embedded_activities": [],
            "activity_instances": [],
            "application_command_counts": {},
        }

    def dm_channel_for(self, user_id: int) -> dict[str, Any]:
        """The bot's DM channel with ``user_id``; Discord returns the same channel on every create."""
        for channel in self.channels.values():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == str(user_id):
                return channel
        user = self.user(user_id)
        return self.add_channel(
            dm_channel_payload(channel_id=user.dm_channel_id or snowflake(), recipient=user)
        )

    def bot_author(self) -> dict[str, Any]:
        return user_payload(self.bot)

    def application_payload(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me. ``interactions_endpoint_url`` must stay null: with it set,
        Discord would deliver interactions over HTTP and discord.py warns it will see none."""
        bot = user_payload(self.bot)
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "IT service desk",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": (1 << 13) | (1 << 15) | (1 << 19),
            "owner": user_payload(AGENT),
            "team": None,
            "bot": bot,
            "guild_id": None,
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "event_webhooks_url": None,
            "event_webhooks_status": 1,
            "tags": [],
            "redirect_uris": [],
            "rpc_origins": [],
            "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0,
            "integration_types_config": {"0": {}},
            "is_monetized": False,
            "is_verified": False,
            "is_discoverable": False,
        }
