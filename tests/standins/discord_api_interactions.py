"""REST handlers for interaction callbacks, interaction webhooks (original response and follow-ups)
and application command sync.

An interaction can be answered once; a second callback gets Discord's 400 / 40060. A callback for an
interaction the stand-in never sent gets 404 / 10062 Unknown interaction. After a deferred response
(type 5), the first follow-up replaces the "thinking" message, as on Discord.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .discord_api_channels import ChannelRoutes, attachments_from, check_message_body
from .discord_http import ApiRequest, ApiRoute, DiscordApiError, json_response, no_content
from .discord_payloads import message_payload, snowflake, user_payload
from .discord_world import DiscordWorld

EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass(frozen=True)
class InteractionCallback:
    """One POST /interactions/{id}/{token}/callback the client made."""

    interaction_id: int
    token: str
    type: int
    data: dict[str, Any] | None


@dataclass
class _Interaction:
    payload: dict[str, Any]
    response_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)


class InteractionRoutes:
    def __init__(self, *, world: DiscordWorld, channels: ChannelRoutes) -> None:
        self.world = world
        self._channels = channels
        self._interactions: dict[int, _Interaction] = {}
        self._by_token: dict[str, _Interaction] = {}
        self.callbacks: list[InteractionCallback] = []

    def routes(self) -> list[ApiRoute]:
        webhook = "/webhooks/{webhook_id}/{webhook_token}"
        return [
            ApiRoute(
                "POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.callback, False
            ),
            ApiRoute("GET", webhook + "/messages/@original", self.get_original, False),
            ApiRoute("PATCH", webhook + "/messages/@original", self.edit_original, False),
            ApiRoute("DELETE", webhook + "/messages/@original", self.delete_original, False),
            ApiRoute("POST", webhook, self.followup, False),
            ApiRoute("GET", webhook + "/messages/{message_id}", self.get_followup, False),
            ApiRoute("PATCH", webhook + "/messages/{message_id}", self.edit_followup, False),
            ApiRoute("DELETE", webhook + "/messages/{message_id}", self.delete_followup, False),
            ApiRoute("GET", "/applications/{application_id}/commands", self.get_commands),
            ApiRoute("PUT", "/applications/{application_id}/commands", self.put_commands),
            ApiRoute("POST", "/applications/{application_id}/commands", self.post_command),
            ApiRoute("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.get_commands),
            ApiRoute("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands),
            ApiRoute("POST", "/applications/{application_id}/guilds/{guild_id}/commands", self.post_command),
        ]

    def register(self, payload: dict[str, Any]) -> None:
        """Remember an interaction sent over the gateway so its callback and webhooks are accepted."""
        record = _Interaction(payload)
        self._interactions[int(payload["id"])] = record
        self._by_token[payload["token"]] = record

    # -- callback ---------------------------------------------------------------------------------

    async def callback(self, req: ApiRequest) -> web.Response:
        record = self._interactions.get(req.int_param("interaction_id", unknown_code=10062))
        if record is None or record.payload["token"] != req.params["interaction_token"]:
            raise DiscordApiError(404, 10062)
        if record.response_type is not None:
            raise DiscordApiError(400, 40060)
        body = req.json_object()
        response_type = body.get("type")
        data = body.get("data")
        if response_type not in {1, 4, 5, 6, 7, 8, 9}:
            raise DiscordApiError(400, 50035)
        if response_type == 4:
            check_message_body(data or {}, has_files=bool(req.files))
        record.response_type = response_type
        self.callbacks.append(
            InteractionCallback(int(record.payload["id"]), record.payload["token"], response_type, data)
        )
        message = await self._respond(record, response_type, data or {}, req.files)
        if not req.query_flag("with_response"):
            return no_content()
        flags = int(message.get("flags", 0)) if message else 0
        interaction: dict[str, Any] = {
            "id": record.payload["id"],
            "type": record.payload["type"],
            "response_message_loading": bool(flags & LOADING),
            "response_message_ephemeral": bool(flags & EPHEMERAL),
        }
        resource: dict[str, Any] = {"type": response_type}
        if message is not None:
            interaction["response_message_id"] = message["id"]
            resource["message"] = message
        return json_response({"interaction": interaction, "resource": resource})

    async def _respond(
        self, record: _Interaction, response_type: int, data: dict[str, Any], files: list[tuple[str, bytes]]
    ) -> dict[str, Any] | None:
        if response_type in (4, 5):
            flags = int(data.get("flags") or 0) & EPHEMERAL
            if response_type == 5:
                flags |= LOADING
            message = self._interaction_message(
                record, data, files, flags=flags if response_type == 5 else None
            )
            record.original_message_id = int(message["id"])
            await self._channels.store_and_announce(message, announce=not flags & EPHEMERAL)
            return message
        if response_type in (6, 7) and "message" in record.payload:
            target = self.world.messages.setdefault(
                int(record.payload["message"]["id"]), record.payload["message"]
            )
            record.original_message_id = int(target["id"])
            if response_type == 7:
                await self._channels.apply_edit(target, data)
            return target
        return None

    def _interaction_message(
        self,
        record: _Interaction,
        data: dict[str, Any],
        files: list[tuple[str, bytes]],
        *,
        flags: int | None = None,
    ) -> dict[str, Any]:
        payload = record.payload
        invoker = payload.get("member", {}).get("user") or payload.get("user") or {}
        metadata: dict[str, Any] = {
            "id": payload["id"],
            "type": payload["type"],
            "user": invoker,
            "authorizing_integration_owners": payload.get("authorizing_integration_owners", {}),
        }
        message_type = 0
        if payload["type"] == 2:
            message_type = 20
            metadata |= {"name": payload["data"]["name"], "command_type": payload["data"].get("type", 1)}
        elif payload["type"] == 3 and "message" in payload:
            metadata["interacted_message_id"] = payload["message"]["id"]
        return message_payload(
            channel_id=int(payload["channel_id"]),
            author=user_payload(self.world.bot),
            content=data.get("content") or "",
            embeds=data.get("embeds") or [],
            components=data.get("components") or [],
            attachments=attachments_from(data, files),
            flags=int(data.get("flags") or 0) if flags is None else flags,
            message_type=message_type,
            extra={
                "webhook_id": str(self.world.application_id),
                "application_id": str(self.world.application_id),
                "interaction_metadata": metadata,
            },
        )

    # -- webhooks ---------------------------------------------------------------------------------

    def _record(self, req: ApiRequest) -> _Interaction:
        record = self._by_token.get(req.params["webhook_token"])
        if record is None or req.params["webhook_id"] != str(self.world.application_id):
            raise DiscordApiError(404, 10015)
        return record

    def _original(self, req: ApiRequest) -> tuple[_Interaction, dict[str, Any]]:
        record = self._record(req)
        message = self.world.messages.get(record.original_message_id or 0)
        if message is None:
            raise DiscordApiError(404, 10008)
        return record, message

    async def get_original(self, req: ApiRequest) -> web.Response:
        return json_response(self._original(req)[1])

    async def edit_original(self, req: ApiRequest) -> web.Response:
        _, message = self._original(req)
        body = dict(req.json_object())
        if req.files:
            body["attachments"] = attachments_from(body, req.files)
        body["flags"] = int(message.get("flags", 0)) & ~LOADING
        await self._channels.apply_edit(message, body, announce=not message["flags"] & EPHEMERAL)
        return json_response(message)

    async def delete_original(self, req: ApiRequest) -> web.Response:
        _, message = self._original(req)
        await self._channels.remove_message(message)
        return no_content()

    async def followup(self, req: ApiRequest) -> web.Response:
        record = self._record(req)
        if record.response_type is None:
            raise DiscordApiError(404, 10015)
        body = req.json_object()
        check_message_body(body, has_files=bool(req.files))
        original = self.world.messages.get(record.original_message_id or 0)
        if original is not None and original["flags"] & LOADING:
            # The "thinking" message becomes the follow-up, keeping the defer's ephemerality; Discord
            # does not show it as edited.
            edit = dict(body) | {"flags": int(original["flags"]) & ~LOADING}
            announce = not original["flags"] & EPHEMERAL
            await self._channels.apply_edit(original, edit, announce=announce, mark_edited=False)
            message = original
        else:
            message = self._interaction_message(record, body, req.files)
            record.followup_ids.append(int(message["id"]))
            await self._channels.store_and_announce(message, announce=not message["flags"] & EPHEMERAL)
        return json_response(message) if req.query_flag("wait") else no_content()

    def _followup(self, req: ApiRequest) -> dict[str, Any]:
        record = self._record(req)
        message_id = req.int_param("message_id", unknown_code=10008)
        if message_id not in record.followup_ids or message_id not in self.world.messages:
            raise DiscordApiError(404, 10008)
        return self.world.messages[message_id]

    async def get_followup(self, req: ApiRequest) -> web.Response:
        return json_response(self._followup(req))

    async def edit_followup(self, req: ApiRequest) -> web.Response:
        message = self._followup(req)
        await self._channels.apply_edit(message, req.json_object(), announce=not message["flags"] & EPHEMERAL)
        return json_response(message)

    async def delete_followup(self, req: ApiRequest) -> web.Response:
        await self._channels.remove_message(self._followup(req))
        return no_content()

    # -- application commands ---------------------------------------------------------------------

    def _command_list(self, req: ApiRequest) -> list[dict[str, Any]]:
        if req.params["application_id"] != str(self.world.application_id):
            raise DiscordApiError(403, 20012)
        if "guild_id" not in req.params:
            return self.world.global_commands
        guild_id = req.int_param("guild_id", unknown_code=10004)
        # Discord answers 403 Missing Access when the app is not in the guild or lacks the
        # applications.commands scope there: the classic cause of a failing guild sync.
        if guild_id not in self.world.guilds or guild_id in self.world.guilds_without_commands_scope:
            raise DiscordApiError(403, 50001)
        return self.world.guild_commands.setdefault(guild_id, [])

    async def get_commands(self, req: ApiRequest) -> web.Response:
        return json_response(self._command_list(req))

    async def put_commands(self, req: ApiRequest) -> web.Response:
        current = self._command_list(req)
        if not isinstance(req.body, list):
            raise DiscordApiError(400, 50035)
        existing = {(c["name"], c["type"]): c for c in current}
        synced = [self._command(req, body, existing) for body in req.body]
        current[:] = synced
        return json_response(synced)

    async def post_command(self, req: ApiRequest) -> web.Response:
        current = self._command_list(req)
        existing = {(c["name"], c["type"]): c for c in current}
        command = self._command(req, req.json_object(), existing)
        was_new = (command["name"], command["type"]) not in existing
        current[:] = [c for c in current if c["id"] != command["id"]] + [command]
        return json_response(command, status=201 if was_new else 200)

    def _command(
        self, req: ApiRequest, body: dict[str, Any], existing: dict[tuple[str, int], dict[str, Any]]
    ) -> dict[str, Any]:
        command_type = body.get("type", 1)
        previous = existing.get((body.get("name", ""), command_type))
        command: dict[str, Any] = {
            "id": previous["id"] if previous else str(snowflake()),
            "application_id": str(self.world.application_id),
            "version": str(snowflake()),
            "type": command_type,
            "name": body.get("name"),
            "description": body.get("description", ""),
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "nsfw": body.get("nsfw", False),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types", [0]),
            "options": body.get("options") or [],
        }
        if "guild_id" in req.params:
            command["guild_id"] = req.params["guild_id"]
        return command
