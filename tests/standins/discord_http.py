"""Shared pieces of the stand-in's REST side: the request a handler sees, Discord's error shape,
and the record of every call."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# Discord's JSON error codes (discord.com/developers/docs/topics/opcodes-and-status-codes#json).
ERROR_MESSAGES: dict[int, str] = {
    0: "General error",
    10002: "Unknown Application",
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10007: "Unknown Member",
    10008: "Unknown Message",
    10013: "Unknown User",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    20012: "You are not authorized to perform this action on this application",
    40060: "Interaction has already been acknowledged.",
    50001: "Missing Access",
    50005: "Cannot edit a message authored by another user",
    50006: "Cannot send an empty message",
    50007: "Cannot send messages to this user",
    50008: "Cannot send messages in a non-text channel",
    50013: "Missing Permissions",
    50024: "Cannot execute action on this channel type",
    50035: "Invalid Form Body",
    160004: "A thread has already been created for this message",
}
DEFAULT_CODE_FOR_STATUS = {400: 50035, 403: 50001, 404: 10003}
BARE_STATUS_MESSAGES = {
    401: "401: Unauthorized",
    404: "404: Not Found",
    405: "405: Method Not Allowed",
    500: "500: Internal Server Error",
    502: "502: Bad Gateway",
    503: "503: Service Unavailable",
}


class DiscordApiError(Exception):
    """Raised by a handler; becomes ``{"message": ..., "code": ...}`` with the given status."""

    def __init__(
        self, status: int, code: int, *, message: str | None = None, errors: dict | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code) or BARE_STATUS_MESSAGES.get(status, "Error")
        self.errors = errors
        super().__init__(f"{status} {code} {self.message}")

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def error_for_status(status: int, code: int | None = None, message: str | None = None) -> DiscordApiError:
    """The error Discord returns for a bare status: 403 -> 50001 Missing Access, 404 -> 10003 Unknown
    Channel, 400 -> 50035 Invalid Form Body, 5xx -> code 0 with "500: Internal Server Error"."""
    chosen = DEFAULT_CODE_FOR_STATUS.get(status, 0) if code is None else code
    if message is None and chosen == 0:
        message = BARE_STATUS_MESSAGES.get(status, f"{status}: Error")
    return DiscordApiError(status, chosen, message=message)


def form_error(field_name: str | None, error_code: str, text: str) -> DiscordApiError:
    """A 400 Invalid Form Body naming the field (None: the body itself), as Discord nests it."""
    detail = {"_errors": [{"code": error_code, "message": text}]}
    return DiscordApiError(400, 50035, errors={field_name: detail} if field_name else detail)


@dataclass(frozen=True)
class RestCall:
    """One REST request the stand-in received."""

    method: str
    template: str | None  # e.g. "/channels/{channel_id}/messages"; None when no route matched
    path: str  # concrete path without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int
    files: tuple[str, ...] = ()

    @property
    def route(self) -> str:
        return f"{self.method} {self.template or self.path}"


@dataclass
class ApiRequest:
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)

    def int_param(self, name: str, *, unknown_code: int) -> int:
        value = self.params[name]
        if not value.isdigit():
            raise DiscordApiError(404, unknown_code)
        return int(value)

    def query_flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in {"1", "true"}

    def json_object(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise form_error(None, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return self.body


Handler = Callable[[ApiRequest], Awaitable[web.StreamResponse]]
Emit = Callable[[str, dict[str, Any]], Awaitable[object]]


@dataclass(frozen=True)
class ApiRoute:
    method: str
    template: str
    handler: Handler
    needs_bot_token: bool = True


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with ``Content-Type: application/json`` exactly, as Discord sends it: discord.py compares
    the header verbatim and treats ``application/json; charset=utf-8`` (aiohttp's default) as text."""
    body = json.dumps(data, separators=(",", ":")).encode()
    return web.Response(body=body, status=status, headers={"Content-Type": "application/json"})


def no_content() -> web.Response:
    return web.Response(status=204)
