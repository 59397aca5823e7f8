"""The REST half of the Discord stand-in: routing under ``/api/v10``, bot-token auth, recording of every
call, rate-limit headers, and scripted failures (429 with Discord's real body and headers, 5xx, 403, 404).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .discord_api_channels import ChannelRoutes
from .discord_api_interactions import InteractionRoutes
from .discord_http import (
    ApiRequest,
    ApiRoute,
    DiscordApiError,
    Emit,
    RestCall,
    error_for_status,
    form_error,
    json_response,
)
from .discord_spec import specificity, template_matches
from .discord_world import DiscordWorld

API_PREFIX = "/api/v10"
RATE_LIMIT = 5


@dataclass
class _ScriptedFailure:
    method: str | None
    target: str
    status: int
    retry_after: float
    remaining: int
    global_: bool
    code: int | None
    message: str | None

    def matches(self, method: str, template: str | None, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        if "{" in self.target:
            return template is not None and _placeholders_blind(self.target) == _placeholders_blind(template)
        return self.target == path


def _placeholders_blind(template: str) -> str:
    return "/".join("{}" if s.startswith("{") else s for s in template.strip("/").split("/"))


def _bucket(template: str) -> str:
    return hashlib.sha1(template.encode()).hexdigest()[:32]


class DiscordRestApi:
    def __init__(self, *, world: DiscordWorld, token: str, emit: Emit, gateway_url: str) -> None:
        self.world = world
        self.token = token
        self.calls: list[RestCall] = []
        self.channels = ChannelRoutes(world=world, emit=emit, gateway_url=gateway_url)
        self.interactions = InteractionRoutes(world=world, channels=self.channels)
        self._routes = sorted(
            self.channels.routes() + self.interactions.routes(),
            key=lambda r: specificity(r.template),
            reverse=True,
        )
        self._failures: list[_ScriptedFailure] = []

    def fail_next(
        self,
        target: str,
        *,
        status: int = 429,
        retry_after: float = 0.5,
        times: int = 1,
        global_: bool = False,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        method, _, rest = target.partition(" ")
        if not rest:
            method, rest = "", target
        self._failures.append(
            _ScriptedFailure(
                method=method.upper() or None,
                target=rest.removeprefix(API_PREFIX),
                status=status,
                retry_after=retry_after,
                remaining=times,
                global_=global_,
                code=code,
                message=message,
            )
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix(API_PREFIX)
        body, files = await _read_body(request)
        route, params = self._match(request.method, path)
        response = await self._respond(request, route, params, body, files, path)
        self.calls.append(
            RestCall(
                method=request.method,
                template=route.template if route else None,
                path=path,
                query=dict(request.query),
                json=None if isinstance(body, _BadJson) else body,
                headers=dict(request.headers),
                status=response.status,
                files=tuple(name for name, _ in files),
            )
        )
        return response

    def _match(self, method: str, path: str) -> tuple[ApiRoute | None, dict[str, str]]:
        for route in self._routes:
            if route.method == method and template_matches(route.template, path):
                names = route.template.strip("/").split("/")
                values = path.strip("/").split("/")
                params = {n[1:-1]: v for n, v in zip(names, values, strict=True) if n.startswith("{")}
                return route, params
        return None, {}

    async def _respond(
        self,
        request: web.Request,
        route: ApiRoute | None,
        params: dict[str, str],
        body: Any,
        files: list[tuple[str, bytes]],
        path: str,
    ) -> web.Response:
        if not request.path.startswith(API_PREFIX + "/"):
            return _error(error_for_status(404, 0), None)
        if route is None:
            allowed = any(template_matches(r.template, path) for r in self._routes)
            return _error(error_for_status(405 if allowed else 404, 0), None)
        failure = self._take_failure(request.method, route.template, path)
        if failure is not None:
            return _scripted(failure, route.template)
        if route.needs_bot_token and request.headers.get("Authorization") != f"Bot {self.token}":
            return _error(error_for_status(401), route.template)
        try:
            if isinstance(body, _BadJson):
                raise form_error(None, "JSON_DECODE", "The request body contains invalid JSON.")
            response = await route.handler(
                ApiRequest(params=params, query=dict(request.query), body=body, files=files)
            )
        except DiscordApiError as exc:
            return _error(exc, route.template)
        response.headers.update(_rate_limit_headers(route.template, remaining=RATE_LIMIT - 1))
        return response

    def _take_failure(self, method: str, template: str, path: str) -> _ScriptedFailure | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.matches(method, template, path):
                failure.remaining -= 1
                return failure
        return None


class _BadJson:
    pass


async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    """JSON body, or discord.py's multipart form (``payload_json`` plus ``files[n]``)."""
    if request.content_type == "multipart/form-data":
        form = await request.post()
        files = [(f.filename, f.file.read()) for k, f in form.items() if isinstance(f, web.FileField)]
        payload = form.get("payload_json")
        return (json.loads(payload) if isinstance(payload, str) else None), files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return _BadJson(), []


def _rate_limit_headers(template: str, *, remaining: int, reset_after: float = 1.0) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": _bucket(template),
        # discord.py only retries a 429 that carries Via; without it the 429 is taken for a
        # Cloudflare ban and raised. Discord's own responses carry it.
        "Via": "1.1 google",
    }


def _error(exc: DiscordApiError, template: str | None) -> web.Response:
    response = json_response(exc.body(), status=exc.status)
    if template is not None:
        response.headers.update(_rate_limit_headers(template, remaining=RATE_LIMIT - 1))
    else:
        response.headers["Via"] = "1.1 google"
    return response


def _scripted(failure: _ScriptedFailure, template: str) -> web.Response:
    if failure.status != 429:
        return _error(error_for_status(failure.status, failure.code, failure.message), template)
    body = {
        "message": failure.message or "You are being rate limited.",
        "retry_after": failure.retry_after,
        "global": failure.global_,
        "code": failure.code or 0,
    }
    response = json_response(body, status=429)
    if failure.global_:
        response.headers.update(
            {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global", "Via": "1.1 google"}
        )
    else:
        response.headers.update(_rate_limit_headers(template, remaining=0, reset_after=failure.retry_after))
        response.headers["X-RateLimit-Scope"] = "user"
    response.headers["Retry-After"] = str(max(1, math.ceil(failure.retry_after)))
    return response
