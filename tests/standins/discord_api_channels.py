"""REST handlers for the bot's own identity, guilds, channels, messages, threads and DMs.

Like Discord, creating, editing or deleting a message also dispatches MESSAGE_CREATE / UPDATE / DELETE
on the gateway, so a client sees its own messages come back and must ignore them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from .discord_http import ApiRequest, ApiRoute, DiscordApiError, Emit, form_error, json_response, no_content
from .discord_payloads import iso_now, message_payload, snowflake, thread_payload, user_payload
from .discord_world import DiscordWorld

TEXT_CHANNEL_TYPES = {0, 1, 3, 5, 10, 11, 12}
THREAD_PARENT_TYPES = {0, 5}
MAX_CONTENT = 2000  # a bot's limit; the spec's 4000 is for Nitro users
# `enforce_nonce`: a message with the nonce of one the same author sent within this long is that message.
# Discord says "the past few minutes".
NONCE_WINDOW = timedelta(minutes=5)


class ChannelRoutes:
    def __init__(self, *, world: DiscordWorld, emit: Emit, gateway_url: str) -> None:
        self.world = world
        self._emit = emit
        self._gateway_url = gateway_url

    def routes(self) -> list[ApiRoute]:
        return [
            ApiRoute("GET", "/users/@me", self.get_me),
            ApiRoute("GET", "/users/{user_id}", self.get_user),
            ApiRoute("GET", "/gateway", self.get_gateway, needs_bot_token=False),
            ApiRoute("GET", "/gateway/bot", self.get_gateway_bot),
            ApiRoute("GET", "/oauth2/applications/@me", self.get_application),
            ApiRoute("GET", "/applications/@me", self.get_application),
            ApiRoute("GET", "/guilds/{guild_id}", self.get_guild),
            ApiRoute("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ApiRoute("GET", "/channels/{channel_id}", self.get_channel),
            ApiRoute("POST", "/channels/{channel_id}/typing", self.typing),
            ApiRoute("POST", "/channels/{channel_id}/messages", self.create_message),
            ApiRoute("GET", "/channels/{channel_id}/messages", self.list_messages),
            ApiRoute("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ApiRoute("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ApiRoute("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ApiRoute(
                "PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me", self.react
            ),
            ApiRoute("POST", "/channels/{channel_id}/threads", self.create_thread),
            ApiRoute(
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self.create_thread_from_message,
            ),
            ApiRoute("GET", "/channels/{channel_id}/users/@me/threads/archived/private",
                     self.joined_private_archived_threads),
            ApiRoute("PUT", "/channels/{channel_id}/thread-members/{user_id}", self.add_thread_member),
            ApiRoute("DELETE", "/channels/{channel_id}/thread-members/{user_id}", self.remove_thread_member),
            ApiRoute("POST", "/users/@me/channels", self.create_dm),
        ]

    # -- identity ---------------------------------------------------------------------------------

    async def get_me(self, req: ApiRequest) -> web.Response:
        return json_response(
            self.world.bot_author() | {"verified": True, "mfa_enabled": False, "email": None}
        )

    async def get_user(self, req: ApiRequest) -> web.Response:
        user = self.world.users.get(req.int_param("user_id", unknown_code=10013))
        if user is None:
            raise DiscordApiError(404, 10013)
        return json_response(user_payload(user))

    async def get_gateway(self, req: ApiRequest) -> web.Response:
        return json_response({"url": self._gateway_url})

    async def get_gateway_bot(self, req: ApiRequest) -> web.Response:
        return json_response(
            {
                "url": self._gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_application(self, req: ApiRequest) -> web.Response:
        return json_response(self.world.application_payload())

    # -- guilds -----------------------------------------------------------------------------------

    async def get_guild(self, req: ApiRequest) -> web.Response:
        guild_id = req.int_param("guild_id", unknown_code=10004)
        guild = self.world.guilds.get(guild_id)
        if guild is None:
            raise DiscordApiError(404, 10004)
        if req.query_flag("with_counts"):
            count = len(self.world.members.get(guild_id, {}))
            guild = guild | {"approximate_member_count": count, "approximate_presence_count": 0}
        return json_response(guild)

    async def get_member(self, req: ApiRequest) -> web.Response:
        guild_id = req.int_param("guild_id", unknown_code=10004)
        if guild_id not in self.world.guilds:
            raise DiscordApiError(404, 10004)
        member = self.world.members[guild_id].get(req.int_param("user_id", unknown_code=10013))
        if member is None:
            raise DiscordApiError(404, 10007)
        return json_response(member)

    # -- channels and messages --------------------------------------------------------------------

    def _channel(self, req: ApiRequest) -> dict[str, Any]:
        channel = self.world.channels.get(req.int_param("channel_id", unknown_code=10003))
        if channel is None:
            raise DiscordApiError(404, 10003)
        return channel

    def _message(self, req: ApiRequest, channel: dict[str, Any]) -> dict[str, Any]:
        message = self.world.messages.get(req.int_param("message_id", unknown_code=10008))
        if message is None or message["channel_id"] != channel["id"]:
            raise DiscordApiError(404, 10008)
        return message

    async def get_channel(self, req: ApiRequest) -> web.Response:
        return json_response(self._channel(req))

    async def typing(self, req: ApiRequest) -> web.Response:
        self._channel(req)
        return no_content()

    async def create_message(self, req: ApiRequest) -> web.Response:
        channel = self._channel(req)
        if channel["type"] not in TEXT_CHANNEL_TYPES:
            raise DiscordApiError(400, 50008)
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in self.world.dm_blocked_user_ids:
            raise DiscordApiError(403, 50007)
        body = req.json_object()
        check_message_body(body, has_files=bool(req.files))
        sent_before = self._same_nonce(body)
        if sent_before is not None:
            return json_response(sent_before)
        if channel["type"] in (11, 12) and channel["thread_metadata"]["archived"]:
            if channel["thread_metadata"]["locked"]:
                raise DiscordApiError(400, 50083)
            channel["thread_metadata"]["archived"] = False  # sending unarchives, as Discord does
        extra: dict[str, Any] = {}
        message_type = 0
        reference = body.get("message_reference")
        if reference:
            message_type = 19
            referenced = self.world.messages.get(int(reference["message_id"]))
            extra = {
                "message_reference": {"type": 0, "channel_id": channel["id"]} | reference,
                "referenced_message": referenced,
            }
        message = message_payload(
            channel_id=int(channel["id"]),
            author=self.world.bot_author(),
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            attachments=attachments_from(body, req.files),
            flags=body.get("flags") or 0,
            message_type=message_type,
            extra=extra | ({"nonce": body["nonce"]} if body.get("nonce") is not None else {}),
        )
        await self.store_and_announce(message)
        return json_response(message)

    def _same_nonce(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """With `enforce_nonce`, the bot's recent message that carried this nonce, which Discord answers with
        instead of creating another."""
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return None
        since = datetime.now(UTC) - NONCE_WINDOW
        bot = str(self.world.bot.id)
        return next((m for m in self.world.messages.values()
                     if str(m.get("nonce")) == str(nonce) and m["author"]["id"] == bot
                     and datetime.fromisoformat(m["timestamp"]) >= since), None)

    async def list_messages(self, req: ApiRequest) -> web.Response:
        """A page of the channel's messages, newest first, as Discord answers it: at most ``limit`` (1-100,
        default 50) before ``before``, after ``after`` (the ones just after it) or around ``around``."""
        channel = self._channel(req)
        limit = int(req.query.get("limit", "50"))
        if not 1 <= limit <= 100:
            raise form_error("limit", "NUMBER_TYPE_MAX", "int value should be between 1 and 100.")
        found = sorted((m for m in self.world.messages.values() if m["channel_id"] == channel["id"]),
                       key=lambda m: int(m["id"]))
        if "after" in req.query:
            after = int(req.query["after"])
            page = [m for m in found if int(m["id"]) > after][:limit]
        elif "around" in req.query:
            around = int(req.query["around"])
            older = [m for m in found if int(m["id"]) < around][-(limit // 2):] if limit > 1 else []
            page = older + [m for m in found if int(m["id"]) >= around][: limit - len(older)]
        else:
            before = int(req.query.get("before", str(2**63)))
            page = [m for m in found if int(m["id"]) < before][-limit:]
        return json_response(list(reversed(page)))

    async def get_message(self, req: ApiRequest) -> web.Response:
        return json_response(self._message(req, self._channel(req)))

    async def edit_message(self, req: ApiRequest) -> web.Response:
        message = self._message(req, self._channel(req))
        if message["author"]["id"] != str(self.world.bot.id):
            raise DiscordApiError(403, 50005)
        body = req.json_object()
        if "content" in body and body["content"] and len(body["content"]) > MAX_CONTENT:
            raise form_error("content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length.")
        await self.apply_edit(message, body)
        return json_response(message)

    async def delete_message(self, req: ApiRequest) -> web.Response:
        channel = self._channel(req)
        message = self._message(req, channel)
        await self.remove_message(message)
        return no_content()

    async def react(self, req: ApiRequest) -> web.Response:
        message = self._message(req, self._channel(req))
        emoji = req.params["emoji_name"]
        reactions = message.setdefault("reactions", [])
        if not any(r["emoji"]["name"] == emoji for r in reactions):
            reactions.append({"count": 1, "me": True, "emoji": {"id": None, "name": emoji}})
        return no_content()

    # shared with the interaction routes

    async def store_and_announce(self, message: dict[str, Any], *, announce: bool = True) -> None:
        self.world.messages[int(message["id"])] = message
        channel = self.world.channels.get(int(message["channel_id"]))
        if channel is not None and channel["type"] != 1:
            channel["last_message_id"] = message["id"]
        if announce:
            await self._emit("MESSAGE_CREATE", self._gateway_message(message))

    async def apply_edit(
        self,
        message: dict[str, Any],
        body: dict[str, Any],
        *,
        announce: bool = True,
        mark_edited: bool = True,
    ) -> None:
        for key in ("content", "embeds", "components", "flags", "attachments"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        if mark_edited:
            message["edited_timestamp"] = iso_now()
        if announce:
            await self._emit("MESSAGE_UPDATE", self._gateway_message(message))

    async def remove_message(self, message: dict[str, Any]) -> None:
        del self.world.messages[int(message["id"])]
        event = {"id": message["id"], "channel_id": message["channel_id"]}
        guild_id = self._guild_of(message["channel_id"])
        await self._emit("MESSAGE_DELETE", event | ({"guild_id": guild_id} if guild_id else {}))

    def _guild_of(self, channel_id: str) -> str | None:
        channel = self.world.channels.get(int(channel_id))
        return channel.get("guild_id") if channel else None

    def _gateway_message(self, message: dict[str, Any]) -> dict[str, Any]:
        guild_id = self._guild_of(message["channel_id"])
        if guild_id is None:
            return message | {"channel_type": 1}
        member = self.world.members.get(int(guild_id), {}).get(int(message["author"]["id"]))
        extra: dict[str, Any] = {"guild_id": guild_id}
        if member is not None:
            extra["member"] = {k: v for k, v in member.items() if k != "user"}
        return message | extra

    # -- threads ----------------------------------------------------------------------------------

    async def create_thread(self, req: ApiRequest) -> web.Response:
        parent = self._channel(req)
        if parent["type"] not in THREAD_PARENT_TYPES:
            raise DiscordApiError(400, 50024)
        body = req.json_object()
        thread_type = body.get("type", 12)
        return await self._open_thread(parent, body, thread_id=snowflake(), private=thread_type == 12)

    async def create_thread_from_message(self, req: ApiRequest) -> web.Response:
        parent = self._channel(req)
        message = self._message(req, parent)
        if "thread" in message:
            raise DiscordApiError(400, 160004)
        response = await self._open_thread(
            parent, req.json_object(), thread_id=int(message["id"]), private=False
        )
        message["thread"] = self.world.channels[int(message["id"])]
        return response

    async def _open_thread(
        self, parent: dict[str, Any], body: dict[str, Any], *, thread_id: int, private: bool
    ) -> web.Response:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        thread = thread_payload(
            thread_id=thread_id,
            guild_id=int(parent["guild_id"]),
            parent_id=int(parent["id"]),
            name=name,
            owner_id=self.world.bot.id,
            private=private,
            invitable=bool(body.get("invitable", True)),
            auto_archive_duration=body.get("auto_archive_duration") or 4320,
            member_user_id=self.world.bot.id,
        )
        self.world.add_channel(thread)
        self.world.thread_members[thread_id] = {self.world.bot.id}
        await self._emit("THREAD_CREATE", thread | {"newly_created": True})
        return json_response(thread, status=201)

    async def joined_private_archived_threads(self, req: ApiRequest) -> web.Response:
        """Archived private threads of the channel that the bot is a member of, newest first."""
        parent = self._channel(req)
        limit = int(req.query.get("limit", "50"))
        found = sorted(
            (c for c in self.world.channels.values()
             if c["type"] == 12 and c.get("parent_id") == parent["id"] and c["thread_metadata"]["archived"]
             and self.world.bot.id in self.world.thread_members.get(int(c["id"]), set())),
            key=lambda c: int(c["id"]), reverse=True)
        members = [{"id": c["id"], "user_id": str(self.world.bot.id), "join_timestamp": iso_now(), "flags": 0}
                   for c in found[:limit]]
        return json_response({"threads": found[:limit], "members": members, "has_more": len(found) > limit})

    def _thread(self, req: ApiRequest) -> dict[str, Any]:
        thread = self._channel(req)
        if thread["type"] not in (10, 11, 12):
            raise DiscordApiError(400, 50024)
        return thread

    async def add_thread_member(self, req: ApiRequest) -> web.Response:
        thread = self._thread(req)
        user_id = req.int_param("user_id", unknown_code=10013)
        if user_id not in self.world.members.get(int(thread["guild_id"]), {}):
            raise DiscordApiError(404, 10007)
        members = self.world.thread_members.setdefault(int(thread["id"]), set())
        members.add(user_id)
        thread["member_count"] = len(members)
        return no_content()

    async def remove_thread_member(self, req: ApiRequest) -> web.Response:
        thread = self._thread(req)
        members = self.world.thread_members.setdefault(int(thread["id"]), set())
        members.discard(req.int_param("user_id", unknown_code=10013))
        thread["member_count"] = len(members)
        return no_content()

    # -- DMs --------------------------------------------------------------------------------------

    async def create_dm(self, req: ApiRequest) -> web.Response:
        recipient = req.json_object().get("recipient_id")
        if recipient is None or not str(recipient).isdigit():
            raise form_error("recipient_id", "NUMBER_TYPE_COERCE", f'Value "{recipient}" is not snowflake.')
        return json_response(self.world.dm_channel_for(int(recipient)))


def check_message_body(body: dict[str, Any], *, has_files: bool) -> None:
    """Discord's own refusals for a new message: empty, or content over the bot limit."""
    content = body.get("content") or ""
    if len(content) > MAX_CONTENT:
        raise form_error("content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length.")
    carries_something = (
        content or has_files or any(body.get(k) for k in ("embeds", "components", "sticker_ids", "poll"))
    )
    if not carries_something:
        raise DiscordApiError(400, 50006)


def attachments_from(body: dict[str, Any], files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    attachments = []
    for n, (filename, data) in enumerate(files):
        attachment_id = snowflake()
        attachments.append(
            {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(data),
                "url": f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{filename}",
                "proxy_url": f"https://media.discordapp.net/attachments/0/{attachment_id}/{filename}",
                "content_type": "application/octet-stream",
                "description": (body.get("attachments") or [{}] * (n + 1))[n].get("description"),
            }
        )
    return attachments
