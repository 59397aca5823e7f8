"""In headless Chromium: an employee signs in through the stand-in provider, sees the ticket they reported in
the console, replies, and the reply shows in chat; the status page shows an outage declared in chat within
2 s; a lead's dashboard shows the figures of `spoc report --format json`; and every page passes axe-core with
no violation of impact serious or worse, with JavaScript and without."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from adapters.web.settings import OpenIdProvider, WebSettings
from bot.cli import app
from bot.dispatcher import Dispatcher
from core.clock import ManualClock
from core.outbox import RetryPolicy
from core.service import Desk
from tests.adapters.web.browser import Browser, chromium
from tests.adapters.web.conftest import link_code
from tests.conftest import DANA, KIM, SAM, Chat
from tests.fakes import RecordingMessenger
from tests.standins.sign_in_provider import SignInProvider


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    made = Browser(chromium())
    yield made
    made.quit()


@pytest.fixture
async def provider() -> AsyncIterator[tuple[SignInProvider, str]]:
    stand_in = SignInProvider()
    server = TestServer(stand_in.app())
    await server.start_server()
    yield stand_in, str(server.make_url("")).rstrip("/")
    await server.close()


def url_of(client: TestClient, path: str) -> str:
    return str(client.make_url(path))


async def deliver(desk: Desk, messenger: RecordingMessenger, clock: ManualClock) -> None:
    await Dispatcher(db=desk.db, messengers={"console": messenger}, clock=clock,
                     policy=RetryPolicy()).deliver_due()


async def test_an_employee_signs_in_with_the_provider_sees_the_console_ticket_replies_and_chat_shows_it(
        browser: Browser, make_client: Callable[..., Any], provider: tuple[SignInProvider, str], chat: Chat,
        clock: ManualClock) -> None:
    stand_in, url = provider
    messenger = RecordingMessenger()
    chat.say(DANA, "my laptop screen flickers all day")
    await deliver(chat.desk, messenger, clock)  # the triage card is posted: its thread is the agents'
    # Dana links her Slack account to her console one, as `/desk link` does.
    code = chat.desk_command(DANA, "link").split("`/desk link ")[1].split("`")[0]
    from core.messages import Author

    chat.desk_command(Author(platform="slack", user_id="U0DANA", display_name="Dana"), f"link {code}")
    endpoints = OpenIdProvider(client_id="client-1", client_secret="provider secret", team_id="T0DESK",
                               authorize_url=f"{url}/authorize", token_url=f"{url}/token",
                               userinfo_url=f"{url}/userinfo")
    client: TestClient = await make_client(WebSettings(session_secret="s", slack_sign_in=endpoints))
    stand_in.account = {"https://slack.com/user_id": "U0DANA", "https://slack.com/team_id": "T0DESK",
                        "name": "Dana"}
    await browser.open(url_of(client, "/signin"))
    await browser.screenshot("sign-in")
    await browser.click("form[action='/signin/with/slack'] button")
    await browser.until_text("my laptop screen flickers all day", seconds=10)
    await browser.screenshot("my-tickets")
    await browser.open(url_of(client, "/tickets/INC-1"))
    await browser.type_into("#text-comment", "It also flickers on the docking station")
    await browser.click("form.action:has(#text-comment) button")
    await browser.until_text("Comment added to INC-1.", seconds=10)
    await browser.screenshot("ticket")
    await deliver(chat.desk, messenger, clock)
    assert any("Dana wrote: It also flickers on the docking station" in d.card.text for d in messenger.delivered)


async def test_the_status_page_shows_an_outage_declared_in_chat_within_two_seconds(
        browser: Browser, make_client: Callable[..., Any], chat: Chat) -> None:
    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True))
    await browser.open(url_of(client, "/status"))
    await browser.until_text("None: every service is working.", seconds=5)
    await asyncio.sleep(2.5)  # asks that found nothing new (204) keep the page asking
    chat.desk_command(SAM, 'outage declare email "Outlook cannot connect"')
    took = await browser.until_text("Outlook cannot connect", seconds=2)
    assert took <= 2
    await browser.screenshot("status")


async def test_a_leads_dashboard_shows_the_figures_of_spoc_report(
        browser: Browser, client: TestClient, chat: Chat, clock: ManualClock, database_url: str) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    chat.say(KIM, "I need access to the finance share")
    chat.desk_command(SAM, "resolve INC-1 replaced the cable")
    clock.advance(timedelta(hours=2))
    period = "since=2026-03-01&until=2026-03-02T10:00%2B00:00"
    await browser.open(url_of(client, f"/signin/{link_code(chat.desk_command(SAM, 'web'))}"))
    await browser.click("form button")
    await browser.open(url_of(client, f"/dashboard?{period}"))
    shown = await browser.text()
    result = CliRunner().invoke(app, ["report", "--since", "2026-03-01", "--until", "2026-03-02T10:00+00:00",
                                      "--format", "json"], env={"SPOC_DATABASE_URL": database_url, "SPOC_CONFIG": ""})
    figures = json.loads(result.stdout)
    assert f"{figures['volume']['opened']}\nOpened" in shown and f"{figures['volume']['resolved']}\nResolved" in shown
    assert f"{figures['backlog']['total']}\nBacklog" in shown
    await browser.screenshot("dashboard")


async def test_an_employee_orders_from_the_catalog_page_fixes_a_missing_answer_and_sees_the_approval_asked(
        browser: Browser, client: TestClient, chat: Chat) -> None:
    chat.say(DANA, "my laptop screen flickers all day")
    await browser.open(url_of(client, f"/signin/{link_code(chat.desk_command(DANA, 'web'))}"))
    await browser.click("form button")
    await browser.until_away_from("/signin/", seconds=10)
    await browser.open(url_of(client, "/catalog"))
    await browser.until_text("Access to a shared drive", seconds=5)
    await browser.screenshot("catalog")
    await browser.click("a[href='/catalog/shared-drive-access']")
    await browser.type_into("#field-share", "Finance (S:)")
    await browser.type_into("#field-access", "read and write")
    await browser.click("form.order button")
    await browser.until_text("Why do you need it is required.", seconds=10)
    await browser.screenshot("catalog-item")
    await browser.type_into("#field-reason", "I close the books each month")
    await browser.click("form.order button")
    await browser.until_text("REQ-2 ordered: Access to a shared drive.", seconds=10)
    shown = await browser.text()
    assert "Approval\nwaiting for Lee" in shown and "I close the books each month" in shown
    await browser.screenshot("order")


@pytest.mark.parametrize("javascript", [True, False], ids=["with javascript", "signed in without javascript"])
async def test_every_page_passes_axe_with_no_serious_violation(
        browser: Browser, make_client: Callable[..., Any], chat: Chat, javascript: bool) -> None:
    from core.knowledge import ArticleText

    knowledge = type(chat.desk.deps.knowledge)()
    knowledge.articles["vpn-drops"] = ArticleText(slug="vpn-drops", title="VPN drops",
                                                  body="# Fix it\n\n1. Restart\n2. [Status](https://status.example)")
    client: TestClient = await make_client(WebSettings(session_secret="s", public_status=True),
                                           knowledge_base=knowledge)
    chat.say(DANA, "my laptop screen flickers all day")
    chat.desk_command(SAM, 'outage declare email "Outlook cannot connect"')
    if not javascript:
        await browser.call("execute_cdp_cmd", "Emulation.setScriptExecutionDisabled", {"value": True})
    await browser.open(url_of(client, f"/signin/{link_code(chat.desk_command(SAM, 'web'))}"))
    await browser.click("form button")
    await browser.until_away_from("/signin/", seconds=10)
    if not javascript:  # the forms work without it: signing in above, and a reply
        await browser.open(url_of(client, "/tickets/INC-1"))
        await browser.type_into("#text-comment", "sent without javascript")
        await browser.click("form.action:has(#text-comment) button")
        await browser.until_text("Comment added to INC-1.", seconds=10)
        await browser.call("execute_cdp_cmd", "Emulation.setScriptExecutionDisabled", {"value": False})
    chat.desk_command(SAM, "order vpn-access --reason travelling")
    for path in ("/signin", "/tickets", "/tickets/INC-1", "/kb?q=vpn", "/kb/vpn-drops", "/status",
                 "/dashboard?since=7d", "/catalog", "/catalog?q=share", "/catalog/new-hire", "/tickets/REQ-2"):
        await browser.open(url_of(client, path))
        violations = await browser.accessibility_violations()
        assert violations == [], (path, [(v["id"], v["help"], [n["html"] for n in v["nodes"]][:3])
                                         for v in violations])
    await browser.open(url_of(client, "/catalog/new-hire"))
    await browser.click("form.order button")  # sent empty: each field says what it needs
    await browser.until_text("is required.", seconds=10)
    violations = await browser.accessibility_violations()
    assert violations == [], [(v["id"], v["help"], [n["html"] for n in v["nodes"]][:3]) for v in violations]
