"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from core.catalog.views import STATE_WORDS
from core.integrations import SCOPES
from core.lifecycle import Status

ERROR = {"$ref": "#/components/schemas/Error"}
TEXT_BODY = {"type": "object", "properties": {"text": {"type": "string"}}}


def _op(summary: str, scope: str, ok: dict[str, Any], *, status: str = "200", body: dict[str, Any] | None = None,
        params: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary, "security": [{"token": [scope]}], "x-scope": scope,
        "responses": {status: {"description": "OK", "content": {"application/json": {"schema": ok}}},
                      **{code: {"description": why, "content": {"application/json": {"schema": ERROR}}}
                         for code, why in (("401", "no valid token"), ("403", "a scope is missing"),
                                           ("422", "the desk refused; the error says why"),
                                           ("429", "over the token's rate; see Retry-After"))}},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = list(params)
    return op


def _path_key(what: str) -> dict[str, Any]:
    return {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}, "description": what}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


def openapi_document(base_url: str) -> dict[str, Any]:
    ticket = {"$ref": "#/components/schemas/Ticket"}
    outage = {"$ref": "#/components/schemas/Outage"}
    message = {"type": "object", "properties": {"message": {"type": "string"}}}
    ticket_key, outage_key = _path_key("a ticket key, like INC-42"), _path_key("an outage key, like OUT-3")
    levels = {"type": "integer", "enum": [1, 2, 3]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "spoc REST API", "version": "1",
                 "description": "Tickets, outages and catalog orders for other systems. `Idempotency-Key` "
                                "makes a retried call act once. Scopes: "
                                + "; ".join(f"{k}: {v}" for k, v in SCOPES.items())},
        "servers": [{"url": f"{base_url}/api/v1"}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "`spoc tokens create NAME --scope ...`"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "Ticket": {"type": "object", "properties": {
                    k: {"type": "string"} for k in ("key", "kind", "status", "priority", "title", "description",
                                                    "category", "requester", "assignee", "created_at")}},
                "Outage": {"type": "object", "properties": {
                    k: {"type": "string"} for k in ("key", "service", "summary", "impact", "status",
                                                    "declared_at", "resolved_at")}},
                **CATALOG_SCHEMAS,
            },
        },
        "paths": {
            "/tickets": {
                "get": _op("List tickets, newest first", "tickets:read",
                           {"type": "object", "properties": {"tickets": {"type": "array", "items": ticket}}},
                           params=(_query("status", {"type": "string", "enum": [s.value for s in Status]}),
                                   _query("kind", {"type": "string"}),
                                   _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}))),
                "post": _op("Open a ticket in the integration's name", "tickets:write", ticket, status="201",
                            body={"type": "object", "required": ["description"], "properties": {
                                "description": {"type": "string"},
                                "kind": {"type": "string", "enum": ["incident", "request"]},
                                "category": {"type": "string"}, "impact": levels, "urgency": levels}}),
            },
            "/tickets/{key}": {"get": _op("A ticket with its comments", "tickets:read", ticket, params=(ticket_key,))},
            "/tickets/{key}/comments": {"post": _op(
                "Comment (internal: true for an agents' note, with tickets:manage)", "tickets:write", message,
                status="201", params=(ticket_key,), body={"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string"}, "internal": {"type": "boolean"}}})},
            "/tickets/{key}/transitions": {"post": _op(
                "Move a ticket: claim, unassign, resolve, hold, resume (tickets:manage); reopen, close, cancel, "
                "confirm, reject", "tickets:write", message, params=(ticket_key,),
                body={"type": "object", "required": ["action"], "properties": {
                    "action": {"type": "string"}, "text": {"type": "string"}}})},
            "/services": {"get": _op("Every service and whether it has an active outage", "outages:read",
                                     {"type": "object", "properties": {"services": {"type": "array"}}})},
            "/outages": {
                "get": _op("Outages, newest first", "outages:read",
                           {"type": "object", "properties": {"outages": {"type": "array", "items": outage}}},
                           params=(_query("status", {"type": "string", "enum": ["active"]}),)),
                "post": _op("Declare an outage (a monitoring alert can)", "outages:write", outage, status="201",
                            body={"type": "object", "required": ["service", "summary"], "properties": {
                                "service": {"type": "string"}, "summary": {"type": "string"},
                                "impact": {"type": "string"}}}),
            },
            "/outages/{key}": {"get": _op("An outage with its updates", "outages:read", outage, params=(outage_key,))},
            "/outages/{key}/updates": {"post": _op("Tell everyone how an outage is going", "outages:write", message,
                                                   params=(outage_key,), body=TEXT_BODY)},
            "/outages/{key}/resolve": {"post": _op("End an outage", "outages:write", message,
                                                   params=(outage_key,), body=TEXT_BODY)},
            **catalog_paths(),
        },
    }


CATALOG_SCHEMAS: dict[str, Any] = {
    "ItemField": {"type": "object", "required": ["name", "label", "kind", "required"], "properties": {
        "name": {"type": "string"}, "label": {"type": "string"}, "help": {"type": "string"},
        "kind": {"type": "string", "enum": ["text", "paragraph", "choice", "person", "date", "number"]},
        "required": {"type": "boolean"}, "choices": {"type": "array", "items": {"type": "string"}},
        "min": {"type": "integer"}, "max": {"type": ["integer", "null"]},
        "past": {"type": "boolean", "description": "a date may be before today"}}},
    "CatalogItem": {"type": "object", "properties": {
        **{k: {"type": "string"} for k in ("slug", "name", "category", "description", "who", "priority")},
        "approval": {"type": "array", "items": {"type": "string"}},
        "teams": {"type": "array", "items": {"type": "string"}},
        "fields": {"type": "array", "items": {"$ref": "#/components/schemas/ItemField"}}}},
    "Order": {"type": "object", "properties": {
        **{k: {"type": "string"} for k in ("key", "item", "item_name", "status", "requester", "created_at")},
        "state": {"type": "string", "enum": list(STATE_WORDS)},
        "answers": {"type": "object", "additionalProperties": {"type": "string"}},
        "waiting_for": {"type": "array", "items": {"type": "string"}},
        "approvals": {"type": "array", "items": {"type": "object", "properties": {
            "step": {"type": "integer"}, "approver": {"type": "string"}, "reason": {"type": "string"},
            "decision": {"type": "string", "enum": ["waiting", "approve", "reject", "withdrawn", "expired",
                                                    "not_needed"]},
            "decided_at": {"type": ["string", "null"]}}}},
        "tasks": {"type": "array", "items": {"type": "object", "properties": {
            k: {"type": "string"} for k in ("key", "team", "title", "status")}}},
        "approved_at": {"type": ["string", "null"]}, "done_at": {"type": ["string", "null"]}}},
    "AnswerProblems": {"type": "object", "required": ["error", "fields"], "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "each field whose answer cannot be used, and why"}}},
}


def catalog_paths() -> dict[str, Any]:
    item, order = {"$ref": "#/components/schemas/CatalogItem"}, {"$ref": "#/components/schemas/Order"}
    placed = _op("Order a catalog item in the integration's name: its approvals and tasks follow as in chat",
                 "orders:write", order, status="201", body={"type": "object", "required": ["item"], "properties": {
                     "item": {"type": "string", "description": "the item's slug"},
                     "answers": {"type": "object", "description": "each field's name and its answer (a number "
                                                                  "as a number or text; a date as YYYY-MM-DD; a "
                                                                  "person as an e-mail or name)"}}})
    placed["responses"]["422"] = {"description": "answers that cannot be used (each field named), or an item "
                                                 "the token may not order", "content": {"application/json": {
                                                     "schema": {"$ref": "#/components/schemas/AnswerProblems"}}}}
    return {
        "/catalog/items": {"get": _op("The items the token may order (agents' items with an agent scope)",
                                      "catalog:read", {"type": "object", "properties": {
                                          "items": {"type": "array", "items": item}}},
                                      params=(_query("q", {"type": "string"}),))},
        "/catalog/items/{slug}": {"get": _op("An item with the questions its form asks", "catalog:read", item,
                                             params=({"name": "slug", "in": "path", "required": True,
                                                      "schema": {"type": "string"}},))},
        "/orders": {
            "get": _op("Orders, newest first", "orders:read",
                       {"type": "object", "properties": {"orders": {"type": "array", "items": order}}},
                       params=(_query("state", {"type": "string", "enum": list(STATE_WORDS)}),
                               _query("item", {"type": "string"}),
                               _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}))),
            "post": placed,
        },
        "/orders/{key}": {"get": _op("An order with its answers, approvals and tasks", "orders:read", order,
                                     params=(_path_key("an order's key, like REQ-43"),))},
    }
