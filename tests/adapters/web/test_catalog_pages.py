"""The service catalog on the web: the items a person may order, an item's form as a plain HTML form whose
problems are shown beside each field, and an order placed through the same core path as `/desk order`."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from core.config.catalog import CatalogItem, CatalogSettings, ItemField, TaskTemplate
from core.service import Desk
from core.settings import DeskSettings
from tests.adapters.web.conftest import CSRF, NONCE, sign_in
from tests.conftest import Chat
from tests.integration.catalog_helpers import Desk18, catalog_settings, who

DANA, SAM, MIA = who("Dana"), who("Sam"), who("Mia")


SERVER_ACCESS = CatalogItem(slug="server-access", name="Root on a server", who="agents",
                            fields=(ItemField(name="host", label="Which server?"),),
                            tasks=(TaskTemplate(team="infrastructure", title="Grant root"),))


@pytest.fixture
def web_settings() -> DeskSettings:
    """The starter catalog with people who have a manager, and an item for agents only."""
    return catalog_settings(catalog=CatalogSettings(groups={"security": ("Priya",)}, items=(SERVER_ACCESS,)))


async def form_of(client: TestClient, path: str) -> dict[str, str]:
    page = await (await client.get(path)).text()
    return {"csrf": CSRF.search(page).group(1), "nonce": NONCE.search(page).group(1)}  # type: ignore[union-attr]


SHARE = {"share": "\\\\files\\finance", "access": "read", "reason": "I audit the books"}


async def test_the_catalog_lists_what_the_person_may_order_and_finds_an_item_by_a_word(
        client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, DANA)
    page = await (await client.get("/catalog")).text()
    assert 'href="/catalog"' in page and "Access to a shared drive" in page and "A new hire (onboarding)" in page
    found = await (await client.get("/catalog", params={"q": "finance share"})).text()
    assert "Access to a shared drive" in found and "A new phone" not in found
    nothing = await (await client.get("/catalog", params={"q": "zzzz qqqq"})).text()
    assert "No item matches" in nothing


async def test_an_items_form_shows_each_kind_of_field_with_its_help_and_works_without_javascript(
        client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, DANA)
    page = await (await client.get("/catalog/new-hire")).text()
    assert '<form method="post" action="/catalog/new-hire"' in page and 'name="csrf"' in page
    assert re.search(r'<input type="date" id="field-start_date" name="start_date" value="" min="2026-\d\d-\d\d"', page)
    assert '<select id="field-laptop" name="laptop"' in page and "<option>MacBook Air</option>" in page
    assert '<textarea id="field-notes" name="notes"' in page
    assert 'id="help-manager">An @mention, an e-mail or a name.' in page
    assert "<script" not in page.split("</head>")[1]
    drive = await (await client.get("/catalog/shared-drive-access")).text()
    assert 'id="help-share">e.g. \\\\files\\finance' in drive and "the requester&#39;s manager" in drive


async def test_bad_answers_are_shown_beside_each_field_and_nothing_is_ordered(
        client: TestClient, chat: Chat, web_desk: Desk) -> None:
    await sign_in(client, chat, DANA)
    sent = await client.post("/catalog/new-hire", data={
        **await form_of(client, "/catalog/new-hire"), "full_name": "Jo Park", "start_date": "2020-01-01",
        "department": "", "laptop": "A typewriter", "manager": "nobody-we-know"})
    page = await sent.text()
    assert sent.status == 400
    errors = dict(re.findall(r'<p class="field-error" id="error-(\w+)">([^<]+)</p>', page))
    assert set(errors) == {"start_date", "department", "laptop", "manager"}
    assert "is in the past" in errors["start_date"]
    assert errors["department"] == "Department is required."
    assert "MacBook Air" in errors["laptop"] and "not &#39;A typewriter&#39;" in errors["laptop"]
    assert "No one is known as &#39;nobody-we-know&#39;" in errors["manager"]
    assert 'aria-describedby="error-start_date" aria-invalid="true"' in page
    assert 'value="Jo Park"' in page  # what was right is kept
    assert Desk18(web_desk).tickets("request") == []


async def test_an_order_from_the_page_asks_the_manager_and_shows_its_approval_on_my_tickets(
        client: TestClient, chat: Chat, web_desk: Desk) -> None:
    shop = Desk18(web_desk)
    await sign_in(client, chat, DANA)
    sent = await client.post("/catalog/shared-drive-access",
                             data={**await form_of(client, "/catalog/shared-drive-access"), **SHARE},
                             allow_redirects=False)
    assert sent.status == 303 and sent.headers["Location"] == "/tickets/REQ-1"
    ticket = await (await client.get("/tickets/REQ-1")).text()
    assert "REQ-1 ordered: Access to a shared drive. REQ-1 awaits approval by Mia" in ticket
    assert "waiting for Mia" in ticket and "I audit the books" in ticket
    card = shop.sent_to("mia")[-1]
    assert card["title"] == "Approve REQ-1? Access to a shared drive"
    assert ("ordered", "shared-drive-access") in shop.audit(1)
    assert shop.say("Mia", "order approve REQ-1") == "You approved REQ-1."
    mine = await (await client.get("/tickets")).text()
    assert re.search(r'<a href="/tickets/REQ-1">REQ-1</a></td><td>Access to a shared drive</td>'
                     r"<td>being fulfilled</td><td>approved by Mia</td>", mine)
    ticket = await (await client.get("/tickets/REQ-1")).text()
    assert "TSK-2" in ticket and "infrastructure" in ticket and "Grant access to the share" in ticket


async def test_an_order_form_sent_twice_places_one_order(client: TestClient, chat: Chat, web_desk: Desk) -> None:
    await sign_in(client, chat, DANA)
    data = {**await form_of(client, "/catalog/shared-drive-access"), **SHARE}
    first = await client.post("/catalog/shared-drive-access", data=data, allow_redirects=False)
    again = await client.post("/catalog/shared-drive-access", data=data, allow_redirects=False)
    assert first.status == again.status == 303
    assert [t.key for t in Desk18(web_desk).tickets("request")] == ["REQ-1"]


async def test_an_order_without_the_form_token_is_refused(client: TestClient, chat: Chat, web_desk: Desk) -> None:
    await sign_in(client, chat, DANA)
    sent = await client.post("/catalog/shared-drive-access", data={"csrf": "forged", **SHARE})
    assert sent.status == 403
    assert Desk18(web_desk).tickets("request") == []


async def test_an_item_for_agents_only_is_neither_listed_nor_orderable_by_an_employee(
        client: TestClient, make_client: Any, chat: Chat, web_desk: Desk) -> None:
    slug = SERVER_ACCESS.slug
    await sign_in(client, chat, DANA)
    assert slug not in await (await client.get("/catalog")).text()
    assert (await client.get(f"/catalog/{slug}")).status == 404
    token = await form_of(client, "/catalog/shared-drive-access")
    assert (await client.post(f"/catalog/{slug}", data=token)).status == 404
    agent: TestClient = await make_client()
    await sign_in(agent, chat, SAM)
    assert "Root on a server" in await (await agent.get("/catalog")).text()
    placed = await agent.post(f"/catalog/{slug}", data={**await form_of(agent, f"/catalog/{slug}"), "host": "db1"},
                              allow_redirects=False)
    assert placed.status == 303 and placed.headers["Location"] == "/tickets/REQ-1"


async def test_the_catalog_needs_a_sign_in_and_has_no_link_when_it_is_empty(
        client: TestClient, make_client: Any, chat: Chat, web_desk: Desk) -> None:
    assert (await client.get("/catalog")).status == 401
    settings = web_desk.deps.settings
    web_desk.deps = replace(web_desk.deps, settings=settings.model_copy(
        update={"catalog": settings.catalog.model_copy(update={"items": ()})}))
    empty: TestClient = await make_client()
    await sign_in(empty, chat, DANA)
    page = await (await empty.get("/tickets")).text()
    assert 'href="/catalog"' not in page


async def test_hostile_answers_are_shown_as_text_on_the_order_and_in_the_form(client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, DANA)
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\u202e'
    refused = await client.post("/catalog/shared-drive-access", data={
        **await form_of(client, "/catalog/shared-drive-access"), "share": hostile, "access": hostile})
    form = await refused.text()
    assert refused.status == 400 and "<script>alert(1)" not in form and "<img src=x" not in form
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img" in form and "\u202e" not in form
    placed = await client.post("/catalog/shared-drive-access", data={
        **await form_of(client, "/catalog/shared-drive-access"), **SHARE, "share": hostile})
    page = await placed.text()
    assert placed.status == 200 and "REQ-1 ordered" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "\u202e" not in page
