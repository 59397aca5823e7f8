"""The REST API: tokens and scopes, tickets and outages through the desk's commands, rate limits, and the
OpenAPI document that describes every route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from adapters.web.settings import WebSettings
from core.integrations import create_token, integration_for, revoke_token
from core.service import Desk
from tests.conftest import DANA, SAM, Chat
from tests.integration.helpers import comments, tickets


def token_for(desk: Desk, name: str, *scopes: str) -> dict[str, str]:
    raw = desk.db.run(lambda s: create_token(s, name=name, scopes=scopes, now=desk.clock.now()))
    return {"Authorization": f"Bearer {raw}"}


async def test_without_a_token_or_with_an_unknown_one_nothing_is_shown(client: TestClient, chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    bare = await client.get("/api/v1/tickets")
    assert bare.status == 401 and bare.headers["WWW-Authenticate"] == "Bearer"
    assert "spoc tokens create" in (await bare.json())["error"]
    wrong = await client.get("/api/v1/tickets", headers={"Authorization": "Bearer spoc_not-a-token"})
    assert wrong.status == 401


async def test_a_token_is_stored_only_as_its_hash_and_a_revoked_one_is_refused(
        client: TestClient, web_desk: Desk) -> None:
    headers = token_for(web_desk, "monitoring", "tickets:read")
    raw = headers["Authorization"].removeprefix("Bearer ")
    from sqlalchemy import select

    from core.storage.access_models import IntegrationTokenRow

    stored = web_desk.db.run(lambda s: s.scalar(select(IntegrationTokenRow)))
    assert stored.token_hash != raw and raw not in stored.token_hash and len(stored.token_hash) == 64
    assert (await client.get("/api/v1/tickets", headers=headers)).status == 200
    web_desk.db.run(lambda s: revoke_token(s, "monitoring", now=web_desk.clock.now()))
    assert (await client.get("/api/v1/tickets", headers=headers)).status == 401
    assert web_desk.db.run(lambda s: integration_for(s, raw)) is None


async def test_a_token_without_the_scope_is_refused_with_the_scope_named(client: TestClient, web_desk: Desk) -> None:
    headers = token_for(web_desk, "hr", "tickets:read")
    response = await client.post("/api/v1/tickets", json={"description": "new laptop for Kim"}, headers=headers)
    assert response.status == 403
    assert "tickets:write" in (await response.json())["error"]
    declared = await client.post("/api/v1/outages", json={"service": "email", "summary": "down"}, headers=headers)
    assert declared.status == 403
    assert tickets(web_desk) == []


async def test_an_integration_opens_a_ticket_comments_and_lists_it(client: TestClient, web_desk: Desk) -> None:
    headers = token_for(web_desk, "hr-system", "tickets:read", "tickets:write")
    created = await client.post("/api/v1/tickets", headers=headers, json={
        "description": "New hire Kim starts Monday and needs a laptop", "kind": "request", "urgency": 1})
    assert created.status == 201, await created.text()
    ticket = await created.json()
    assert ticket["key"] == "REQ-1" and ticket["kind"] == "request" and ticket["requester"] == "hr-system"
    assert created.headers["Location"] == "/api/v1/tickets/REQ-1"
    said = await client.post("/api/v1/tickets/REQ-1/comments", headers=headers, json={"text": "Kim prefers a Mac"})
    assert said.status == 201
    assert comments(web_desk, 1) == [("Kim prefers a Mac", False)]
    listed = await (await client.get("/api/v1/tickets", headers=headers, params={"status": "new"})).json()
    assert [t["key"] for t in listed["tickets"]] == ["REQ-1"]
    shown = await (await client.get("/api/v1/tickets/REQ-1", headers=headers)).json()
    assert shown["comments"][0]["body"] == "Kim prefers a Mac"


async def test_a_retried_call_with_the_same_idempotency_key_opens_one_ticket(
        client: TestClient, web_desk: Desk) -> None:
    headers = {**token_for(web_desk, "hr-system", "tickets:write"), "Idempotency-Key": "hire-4711"}
    first = await client.post("/api/v1/tickets", headers=headers, json={"description": "badge for Kim"})
    again = await client.post("/api/v1/tickets", headers=headers, json={"description": "badge for Kim"})
    assert first.status == 201 and again.status == 200 and (await again.json())["repeated"] is True
    assert len(tickets(web_desk)) == 1


async def test_bad_bodies_get_a_clear_answer_and_change_nothing(client: TestClient, web_desk: Desk) -> None:
    headers = token_for(web_desk, "hr-system", "tickets:write", "tickets:read")
    not_json = await client.post("/api/v1/tickets", headers=headers, data=b"{oops")
    assert not_json.status == 400 and "JSON object" in (await not_json.json())["error"]
    empty = await client.post("/api/v1/tickets", headers=headers, json={"description": ""})
    assert empty.status == 422
    unknown = await client.get("/api/v1/tickets/INC-99", headers=headers)
    assert unknown.status == 404
    status = await client.get("/api/v1/tickets", headers=headers, params={"status": "sleeping"})
    assert status.status == 400
    assert tickets(web_desk) == []


async def test_transitions_need_an_agent_scope_for_agents_work(client: TestClient, web_desk: Desk,
                                                               chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    plain = token_for(web_desk, "plain", "tickets:write")
    refused = await client.post("/api/v1/tickets/INC-1/transitions", headers=plain, json={"action": "resolve"})
    assert refused.status == 403 and "tickets:manage" in (await refused.json())["error"]
    agent = token_for(web_desk, "itsm-sync", "tickets:write", "tickets:manage")
    done = await client.post("/api/v1/tickets/INC-1/transitions", headers=agent,
                             json={"action": "resolve", "text": "replaced the cable"})
    assert done.status == 200, await done.text()
    assert (await done.json())["ticket"]["status"] == "resolved"
    illegal = await client.post("/api/v1/tickets/INC-1/transitions", headers=agent, json={"action": "resume"})
    assert illegal.status == 422


async def test_monitoring_declares_updates_and_resolves_an_outage(client: TestClient, web_desk: Desk,
                                                                  chat: Chat) -> None:
    headers = token_for(web_desk, "monitoring", "outages:read", "outages:write")
    declared = await client.post("/api/v1/outages", headers=headers, json={
        "service": "email", "summary": "SMTP relay not answering", "impact": "no outgoing mail"})
    assert declared.status == 201, await declared.text()
    assert (await declared.json())["key"] == "OUT-1"
    assert "OUTAGE (OUT-1" in chat.desk_command(DANA, "services")
    again = await client.post("/api/v1/outages", headers=headers, json={"service": "email", "summary": "still"})
    assert again.status == 422 and "already has an active outage" in (await again.json())["error"]
    updated = await client.post("/api/v1/outages/OUT-1/updates", headers=headers, json={"text": "failing over"})
    assert updated.status == 200
    resolved = await client.post("/api/v1/outages/OUT-1/resolve", headers=headers, json={"text": "relay back"})
    outage = (await resolved.json())["outage"]
    assert outage["status"] == "resolved" and [u["kind"] for u in outage["updates"]] == \
        ["declared", "update", "resolved"]
    services = await (await client.get("/api/v1/services", headers=headers)).json()
    assert {s["name"]: s["state"] for s in services["services"]}["email"] == "operational"


async def test_past_its_rate_a_token_gets_429_with_retry_after(make_client: Callable[..., Any],
                                                              web_desk: Desk) -> None:
    client: TestClient = await make_client(WebSettings(session_secret="s", api_rate_per_minute=3))
    headers = token_for(web_desk, "chatty", "tickets:read")
    answers = [(await client.get("/api/v1/tickets", headers=headers)).status for _ in range(3)]
    limited = await client.get("/api/v1/tickets", headers=headers)
    assert answers == [200, 200, 200] and limited.status == 429
    assert int(limited.headers["Retry-After"]) >= 1
    other = token_for(web_desk, "quiet", "tickets:read")
    assert (await client.get("/api/v1/tickets", headers=other)).status == 200  # the limit is per token


async def test_the_openapi_document_describes_every_api_route(client: TestClient) -> None:
    document = await (await client.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.")
    served = {(route.method.lower(), route.resource.canonical.removeprefix("/api/v1"))
              for route in client.server.app.router.routes()
              if route.resource is not None and route.resource.canonical.startswith("/api/v1/")
              and route.method != "HEAD"}
    described = {(method, path) for path, methods in document["paths"].items() for method in methods}
    assert served - {("get", "/openapi.json")} == described


@pytest.mark.parametrize("scope", ["tickets:admin", ""])
def test_an_unknown_or_missing_scope_is_refused_when_making_a_token(web_desk: Desk, scope: str) -> None:
    from core.errors import DeskError

    with pytest.raises(DeskError):
        web_desk.db.run(lambda s: create_token(s, name="x", scopes=[scope], now=web_desk.clock.now()))


async def test_a_person_cannot_use_the_api_with_a_session_cookie(client: TestClient, chat: Chat) -> None:
    from tests.adapters.web.conftest import sign_in

    await sign_in(client, chat, SAM)
    assert (await client.get("/api/v1/tickets")).status == 401
