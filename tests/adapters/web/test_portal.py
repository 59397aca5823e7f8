"""The people's pages: signing in with a link from chat, their tickets, replying and confirming."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from tests.adapters.web.conftest import NONCE, csrf_of, link_code, sign_in
from tests.conftest import DANA, KIM, SAM, Chat
from tests.integration.helpers import comments, outbox_texts, tickets


async def test_a_link_from_chat_signs_in_once_and_shows_the_tickets_the_person_reported(
        client: TestClient, chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    chat.say(KIM, "printer on floor 2 is jammed")
    code = link_code(chat.desk_command(DANA, "web"))
    token = await csrf_of(client, f"/signin/{code}")
    signed = await client.post(f"/signin/{code}", data={"csrf": token})
    page = await signed.text()
    assert signed.status == 200 and "Signed in as Dana." in page
    assert "INC-1" in page and "my laptop screen flickers" in page
    assert "printer on floor 2" not in page
    again = await client.post(f"/signin/{code}", data={"csrf": await csrf_of(client, "/tickets")})
    assert again.status == 410


async def test_opening_a_link_uses_nothing_up_until_the_button_is_pressed(client: TestClient, chat: Chat) -> None:
    code = link_code(chat.desk_command(DANA, "web"))
    for _ in range(3):  # a chat platform's link preview fetches it
        assert (await client.get(f"/signin/{code}")).status == 200
    token = await csrf_of(client, f"/signin/{code}")
    assert (await client.post(f"/signin/{code}", data={"csrf": token}, allow_redirects=False)).status == 303


async def test_a_sign_in_without_the_form_token_is_refused(client: TestClient, chat: Chat) -> None:
    code = link_code(chat.desk_command(DANA, "web"))
    response = await client.post(f"/signin/{code}", data={"csrf": "forged"})
    assert response.status == 403
    token = await csrf_of(client, f"/signin/{code}")
    assert (await client.post(f"/signin/{code}", data={"csrf": token})).status == 200  # the code is still good


async def test_pages_need_a_sign_in(client: TestClient) -> None:
    for path in ("/tickets", "/tickets/INC-1", "/kb", "/status"):
        response = await client.get(path)
        assert response.status == 401, path
        assert "/desk web" in await response.text()


async def test_a_reply_from_the_page_is_a_comment_once_however_often_the_form_is_sent(
        client: TestClient, chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    await sign_in(client, chat, DANA)
    page = await (await client.get("/tickets/INC-1")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    nonce = NONCE.search(page).group(1)  # type: ignore[union-attr]
    sent = await client.post("/tickets/INC-1", data={"csrf": token, "nonce": nonce, "verb": "comment",
                                                     "text": "It also happens on the docking station"})
    assert sent.status == 200
    shown = await sent.text()
    assert "It also happens on the docking station" in shown
    assert comments(chat.desk, 1) == [("It also happens on the docking station", False)]
    # The same form sent twice (a double click) comments once.
    again = await client.post("/tickets/INC-1", data={"csrf": token, "nonce": nonce, "verb": "comment",
                                                      "text": "It also happens on the docking station"})
    assert "Already done" in await again.text()
    assert len(comments(chat.desk, 1)) == 1


async def test_an_agents_reply_from_the_page_is_sent_to_the_requester_in_chat(client: TestClient, chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    await sign_in(client, chat, SAM)
    token = await csrf_of(client, "/tickets/INC-1")
    await client.post("/tickets/INC-1", data={"csrf": token, "verb": "comment", "text": "Try another cable"})
    assert any("Sam from IT: Try another cable" in t for t in outbox_texts(chat.desk))


async def test_a_requester_confirms_a_fix_from_the_page_and_the_ticket_closes(client: TestClient, chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    chat.desk_command(SAM, "resolve INC-1 replaced the cable")
    await sign_in(client, chat, DANA)
    page = await (await client.get("/tickets/INC-1")).text()
    assert "Yes, it&#39;s fixed" in page or "Yes, it's fixed" in page
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    confirmed = await client.post("/tickets/INC-1", data={"csrf": token, "verb": "confirm"})
    assert confirmed.status == 200
    assert tickets(chat.desk)[0]["status"] == "closed"


async def test_someone_elses_ticket_is_not_shown_nor_changed(client: TestClient, chat: Chat) -> None:
    chat.say(KIM, "printer on floor 2 is jammed")
    await sign_in(client, chat, DANA)
    response = await client.get("/tickets/INC-1")
    assert response.status == 404
    assert "printer" not in await response.text()
    token = await csrf_of(client, "/tickets")
    answer = await client.post("/tickets/INC-1", data={"csrf": token, "verb": "comment", "text": "mine now"})
    assert "not your ticket" in await answer.text()
    assert comments(chat.desk, 1) == []


async def test_an_agent_sees_internal_notes_and_a_requester_does_not(
        make_client, chat: Chat) -> None:  # type: ignore[no-untyped-def]
    chat.say(DANA, "my laptop screen flickers all day")
    chat.desk_command(SAM, "note INC-1 vendor case 8812")
    agent, requester = await make_client(), await make_client()
    await sign_in(agent, chat, SAM)
    await sign_in(requester, chat, DANA)
    assert "vendor case 8812" in await (await agent.get("/tickets/INC-1")).text()
    assert "vendor case 8812" not in await (await requester.get("/tickets/INC-1")).text()


async def test_a_forged_form_changes_nothing(client: TestClient, chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    await sign_in(client, chat, DANA)
    response = await client.post("/tickets/INC-1", data={"csrf": "not-the-token", "verb": "comment", "text": "x"})
    assert response.status == 403
    assert comments(chat.desk, 1) == []


async def test_a_tampered_session_cookie_is_not_a_sign_in(client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, DANA)
    cookie = next(c for c in client.session.cookie_jar if c.key == "spoc_session")
    payload, signature = cookie.value.rsplit(".", 1)
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({"spoc_session": payload + "." + signature[::-1]})
    assert (await client.get("/tickets")).status == 401


async def test_signing_out_ends_the_session(client: TestClient, chat: Chat) -> None:
    await sign_in(client, chat, DANA)
    token = await csrf_of(client, "/tickets")
    await client.post("/signout", data={"csrf": token})
    assert (await client.get("/tickets")).status == 401
