"""The REST API at /api/v1, for other systems (monitoring opens outages, HR opens requests). Each call
carries a token made with `spoc tokens create NAME --scope ...`; it acts as the account of that name on
platform `api`, through the same commands as chat (an agent only with an agent scope). Errors are JSON
`{"error": "..."}`: 401 without a valid token, 403 for a scope it lacks, 429 past its rate, 422 when the
desk refuses (the text says why). `Idempotency-Key` makes a retried call act once."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web

from adapters.web import api_reads
from adapters.web.app import WebApp
from adapters.web.openapi import openapi_document
from adapters.web.rate import RateLimit
from core.cards import Reply
from core.integrations import PLATFORM, Integration, integration_for, note_use
from core.lifecycle import Status
from core.messages import Author, CommandRequest

ApiHandler = Callable[[web.Request, Integration], Awaitable[web.Response]]
PREFIX = "/api/v1"
IDEMPOTENCY = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
OPENED = re.compile(r"^([A-Z]+-\d+) (?:opened|declared)")
# Transitions a token may ask for, the text each takes, and whether it needs the agents' scope.
TRANSITIONS: dict[str, tuple[str, bool]] = {
    "claim": ("", True), "unassign": ("", True), "resolve": ("resolution", True), "hold": ("reason", True),
    "resume": ("", True), "reopen": ("reason", False), "close": ("", False), "cancel": ("reason", False),
    "confirm": ("", False), "reject": ("reason", False)}
USE_NOTED_EVERY = timedelta(minutes=1)


def problem(status: int, text: str, **headers: str) -> web.Response:
    return web.json_response({"error": text}, status=status, headers=headers)


class Api:
    def __init__(self, app: WebApp) -> None:
        self.app = app
        self.limit = RateLimit(app.settings.api_rate_per_minute)

    def routes(self) -> list[web.RouteDef]:
        from adapters.web.api_orders import OrdersApi

        g = self.guarded
        return [
            web.get(f"{PREFIX}/openapi.json", self.openapi),
            web.get(f"{PREFIX}/tickets", g("tickets:read", self.list_tickets)),
            web.post(f"{PREFIX}/tickets", g("tickets:write", self.create_ticket)),
            web.get(f"{PREFIX}/tickets/{{key}}", g("tickets:read", self.show_ticket)),
            web.post(f"{PREFIX}/tickets/{{key}}/comments", g("tickets:write", self.comment)),
            web.post(f"{PREFIX}/tickets/{{key}}/transitions", g("tickets:write", self.transition)),
            web.get(f"{PREFIX}/services", g("outages:read", self.services)),
            web.get(f"{PREFIX}/outages", g("outages:read", self.list_outages)),
            web.post(f"{PREFIX}/outages", g("outages:write", self.declare)),
            web.get(f"{PREFIX}/outages/{{key}}", g("outages:read", self.show_outage)),
            web.post(f"{PREFIX}/outages/{{key}}/updates", g("outages:write", self.update_outage)),
            web.post(f"{PREFIX}/outages/{{key}}/resolve", g("outages:write", self.resolve_outage)),
            *OrdersApi(self).routes(),
        ]

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(openapi_document(self.app.base_url))

    def guarded(self, scope: str, handler: ApiHandler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def call(request: web.Request) -> web.Response:
            given = request.headers.get("Authorization", "")
            token = given[7:].strip() if given[:7].lower() == "bearer " else ""
            if not token:
                return problem(401, "Send a token: Authorization: Bearer spoc_... (`spoc tokens create NAME "
                                    "--scope ...` makes one).", **{"WWW-Authenticate": "Bearer"})
            found = await self.app.read(lambda s: integration_for(s, token))
            if found is None:
                return problem(401, "That token is unknown or revoked.", **{"WWW-Authenticate": "Bearer"})
            if scope not in found.scopes:
                return problem(403, f"This token lacks the scope {scope} (it has {', '.join(sorted(found.scopes))}).")
            wait = self.limit.take(found.name)
            if wait:
                return problem(429, f"Over {self.app.settings.api_rate_per_minute} requests a minute; try again "
                                    f"in {wait:.0f} s.", **{"Retry-After": str(max(1, round(wait + 0.5)))})
            await self._note_use(found)
            return await handler(request, found)

        return call

    async def _note_use(self, found: Integration) -> None:
        now = self.app.clock.now()
        if found.last_used_at is None or now - found.last_used_at > USE_NOTED_EVERY:
            await asyncio.to_thread(self.app.desk.db.run, lambda s: note_use(s, found.name, now=now))

    async def body(self, request: web.Request) -> dict[str, Any] | web.Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return problem(400, "The body must be a JSON object.")
        if not isinstance(body, dict):
            return problem(400, "The body must be a JSON object.")
        return body

    async def run(self, request: web.Request, who: Integration, verb: str, answers: dict[str, object]) -> Reply:
        key = request.headers.get("Idempotency-Key", "")
        event = f"api:{who.name}:{key}" if IDEMPOTENCY.fullmatch(key) else f"api:{secrets.token_urlsafe(18)}"
        author = Author(platform=PLATFORM, user_id=who.name, display_name=who.name, is_agent=who.acts_as_agent)
        return await asyncio.to_thread(self.app.desk.handle_command, CommandRequest(
            platform=PLATFORM, event_id=event, author=author, verb=verb,
            answers={k: v for k, v in answers.items() if v not in (None, "")}))

    @staticmethod
    def answered(reply: Reply, ok: dict[str, Any] | None = None, *, status: int = 200) -> web.Response:
        if reply.outcome == "refused":
            return problem(422, reply.text)
        body = {"message": reply.text, **(ok or {})}
        if reply.outcome == "repeated":
            return web.json_response({**body, "repeated": True})
        return web.json_response(body, status=status)

    async def list_tickets(self, request: web.Request, who: Integration) -> web.Response:
        raw = request.query.get("status", "")
        try:
            status = Status(raw) if raw else None
        except ValueError:
            return problem(400, f"No status {raw!r}: use {', '.join(s.value for s in Status)}.")
        limit = request.query.get("limit", "100")
        if not limit.isdigit() or not 0 < int(limit) <= 1000:
            return problem(400, "limit is a number from 1 to 1000.")
        found = await self.app.read(lambda s: api_reads.ticket_list(
            s, status=status, kind=request.query.get("kind", ""), limit=int(limit)))
        return web.json_response({"tickets": found})

    async def show_ticket(self, request: web.Request, who: Integration) -> web.Response:
        key = request.match_info["key"]
        found = await self.app.read(lambda s: api_reads.ticket_json(s, key, internal="tickets:manage" in who.scopes))
        return web.json_response(found) if found else problem(404, f"No ticket {key}.")

    async def create_ticket(self, request: web.Request, who: Integration) -> web.Response:
        body = await self.body(request)
        if isinstance(body, web.Response):
            return body
        answers = {name: body.get(name) for name in ("description", "kind", "category", "impact", "urgency")}
        reply = await self.run(request, who, "new", answers)
        opened = OPENED.match(reply.text)
        if reply.outcome != "done" or opened is None:
            return self.answered(reply)
        ticket = await self.app.read(lambda s: api_reads.ticket_json(s, opened.group(1), internal=False))
        return web.json_response(ticket, status=201, headers={"Location": f"{PREFIX}/tickets/{opened.group(1)}"})

    async def comment(self, request: web.Request, who: Integration) -> web.Response:
        body = await self.body(request)
        if isinstance(body, web.Response):
            return body
        internal = body.get("internal") is True
        if internal and "tickets:manage" not in who.scopes:
            return problem(403, "Internal notes need the scope tickets:manage.")
        verb = "note" if internal else "comment"
        reply = await self.run(request, who, verb, {"ticket": request.match_info["key"], verb: body.get("text")})
        return self.answered(reply, status=201)

    async def transition(self, request: web.Request, who: Integration) -> web.Response:
        body = await self.body(request)
        if isinstance(body, web.Response):
            return body
        action = str(body.get("action", ""))
        if action not in TRANSITIONS:
            return problem(400, f"action is one of {', '.join(TRANSITIONS)}.")
        text_name, needs_agent = TRANSITIONS[action]
        if needs_agent and "tickets:manage" not in who.scopes:
            return problem(403, f"{action} needs the scope tickets:manage.")
        answers: dict[str, object] = {"ticket": request.match_info["key"]}
        if text_name:
            answers[text_name] = body.get("text")
        reply = await self.run(request, who, action, answers)
        if reply.outcome == "refused":
            return self.answered(reply)
        key = request.match_info["key"]
        ticket = await self.app.read(lambda s: api_reads.ticket_json(s, key, internal=False))
        return self.answered(reply, {"ticket": ticket})

    async def services(self, request: web.Request, who: Integration) -> web.Response:
        services = self.app.desk.deps.settings.services
        return web.json_response({"services": await self.app.read(lambda s: api_reads.service_list(s, services))})

    async def list_outages(self, request: web.Request, who: Integration) -> web.Response:
        active = request.query.get("status", "") == "active"
        return web.json_response({"outages": await self.app.read(
            lambda s: api_reads.outage_list(s, active_only=active, limit=100))})

    async def show_outage(self, request: web.Request, who: Integration) -> web.Response:
        key = request.match_info["key"]
        found = await self.app.read(lambda s: api_reads.outage_by_key(s, key))
        return web.json_response(found) if found else problem(404, f"No outage {key}.")

    async def declare(self, request: web.Request, who: Integration) -> web.Response:
        body = await self.body(request)
        if isinstance(body, web.Response):
            return body
        reply = await self.run(request, who, "outage declare",
                                {name: body.get(name) for name in ("service", "summary", "impact")})
        declared = OPENED.match(reply.text)
        if reply.outcome != "done" or declared is None:
            return self.answered(reply)
        outage = await self.app.read(lambda s: api_reads.outage_by_key(s, declared.group(1)))
        return web.json_response(outage, status=201, headers={"Location": f"{PREFIX}/outages/{declared.group(1)}"})

    async def update_outage(self, request: web.Request, who: Integration) -> web.Response:
        return await self._outage_step(request, who, "outage update", "update")

    async def resolve_outage(self, request: web.Request, who: Integration) -> web.Response:
        return await self._outage_step(request, who, "outage resolve", "resolution")

    async def _outage_step(self, request: web.Request, who: Integration, verb: str, text_name: str) -> web.Response:
        body = await self.body(request)
        if isinstance(body, web.Response):
            return body
        key = request.match_info["key"]
        reply = await self.run(request, who, verb, {"outage": key, text_name: body.get("text")})
        if reply.outcome == "refused":
            return self.answered(reply)
        return self.answered(reply, {"outage": await self.app.read(lambda s: api_reads.outage_by_key(s, key))})

