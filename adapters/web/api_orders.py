"""The service catalog in the REST API: its items with the questions each asks (catalog:read), and orders
(orders:read, orders:write). An order's answers are checked all at once, each field's problem named (422
with `fields`), then the order is placed by `/desk order ITEM` in the integration's name: the same
approvals, fulfilment tasks and audit as an order made in chat."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from aiohttp import web

from adapters.web.api import PREFIX, Api, problem
from core.catalog.reading import OrderView, order_view, order_views
from core.catalog.search import search
from core.catalog.views import STATE_WORDS
from core.config.catalog import CatalogItem
from core.errors import UnknownTicket
from core.integrations import PLATFORM, Integration
from core.tickets import get_ticket

PLACED = re.compile(r"^([A-Z]+-\d+) ordered")


def item_json(item: CatalogItem, *, fields: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "slug": item.slug, "name": item.name, "category": item.category, "description": item.description,
        "who": item.who, "approval": [step.shown for step in item.approval],
        "teams": list(dict.fromkeys(t.team for t in item.tasks)), "priority": item.priority}
    if fields:
        shown["fields"] = [{"name": f.name, "label": f.label, "kind": f.kind, "required": f.required, "help": f.help,
                            **({"choices": list(f.choices)} if f.kind == "choice" else {}),
                            **({"min": f.min, "max": f.max} if f.kind == "number" else {}),
                            **({"past": f.past} if f.kind == "date" else {})} for f in item.fields]
    return shown


def order_json(view: OrderView) -> dict[str, Any]:
    return {
        "key": view.key, "item": view.item, "item_name": view.item_name, "state": view.state,
        "status": view.status, "requester": view.requester,
        "answers": {name: answer for name, _label, answer in view.answers},
        "waiting_for": list(view.waiting_for),
        "approvals": [{"step": a.step, "approver": a.approver, "decision": a.decision or "waiting",
                       "reason": a.reason, "decided_at": a.decided_at.isoformat() if a.decided_at else None}
                      for a in view.approvals],
        "tasks": [{"key": t.key, "team": t.team, "title": t.title, "status": t.status} for t in view.tasks],
        "created_at": view.created_at.isoformat(),
        "approved_at": view.approved_at.isoformat() if view.approved_at else None,
        "done_at": view.done_at.isoformat() if view.done_at else None,
    }


class OrdersApi:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.catalog = api.app.desk.deps.settings.catalog

    def routes(self) -> list[web.RouteDef]:
        g = self.api.guarded
        return [web.get(f"{PREFIX}/catalog/items", g("catalog:read", self.list_items)),
                web.get(f"{PREFIX}/catalog/items/{{slug}}", g("catalog:read", self.show_item)),
                web.get(f"{PREFIX}/orders", g("orders:read", self.list_orders)),
                web.post(f"{PREFIX}/orders", g("orders:write", self.create_order)),
                web.get(f"{PREFIX}/orders/{{key}}", g("orders:read", self.show_order))]

    def _visible(self, who: Integration) -> list[CatalogItem]:
        return self.catalog.visible_to(agent=who.acts_as_agent)

    def _item(self, who: Integration, slug: str) -> CatalogItem | None:
        return next((i for i in self._visible(who) if i.slug == slug), None)

    async def list_items(self, request: web.Request, who: Integration) -> web.Response:
        visible = self._visible(who)
        query = " ".join(request.query.get("q", "").split())[:200]
        shown = [i for i in search(self.catalog, query, limit=len(visible)) if i in visible] if query else visible
        return web.json_response({"items": [item_json(i, fields=False) for i in shown]})

    async def show_item(self, request: web.Request, who: Integration) -> web.Response:
        slug = request.match_info["slug"]
        found = self._item(who, slug)
        if found is None:
            return problem(404, unknown(slug))
        return web.json_response(item_json(found, fields=True))

    async def list_orders(self, request: web.Request, who: Integration) -> web.Response:
        state = request.query.get("state", "")
        if state and state not in STATE_WORDS:
            return problem(400, f"No state {state!r}: use {', '.join(STATE_WORDS)}.")
        limit = request.query.get("limit", "100")
        if not limit.isdigit() or not 0 < int(limit) <= 1000:
            return problem(400, "limit is a number from 1 to 1000.")
        item, count = request.query.get("item", ""), int(limit)
        found = await self.api.app.read(lambda s: order_views(s, self.catalog, state=state, item=item, limit=count))
        return web.json_response({"orders": [order_json(view) for view in found]})

    async def show_order(self, request: web.Request, who: Integration) -> web.Response:
        key = request.match_info["key"]
        found = await self.api.app.read(lambda s: self._order(s, key))
        return web.json_response(found) if found else problem(404, f"No order {key}.")

    def _order(self, session: Any, key: str) -> dict[str, Any] | None:
        try:
            ticket = get_ticket(session, key)
        except UnknownTicket:
            return None
        view = order_view(session, self.catalog, ticket)
        return order_json(view) if view else None

    async def create_order(self, request: web.Request, who: Integration) -> web.Response:
        body = await self.api.body(request)
        if isinstance(body, web.Response):
            return body
        slug, answers = body.get("item"), body.get("answers", {})
        if not isinstance(slug, str) or not slug:
            return problem(400, "item is the slug of a catalog item (GET /catalog/items lists them).")
        if not isinstance(answers, dict):
            return problem(400, "answers is a JSON object: each field's name and its answer.")
        item = self._item(who, slug)
        if item is None:
            return problem(422, unknown(slug))
        given = {name: value for name, value in answers.items() if value not in (None, "")}
        problems = await asyncio.to_thread(self.api.app.desk.order_problems, item, given, platform=PLATFORM)
        if problems:
            listed = "; ".join(f"{name}: {text}" for name, text in problems.items())
            return web.json_response({"error": f"{len(problems)} answer(s) cannot be used, nothing was ordered: "
                                               f"{listed}", "fields": problems}, status=422)
        reply = await self.api.run(request, who, "order", {"item": item.slug, **given})
        placed = PLACED.match(reply.text)
        if reply.outcome != "done" or placed is None:
            return self.api.answered(reply)
        key = placed.group(1)
        order = await self.api.app.read(lambda s: self._order(s, key))
        return web.json_response({**(order or {}), "message": reply.text}, status=201,
                                 headers={"Location": f"{PREFIX}/orders/{key}"})



def unknown(slug: str) -> str:
    return f"No catalog item {slug!r} this token may order; GET /catalog/items lists them."
