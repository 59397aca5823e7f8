"""Realistic Discord payloads for the stand-in and for tests that drive it.

Shapes follow the API v10 objects Discord sends today (the interaction examples in
``shared/data/discord/payloads`` plus the fields discord.py 2.7 reads unconditionally, such as
``attachment_size_limit`` on interactions and ``flags`` on members). IDs are real-looking snowflakes;
the default cast (guild, channels, users) has fixed IDs so tests can name them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_increment = itertools.count()


def snowflake(at: datetime | None = None) -> int:
    """A new unique snowflake whose timestamp part is ``at`` (default: now)."""
    moment = at or datetime.now(UTC)
    ms = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (1 << 17) | (next(_increment) & 0xFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dm_channel_id: int | None = None


# Permission bits used by the default cast (discord.com/developers/docs/topics/permissions).
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38

EVERYONE_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
AGENT_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MANAGE_THREADS | CREATE_PRIVATE_THREADS
BOT_PERMISSIONS = AGENT_PERMISSIONS

# Gateway intents (discord.com/developers/docs/events/gateway#list-of-intents).
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# The default cast.
APPLICATION_ID = 1180000000000000001
BOT = FakeUser(id=APPLICATION_ID, username="spoc", global_name=None, bot=True)
GUILD_ID = 1180000000000000100
CATEGORY_ID = 1180000000000000101
HELPDESK_CHANNEL_ID = 1180000000000000102
AGENTS_CHANNEL_ID = 1180000000000000103
AGENT_ROLE_ID = 1180000000000000200
BOT_ROLE_ID = 1180000000000000201
EMPLOYEE = FakeUser(
    id=1180000000000000300, username="alice.employee", global_name="Alice", dm_channel_id=1180000000000000310
)
AGENT = FakeUser(
    id=1180000000000000301, username="bob.agent", global_name="Bob", dm_channel_id=1180000000000000311
)
JOINED_AT = "2024-01-15T09:30:00.000000+00:00"


def cast_roles(user: FakeUser) -> tuple[int, ...]:
    """The default cast's roles, used when a builder is not told otherwise: Bob is an IT agent."""
    return {AGENT.id: (AGENT_ROLE_ID,), BOT.id: (BOT_ROLE_ID,)}.get(user.id, ())


def cast_permissions(user: FakeUser) -> int:
    return AGENT_PERMISSIONS if AGENT_ROLE_ID in cast_roles(user) else EVERYONE_PERMISSIONS


def user_payload(user: FakeUser) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(user.id),
        "username": user.username,
        "global_name": user.global_name,
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "primary_guild": None,
    }
    if user.bot:
        payload["bot"] = True
    return payload


def member_payload(
    user: FakeUser, *, roles: Iterable[int] = (), with_user: bool = True, permissions: int | None = None
) -> dict[str, Any]:
    """A guild member. MESSAGE_CREATE omits ``user``; interactions add the computed ``permissions``."""
    payload: dict[str, Any] = {
        "roles": [str(r) for r in roles],
        "nick": None,
        "avatar": None,
        "banner": None,
        "premium_since": None,
        "joined_at": JOINED_AT,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
        "unusual_dm_activity_until": None,
    }
    if with_user:
        payload["user"] = user_payload(user)
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def role_payload(
    *, role_id: int, name: str, permissions: int, position: int, bot_id: int | None = None
) -> dict:
    role: dict[str, Any] = {
        "id": str(role_id),
        "name": name,
        "description": None,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": bot_id is not None,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        role["tags"] = {"bot_id": str(bot_id)}
    return role


def guild_channel_payload(
    *,
    channel_id: int,
    guild_id: int,
    name: str,
    channel_type: int = 0,
    position: int = 0,
    parent_id: int | None = None,
    overwrites: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A text channel (type 0) or category (type 4)."""
    channel: dict[str, Any] = {
        "id": str(channel_id),
        "type": channel_type,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "parent_id": str(parent_id) if parent_id else None,
        "permission_overwrites": list(overwrites),
        "flags": 0,
    }
    if channel_type == 0:
        channel |= {"topic": None, "nsfw": False, "last_message_id": None, "rate_limit_per_user": 0}
    return channel


def overwrite(*, target_id: int, is_member: bool = False, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    return {"id": str(target_id), "type": 1 if is_member else 0, "allow": str(allow), "deny": str(deny)}


def thread_payload(
    *,
    thread_id: int,
    guild_id: int,
    parent_id: int,
    name: str,
    owner_id: int,
    private: bool = True,
    invitable: bool = False,
    auto_archive_duration: int = 10080,
    member_user_id: int | None = None,
) -> dict[str, Any]:
    """A thread channel: type 12 private or 11 public, as POST /channels/{id}/threads returns it."""
    now = iso_now()
    metadata: dict[str, Any] = {
        "archived": False,
        "archive_timestamp": now,
        "auto_archive_duration": auto_archive_duration,
        "locked": False,
        "create_timestamp": now,
    }
    if private:
        metadata["invitable"] = invitable
    thread: dict[str, Any] = {
        "id": str(thread_id),
        "type": 12 if private else 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "thread_metadata": metadata,
    }
    if member_user_id is not None:
        thread["member"] = {
            "id": str(thread_id),
            "user_id": str(member_user_id),
            "join_timestamp": now,
            "flags": 1,
        }
    return thread


def dm_channel_payload(*, channel_id: int, recipient: FakeUser) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 1,
        "last_message_id": None,
        "flags": 0,
        "recipients": [user_payload(recipient)],
    }


def message_payload(
    *,
    channel_id: int,
    author: dict[str, Any],
    content: str = "",
    message_id: int | None = None,
    embeds: Sequence[dict[str, Any]] = (),
    components: Sequence[dict[str, Any]] = (),
    attachments: Sequence[dict[str, Any]] = (),
    mentions: Sequence[dict[str, Any]] = (),
    flags: int = 0,
    message_type: int = 0,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A message object as the REST API returns it (no guild_id, no member)."""
    message: dict[str, Any] = {
        "type": message_type,
        "content": content,
        "mentions": list(mentions),
        "mention_roles": [],
        "attachments": list(attachments),
        "embeds": list(embeds),
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "flags": flags,
        "components": list(components),
        "id": str(message_id or snowflake()),
        "channel_id": str(channel_id),
        "author": author,
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
    }
    if extra:
        message |= dict(extra)
    return message


def message_create(
    *,
    content: str,
    author: FakeUser = EMPLOYEE,
    channel_id: int = HELPDESK_CHANNEL_ID,
    guild_id: int = GUILD_ID,
    roles: Iterable[int] | None = None,
    mentions: Sequence[FakeUser] = (),
    message_id: int | None = None,
) -> dict[str, Any]:
    """A guild MESSAGE_CREATE dispatch payload (``d``), with ``guild_id`` and a user-less ``member``."""
    message = message_payload(
        channel_id=channel_id,
        author=user_payload(author),
        content=content,
        message_id=message_id,
        mentions=[user_payload(u) | {"member": member_payload(u, with_user=False)} for u in mentions],
    )
    return message | {
        "guild_id": str(guild_id),
        "member": member_payload(
            author, roles=cast_roles(author) if roles is None else roles, with_user=False
        ),
        "channel_type": 0,
        "nonce": str(snowflake()),
    }


def dm_message_create(
    *, content: str, author: FakeUser = EMPLOYEE, channel_id: int | None = None, message_id: int | None = None
) -> dict[str, Any]:
    """A direct-message MESSAGE_CREATE payload: no ``guild_id``, no ``member``, ``channel_type`` 1."""
    dm_channel_id = channel_id or author.dm_channel_id
    if dm_channel_id is None:
        raise ValueError(f"{author.username} has no dm_channel_id; pass channel_id")
    message = message_payload(
        channel_id=dm_channel_id, author=user_payload(author), content=content, message_id=message_id
    )
    return message | {"channel_type": 1, "nonce": str(snowflake())}


def button(*, custom_id: str, label: str, style: int = 1) -> dict[str, Any]:
    return {"type": 2, "id": 2, "custom_id": custom_id, "label": label, "style": style}


def action_row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "id": 1, "components": list(components)}


def _interaction(
    *,
    interaction_type: int,
    data: dict[str, Any],
    user: FakeUser,
    roles: Iterable[int] | None,
    permissions: int | None,
    guild_id: int | None,
    channel_id: int | None,
    application_id: int,
) -> dict[str, Any]:
    interaction_id = snowflake()
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": interaction_type,
        "data": data,
        "token": f"aW50ZXJhY3Rpb246{interaction_id}:stand-in-token",
        "version": 1,
        "app_permissions": str(BOT_PERMISSIONS),
        "locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    if guild_id is not None:
        # The stand-in swaps in its own copy of the channel when it knows it (see send_interaction).
        guild_channel_id = channel_id or HELPDESK_CHANNEL_ID
        payload |= {
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
            "guild_locale": "en-US",
            "channel_id": str(guild_channel_id),
            "channel": guild_channel_payload(channel_id=guild_channel_id, guild_id=guild_id, name="helpdesk")
            | {"permissions": str(permissions)},
            "member": member_payload(
                user,
                roles=cast_roles(user) if roles is None else roles,
                permissions=cast_permissions(user) if permissions is None else permissions,
            ),
            "authorizing_integration_owners": {"0": str(guild_id)},
            "context": 0,
        }
    else:
        dm_id = channel_id or user.dm_channel_id or snowflake()
        payload |= {
            "channel_id": str(dm_id),
            "channel": dm_channel_payload(channel_id=dm_id, recipient=user),
            "user": user_payload(user),
            "authorizing_integration_owners": {"0": str(application_id)},
            "context": 1,
        }
    return payload


def _option_type(value: object) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    return 3


def slash_command_interaction(
    *,
    command: str = "desk",
    subcommand: str | None = "open",
    group: str | None = None,
    options: Mapping[str, str | int | float | bool] | None = None,
    user: FakeUser = EMPLOYEE,
    roles: Iterable[int] | None = None,
    permissions: int | None = None,
    guild_id: int | None = GUILD_ID,
    channel_id: int | None = None,
    command_id: int | None = None,
    command_guild_id: int | None = None,
    application_id: int = APPLICATION_ID,
) -> dict[str, Any]:
    """An APPLICATION_COMMAND (type 2) interaction for ``/command [group] subcommand option:value``.

    Pass ``command_guild_id`` when the command was synced to a guild: Discord then sets
    ``data.guild_id`` and discord.py's CommandTree looks the command up among that guild's commands.
    ``guild_id=None`` makes it a DM invocation (``user`` instead of ``member``, context 1).
    """
    leaf: list[dict[str, Any]] = [
        {"type": _option_type(value), "name": name, "value": value} for name, value in (options or {}).items()
    ]
    if subcommand is not None:
        leaf = [{"type": 1, "name": subcommand, "options": leaf}]
    if group is not None:
        leaf = [{"type": 2, "name": group, "options": leaf}]
    data: dict[str, Any] = {"id": str(command_id or snowflake()), "name": command, "type": 1, "options": leaf}
    if command_guild_id is not None:
        data["guild_id"] = str(command_guild_id)
    return _interaction(
        interaction_type=2,
        data=data,
        user=user,
        roles=roles,
        permissions=permissions,
        guild_id=guild_id,
        channel_id=channel_id,
        application_id=application_id,
    )


def button_interaction(
    *,
    custom_id: str,
    message: dict[str, Any] | None = None,
    user: FakeUser = EMPLOYEE,
    roles: Iterable[int] | None = None,
    permissions: int | None = None,
    guild_id: int | None = GUILD_ID,
    channel_id: int | None = None,
    application_id: int = APPLICATION_ID,
) -> dict[str, Any]:
    """A MESSAGE_COMPONENT (type 3) button click. ``message`` defaults to a bot message holding the button."""
    target_channel = channel_id or (HELPDESK_CHANNEL_ID if guild_id is not None else user.dm_channel_id)
    if message is None:
        message = message_payload(
            channel_id=target_channel or snowflake(),
            author=user_payload(BOT),
            content="Ticket opened.",
            components=[action_row(button(custom_id=custom_id, label="Claim"))],
        )
    payload = _interaction(
        interaction_type=3,
        data={"custom_id": custom_id, "component_type": 2, "id": 2},
        user=user,
        roles=roles,
        permissions=permissions,
        guild_id=guild_id,
        channel_id=target_channel,
        application_id=application_id,
    )
    return payload | {"message": message}


def modal_submit_interaction(
    *,
    custom_id: str,
    values: Mapping[str, str],
    choices: Mapping[str, Sequence[str]] | None = None,
    labels: bool = False,
    user: FakeUser = EMPLOYEE,
    roles: Iterable[int] | None = None,
    permissions: int | None = None,
    guild_id: int | None = GUILD_ID,
    channel_id: int | None = None,
    application_id: int = APPLICATION_ID,
) -> dict[str, Any]:
    """A MODAL_SUBMIT (type 5). Text inputs come back in action rows, or in label components (type 18)
    when ``labels`` is true, matching how the modal was sent. ``choices`` are string selects (type 3,
    their chosen ``values``), which a modal holds only inside labels."""
    inputs: list[dict[str, Any]] = [
        {"type": 4, "id": n + 2, "custom_id": key, "value": value}
        for n, (key, value) in enumerate(values.items())
    ]
    inputs += [
        {"type": 3, "id": len(inputs) + n + 2, "custom_id": key, "values": list(chosen)}
        for n, (key, chosen) in enumerate((choices or {}).items())
    ]
    labels = labels or bool(choices)
    if labels:
        components = [{"type": 18, "id": 100 + n, "component": item} for n, item in enumerate(inputs)]
    else:
        components = [{"type": 1, "id": 100 + n, "components": [item]} for n, item in enumerate(inputs)]
    return _interaction(
        interaction_type=5,
        data={"custom_id": custom_id, "components": components},
        user=user,
        roles=roles,
        permissions=permissions,
        guild_id=guild_id,
        channel_id=channel_id,
        application_id=application_id,
    )
