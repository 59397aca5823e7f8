"""The catalog and its orders in the REST API: scopes, the items and their questions, orders placed through
`/desk order` with each unusable answer named, and order events for webhooks."""

from __future__ import annotations

import json

from aiohttp.test_utils import TestClient

from adapters.web.settings import Hook
from core.clock import ManualClock
from core.service import Desk
from tests.adapters.web.test_api import token_for
from tests.adapters.web.test_webhooks import feed
from tests.conftest import Chat, person
from tests.integration.catalog_helpers import Desk18

LEE = person("Lee")
NEW_HIRE = {"full_name": "Jo Park", "start_date": "2026-03-16", "department": "Finance", "laptop": "MacBook Air",
            "manager": "sam@example.com"}


async def test_the_catalog_and_orders_need_a_token_with_their_scope(client: TestClient, web_desk: Desk) -> None:
    for path in ("/api/v1/catalog/items", "/api/v1/catalog/items/new-hire", "/api/v1/orders", "/api/v1/orders/REQ-1"):
        assert (await client.get(path)).status == 401, path
    assert (await client.post("/api/v1/orders", json={"item": "new-hire", "answers": NEW_HIRE})).status == 401
    tickets_only = token_for(web_desk, "helpdesk", "tickets:read", "tickets:write")
    refused = await client.get("/api/v1/catalog/items", headers=tickets_only)
    assert refused.status == 403 and "catalog:read" in (await refused.json())["error"]
    assert "orders:read" in (await (await client.get("/api/v1/orders", headers=tickets_only)).json())["error"]
    reader = token_for(web_desk, "reader", "catalog:read", "orders:read")
    placed = await client.post("/api/v1/orders", headers=reader, json={"item": "new-hire", "answers": NEW_HIRE})
    assert placed.status == 403 and "orders:write" in (await placed.json())["error"]
    assert Desk18(web_desk).tickets("request") == []


async def test_the_catalog_lists_items_and_shows_each_question_an_item_asks(
        client: TestClient, web_desk: Desk) -> None:
    headers = token_for(web_desk, "hr-system", "catalog:read")
    listed = (await (await client.get("/api/v1/catalog/items", headers=headers)).json())["items"]
    assert {"new-hire", "leaver", "shared-drive-access"} <= {i["slug"] for i in listed}
    found = (await (await client.get("/api/v1/catalog/items", headers=headers, params={"q": "onboarding"})).json())
    assert found["items"][0]["slug"] == "new-hire"
    item = await (await client.get("/api/v1/catalog/items/new-hire", headers=headers)).json()
    fields = {f["name"]: f for f in item["fields"]}
    assert fields["start_date"]["kind"] == "date" and fields["start_date"]["required"] is True
    assert fields["laptop"]["choices"] == ["Standard 14-inch", "Performance 16-inch", "MacBook Air", "MacBook Pro"]
    assert fields["manager"]["kind"] == "person" and fields["notes"]["required"] is False
    assert item["approval"] == ["the requester's manager"] and item["teams"] == ["service-desk", "workplace", "network"]
    missing = await client.get("/api/v1/catalog/items/a-pony", headers=headers)
    assert missing.status == 404 and "a-pony" in (await missing.json())["error"]


async def test_an_integration_orders_an_onboarding_its_approval_and_tasks_follow_as_in_chat(
        client: TestClient, web_desk: Desk, chat: Chat) -> None:
    headers = token_for(web_desk, "hr-system", "orders:write", "orders:read")
    placed = await client.post("/api/v1/orders", headers=headers, json={"item": "new-hire", "answers": NEW_HIRE})
    assert placed.status == 201, await placed.text()
    order = await placed.json()
    assert placed.headers["Location"] == "/api/v1/orders/REQ-1"
    assert (order["key"], order["state"], order["requester"]) == ("REQ-1", "awaiting_approval", "hr-system")
    assert order["waiting_for"] == ["Lee"] and order["answers"]["manager"] == "Sam <sam@example.com>"
    assert order["message"].startswith("REQ-1 ordered: A new hire (onboarding).")
    shop = Desk18(web_desk)
    assert ("ordered", "new-hire") in shop.audit(1)
    assert shop.sent_to("lee")[-1]["title"] == "Approve REQ-1? A new hire (onboarding)"
    assert chat.desk_command(LEE, "order approve REQ-1") == "You approved REQ-1."
    shown = await (await client.get("/api/v1/orders/REQ-1", headers=headers)).json()
    assert shown["state"] == "fulfilling" and shown["waiting_for"] == []
    assert [a["decision"] for a in shown["approvals"]] == ["approve"]
    assert [t["team"] for t in shown["tasks"]] == ["service-desk", "workplace", "network"]
    listed = await (await client.get("/api/v1/orders", headers=headers, params={"state": "fulfilling"})).json()
    assert [o["key"] for o in listed["orders"]] == ["REQ-1"]
    assert (await (await client.get("/api/v1/orders", headers=headers, params={"state": "done"})).json()) == \
        {"orders": []}
    bad_state = await client.get("/api/v1/orders", headers=headers, params={"state": "lost"})
    assert bad_state.status == 400
    assert (await client.get("/api/v1/orders/INC-9", headers=headers)).status == 404


async def test_unusable_answers_are_each_named_with_one_line_and_nothing_is_ordered(
        client: TestClient, web_desk: Desk) -> None:
    headers = token_for(web_desk, "hr-system", "orders:write")
    answers = {"full_name": 42, "start_date": "2020-01-01", "laptop": "A typewriter", "manager": "nobody-we-know",
               "shoe_size": "44"}
    refused = await client.post("/api/v1/orders", headers=headers, json={"item": "new-hire", "answers": answers})
    assert refused.status == 422
    body = await refused.json()
    fields = body["fields"]
    assert set(fields) == {"full_name", "start_date", "department", "laptop", "manager", "shoe_size"}
    assert "is text, not int" in fields["full_name"]
    assert "2020-01-01 is in the past" in fields["start_date"]
    assert fields["department"] == "Department is required."
    assert "MacBook Air" in fields["laptop"] and "'A typewriter'" in fields["laptop"]
    assert fields["manager"].startswith("No one is known as 'nobody-we-know'")
    assert "asks no 'shoe_size'" in fields["shoe_size"]
    assert all("\n" not in text for text in fields.values())
    assert body["error"].startswith("6 answer(s) cannot be used, nothing was ordered: ")
    assert Desk18(web_desk).tickets("request") == []


async def test_a_malformed_order_is_refused_with_the_reason(client: TestClient, web_desk: Desk) -> None:
    headers = token_for(web_desk, "hr-system", "orders:write")
    for body, status, said in (([1, 2], 400, "JSON object"), ({"answers": {}}, 400, "item is the slug"),
                               ({"item": "new-hire", "answers": [1]}, 400, "answers is a JSON object"),
                               ({"item": "a-pony", "answers": {}}, 422, "No catalog item 'a-pony'")):
        answered = await client.post("/api/v1/orders", headers=headers, json=body)
        assert answered.status == status and said in (await answered.json())["error"], body
    assert Desk18(web_desk).tickets("request") == []


async def test_a_retried_order_with_the_same_idempotency_key_orders_once(client: TestClient, web_desk: Desk) -> None:
    headers = {**token_for(web_desk, "hr-system", "orders:write"), "Idempotency-Key": "hire-jo-park"}
    first = await client.post("/api/v1/orders", headers=headers, json={"item": "new-hire", "answers": NEW_HIRE})
    again = await client.post("/api/v1/orders", headers=headers, json={"item": "new-hire", "answers": NEW_HIRE})
    assert first.status == 201 and again.status == 200 and (await again.json())["repeated"] is True
    assert [t.key for t in Desk18(web_desk).tickets("request")] == ["REQ-1"]


async def test_order_events_reach_a_webhook_that_asks_for_them(
        client: TestClient, web_desk: Desk, chat: Chat, clock: ManualClock) -> None:
    from tests.integration.helpers import outbox

    hooks = (Hook(name="hr", url="http://127.0.0.1:9/", events=("order.*",)),)
    feed(web_desk, hooks, clock)
    headers = token_for(web_desk, "hr-system", "orders:write")
    await client.post("/api/v1/orders", headers=headers, json={"item": "new-hire", "answers": NEW_HIRE})
    chat.desk_command(LEE, "order approve REQ-1")
    feed(web_desk, hooks, clock)
    rows = [r for r in outbox(web_desk) if r.platform == "webhook"]
    sent = [r.card["title"] for r in rows]
    assert sent[:3] == ["order.placed", "order.approval_asked", "order.approval_given"]
    assert "order.approved" in sent and sent.count("order.task_opened") == 3
    placed = json.loads(rows[0].card["text"])
    assert placed["order"] == {"key": "REQ-1", "item": "new-hire", "item_name": "A new hire (onboarding)",
                               "state": "fulfilling"}  # as it stands when the event is sent
    assert placed["ticket"]["key"] == "REQ-1" and placed["actor"] == "hr-system"
