"""Sign in with Slack (OpenID Connect) and Discord (OAuth2) against a local stand-in provider."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.settings import OpenIdProvider, WebSettings
from core.messages import Author
from tests.adapters.web.conftest import csrf_of
from tests.conftest import Chat
from tests.standins.sign_in_provider import SignInProvider

SLACK_ACCOUNT = {"sub": "U0DANA", "https://slack.com/user_id": "U0DANA", "https://slack.com/team_id": "T0DESK",
                 "name": "Dana Slack", "email": "dana@example.com", "email_verified": True}


@pytest.fixture
async def provider() -> AsyncIterator[tuple[SignInProvider, str]]:
    stand_in = SignInProvider()
    server = TestServer(stand_in.app())
    await server.start_server()
    yield stand_in, str(server.make_url("")).rstrip("/")
    await server.close()


def settings_for(url: str, **extra: str) -> WebSettings:
    endpoints = OpenIdProvider(client_id="client-1", client_secret="provider secret", authorize_url=f"{url}/authorize",
                               token_url=f"{url}/token", userinfo_url=f"{url}/userinfo", **extra)
    return WebSettings(session_secret="s", slack_sign_in=endpoints.model_copy(update={"team_id": "T0DESK"}),
                       discord_sign_in=endpoints)


async def through_provider(client: TestClient, name: str) -> Any:
    token = await csrf_of(client, "/signin")
    started = await client.post(f"/signin/with/{name}", data={"csrf": token}, allow_redirects=False)
    assert started.status == 303
    # The browser goes to the provider, which sends it back to the callback; the cookie jar is the browser's.
    answer = await client.session.get(started.headers["Location"])
    return answer


async def test_sign_in_with_slack_shows_the_tickets_of_that_slack_account(
        make_client: Callable[..., Any], provider: tuple[SignInProvider, str], chat: Chat) -> None:
    stand_in, url = provider
    dana_on_slack = Author(platform="slack", user_id="U0DANA", display_name="Dana")
    chat.say(dana_on_slack, "my laptop screen flickers all day")
    client: TestClient = await make_client(settings_for(url))
    assert "Sign in with Slack" in await (await client.get("/signin")).text()
    stand_in.account = SLACK_ACCOUNT
    page = await through_provider(client, "slack")
    text = await page.text()
    assert page.status == 200 and "INC-1" in text and "my laptop screen flickers" in text
    asked = stand_in.authorize_requests[0]
    assert asked["scope"] == "openid profile email" and asked["team"] == "T0DESK" and asked["state"]
    assert stand_in.token_requests[0]["redirect_uri"].endswith("/signin/callback/slack")


async def test_a_member_of_another_slack_workspace_is_refused(
        make_client: Callable[..., Any], provider: tuple[SignInProvider, str]) -> None:
    stand_in, url = provider
    client: TestClient = await make_client(settings_for(url))
    stand_in.account = {**SLACK_ACCOUNT, "https://slack.com/team_id": "T0OTHER"}
    page = await through_provider(client, "slack")
    assert page.status == 401 and "not a member of this desk&#39;s workspace" in await page.text()
    assert (await client.get("/tickets")).status == 401


async def test_sign_in_with_discord_takes_the_discord_user_id(
        make_client: Callable[..., Any], provider: tuple[SignInProvider, str], chat: Chat) -> None:
    stand_in, url = provider
    chat.say(Author(platform="discord", user_id="81234", display_name="kim"), "printer on floor 2 is jammed")
    client: TestClient = await make_client(settings_for(url))
    stand_in.account = {"id": "81234", "username": "kim", "global_name": "Kim"}
    page = await through_provider(client, "discord")
    assert page.status == 200 and "printer on floor 2 is jammed" in await page.text()
    assert stand_in.authorize_requests[0]["scope"] == "identify"


async def test_a_callback_with_a_state_not_started_here_signs_nobody_in(
        make_client: Callable[..., Any], provider: tuple[SignInProvider, str]) -> None:
    stand_in, url = provider
    client: TestClient = await make_client(settings_for(url))
    stand_in.account = SLACK_ACCOUNT
    forged = await client.get("/signin/callback/slack", params={"code": "stolen", "state": "guess"})
    assert forged.status == 400
    assert stand_in.token_requests == []
    assert (await client.get("/tickets")).status == 401


async def test_a_provider_that_refuses_the_code_gets_a_clear_answer(
        make_client: Callable[..., Any], provider: tuple[SignInProvider, str]) -> None:
    stand_in, url = provider
    client: TestClient = await make_client(settings_for(url).model_copy(update={
        "discord_sign_in": OpenIdProvider(client_id="client-1", client_secret="wrong", authorize_url=f"{url}/authorize",
                                          token_url=f"{url}/token", userinfo_url=f"{url}/userinfo")}))
    stand_in.account = {"id": "81234", "username": "kim"}
    page = await through_provider(client, "discord")
    assert page.status == 401 and "invalid_grant" in await page.text()


async def test_slack_sign_in_is_not_offered_without_the_workspace_id(make_client: Callable[..., Any]) -> None:
    client: TestClient = await make_client(WebSettings(session_secret="s", slack_sign_in=OpenIdProvider(
        client_id="c", client_secret="s")))
    assert "Sign in with Slack" not in await (await client.get("/signin")).text()
    token = await csrf_of(client, "/signin/any-link")  # a page with a form
    assert (await client.post("/signin/with/slack", data={"csrf": token})).status == 404
