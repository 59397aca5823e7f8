"""The Slack stand-in behaves like Slack for the real slack_sdk clients and the real slack-bolt app."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

import aiohttp
import pytest
from slack_bolt import App
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.standins import slack_requests
from tests.standins.openapi_check import SlackSpec
from tests.standins.slack_api import SlackApiStandIn, slack_spec_path
from tests.standins.slack_requests import (
    BOT_USER_ID,
    block_actions_body,
    event_body,
    global_shortcut_body,
    message_event,
    message_shortcut_body,
    payloads_available,
    reaction_added_event,
    signed_headers,
    slack_payloads_dir,
    slash_command_body,
    view_submission_body,
)

SECRET = "test-signing-secret"
TOKEN = "xoxb-test"

needs_spec = pytest.mark.skipif(
    not slack_spec_path().exists(), reason=f"Slack's OpenAPI spec not found at {slack_spec_path()}"
)
needs_payloads = pytest.mark.skipif(
    not payloads_available(), reason=f"real Slack payload samples not found at {slack_payloads_dir()}"
)


@pytest.fixture
async def slack():
    async with SlackApiStandIn() as standin:
        yield standin


@pytest.fixture
def client(slack: SlackApiStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=slack.url)


# -- the Web API as slack_sdk sees it ----------------------------------------------------------------


async def test_post_message_answers_with_a_fresh_increasing_ts_and_is_recorded(slack, client):
    first = await client.chat_postMessage(channel="C1", text="hello")
    second = await client.chat_postMessage(channel="C1", text="again", thread_ts=first["ts"])

    assert abs(float(first["ts"]) - time.time()) < 60, "a ts is the moment of posting"
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]
    calls = slack.calls_to("chat.postMessage")
    assert [c.args["text"] for c in calls] == ["hello", "again"]
    assert calls[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert calls[0].content_type == "application/json"


async def test_rate_limit_reaches_the_client_as_429_with_its_retry_after(slack, client):
    slack.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C1", text="hello")
    retried = await client.chat_postMessage(channel="C1", text="hello")

    assert refused.value.response.status_code == 429
    assert refused.value.response.headers["Retry-After"] == "7"
    assert refused.value.response["error"] == "ratelimited"
    assert retried["ok"] is True
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_sdk_rate_limit_handler_retries_by_itself_when_asked_to(slack):
    client = AsyncWebClient(token=TOKEN, base_url=slack.url,
                            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    slack.fail_next("chat.postMessage", status=429, retry_after=0)

    answer = await client.chat_postMessage(channel="C1", text="hello")

    assert answer["ok"] is True
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_scripted_slack_error_surfaces_with_its_name(slack, client):
    slack.fail_next("chat.postMessage", error="channel_not_found")

    with pytest.raises(SlackApiError) as failed:
        await client.chat_postMessage(channel="C404", text="hello")

    assert failed.value.response.status_code == 200
    assert failed.value.response["error"] == "channel_not_found"


async def test_server_errors_repeat_as_many_times_as_scripted(slack, client):
    slack.fail_next("users.info", status=500, times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as failed:
            await client.users_info(user="U1")
        assert failed.value.response.status_code == 500
    assert (await client.users_info(user="U1"))["ok"] is True


async def test_missing_token_is_refused_as_slack_does(slack):
    anonymous = AsyncWebClient(base_url=slack.url)

    with pytest.raises(SlackApiError) as refused:
        await anonymous.chat_postMessage(channel="C1", text="hello")

    assert refused.value.response["error"] == "not_authed"


async def test_users_usergroups_and_conversations_answer_with_configured_data(slack, client):
    slack.set_user("U1", name="Dana Scully", email="dana@example.org")
    slack.set_usergroup("S1", ["U1", "U2"])

    user = (await client.users_info(user="U1"))["user"]
    derived = (await client.users_info(user="U2"))["user"]
    members = (await client.usergroups_users_list(usergroup="S1"))["users"]
    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    found = (await client.users_lookupByEmail(email="dana@example.org"))["user"]["id"]

    assert (user["profile"]["real_name"], user["profile"]["email"]) == ("Dana Scully", "dana@example.org")
    assert derived["profile"]["email"] == "u2@example.com"
    assert members == ["U1", "U2"]
    assert dm.startswith("D")
    assert found == "U1"


async def test_chart_upload_sends_its_bytes_to_the_upload_url_the_stand_in_handed_out(slack, client):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))

    answer = await client.files_upload_v2(channel="C1", content=png, filename="chart.png", title="Backlog")

    [uploaded] = slack.uploaded_files.values()
    assert uploaded.data == png and uploaded.filename == "chart.png"
    assert answer["file"]["id"] == uploaded.file_id and answer["file"]["title"] == "Backlog"
    assert [c.method for c in slack.calls] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


async def test_socket_mode_is_not_offered_to_a_bot_token(slack, client):
    with pytest.raises(SlackApiError) as refused:
        await client.apps_connections_open(app_token=TOKEN)

    assert refused.value.response["error"] == "not_allowed_token_type"


async def test_get_query_args_and_form_token_are_read_as_slack_reads_them(slack):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{slack.url}users.info", params={"user": "U9"},
                            headers={"Authorization": f"Bearer {TOKEN}"}) as got:
            name = (await got.json())["user"]["name"]
        async with http.post(f"{slack.url}chat.postMessage",
                             data={"channel": "C1", "text": "hi", "token": "xoxb-form"}) as posted:
            assert (await posted.json())["ok"] is True

    info, message = slack.calls
    assert (info.http_method, info.args, name) == ("GET", {"user": "U9"}, "u9")
    assert (message.content_type, message.token) == ("application/x-www-form-urlencoded", "xoxb-form")


async def test_latency_slows_only_the_chosen_method(slack, client):
    slack.set_latency(0.2, method="chat.postMessage")

    started = time.monotonic()
    await client.auth_test()
    quick = time.monotonic() - started
    await client.chat_postMessage(channel="C1", text="slow")
    slow = time.monotonic() - started - quick

    assert quick < 0.2 <= slow


async def test_waiting_for_a_call_that_never_comes_names_what_did_come(slack, client):
    await client.auth_test()

    with pytest.raises(AssertionError, match="calls seen: auth.test"):
        await slack.wait_for_calls("chat.postMessage", timeout=0.05)


# -- the OpenAPI check --------------------------------------------------------------------------------


@needs_spec
async def test_calls_the_sdk_makes_for_everything_spoc_uses_match_slacks_spec(slack, client):
    view = {"type": "modal", "callback_id": "new-ticket", "title": {"type": "plain_text", "text": "New"},
            "blocks": []}
    posted = await client.chat_postMessage(channel="C1", text="hi", blocks=[{"type": "divider"}],
                                           unfurl_links=False)
    await client.chat_update(channel="C1", ts=posted["ts"], text="edited")
    await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    await client.chat_delete(channel="C1", ts=posted["ts"])
    await client.reactions_add(channel="C1", timestamp=posted["ts"], name="eyes")
    await client.conversations_open(users="U1")
    await client.conversations_info(channel="C1")
    await client.conversations_replies(channel="C1", ts=posted["ts"], limit=50)
    await client.users_info(user="U1")
    await client.usergroups_users_list(usergroup="S1")
    await client.views_open(trigger_id="1.2.3", view=view)
    await client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    await client.views_update(view_id="V1", view=view)
    await client.files_upload_v2(channel="C1", content=b"png", filename="chart.png")
    await client.auth_test()

    assert slack.spec_violations() == []


@needs_spec
async def test_spec_check_reports_missing_arguments_wrong_types_and_json_bodies_slack_ignores(slack, client):
    with pytest.raises(SlackApiError):  # Slack itself answers channel_not_found
        await client.api_call("chat.postMessage", json={"text": "hi"})
    await client.conversations_replies(channel="C1", ts="1700000000.000100", limit="ten")
    await client.api_call("users.info", json={"user": "U1"})
    await client.api_call("chat.postMessage", data={"channel": "C1", "text": "hi", "blocks": "[{'type': 1}]"})

    problems = slack.spec_violations()

    assert problems == [
        "call #1 chat.postMessage: required argument 'channel' is missing",
        "call #2 conversations.replies: argument 'limit' = 'ten' is not an integer",
        "call #3 users.info: sent as a JSON body, but Slack reads this method only from form or query",
        "call #4 chat.postMessage: argument 'blocks' = \"[{'type': 1}]\" is not JSON text, "
        "but Slack parses it as JSON",
    ]
    with pytest.raises(AssertionError, match="required argument 'channel' is missing"):
        slack.assert_calls_match_spec()


@needs_spec
async def test_form_encoded_booleans_and_json_text_blocks_are_accepted(slack, client):
    await client.api_call("chat.postMessage", data={
        "channel": "C1", "text": "hi", "blocks": json.dumps([{"type": "divider"}]), "mrkdwn": "false",
        "unfurl_links": "1",
    })
    await client.api_call("chat.postMessage", data={"channel": "C1", "text": "hi", "mrkdwn": "maybe"})

    assert slack.spec_violations() == [
        "call #2 chat.postMessage: argument 'mrkdwn' = 'maybe' is not a boolean (true/false/1/0)"
    ]


def test_missing_spec_is_named_so_tests_can_skip_with_a_reason(tmp_path):
    with pytest.raises(FileNotFoundError, match="slack_web_openapi_v2.json"):
        SlackSpec(tmp_path / "slack_web_openapi_v2.json")


def test_missing_payload_samples_are_named(monkeypatch, tmp_path):
    monkeypatch.setattr(slack_requests, "slack_payloads_dir", lambda: tmp_path / "payloads")

    with pytest.raises(FileNotFoundError, match="payloads/message__message_body.json"):
        message_event(channel="C1", user="U1", text="hi")


# -- signed requests ------------------------------------------------------------------------------------


@needs_payloads
def test_signed_request_verifies_with_slack_sdk_and_a_tampered_one_does_not():
    body = event_body(message_event(channel="C1", user="U1", text="printer on fire"))
    headers = signed_headers(body, secret=SECRET)
    verifier = SignatureVerifier(SECRET)

    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body.replace(b"printer", b"scanner"), headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    stale = signed_headers(body, secret=SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)


def test_retry_headers_mark_a_redelivery():
    headers = signed_headers(b"{}", secret=SECRET, retry_num=2)

    assert headers["X-Slack-Retry-Num"] == "2"
    assert headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert headers["Content-Type"] == "application/json"


@needs_payloads
def test_builders_keep_the_real_payload_shapes():
    event = json.loads(event_body(reaction_added_event(user="U1", reaction="eyes", channel="C1", ts="1.2")))
    command = dict(parse_qsl(slash_command_body(text="new printer jam", user_id="U1", channel_id="C1",
                                                response_url="http://127.0.0.1/r", trigger_id="t").decode()))
    action = _payload(block_actions_body(user_id="U1", action_id="claim", value="IT-1", channel_id="C1",
                                         message_ts="1.2", response_url="http://127.0.0.1/r", trigger_id="t"))

    assert event["type"] == "event_callback"
    assert event["event"]["item"] == {"type": "message", "channel": "C1", "ts": "1.2"}
    assert event["event_id"].startswith("Ev") and event["authorizations"][0]["user_id"] == BOT_USER_ID
    assert (command["command"], command["text"], command["trigger_id"]) == ("/desk", "new printer jam", "t")
    assert "response_url" in command and "enterprise_id" not in command
    assert action["type"] == "block_actions" and action["actions"][0]["action_id"] == "claim"
    assert action["container"]["message_ts"] == "1.2"


def _payload(body: bytes) -> dict:
    return json.loads(dict(parse_qsl(body.decode()))["payload"])


# -- the real slack-bolt app against the stand-in ---------------------------------------------------------


def _bolt_app(slack: SlackApiStandIn, **options) -> AsyncApp:
    return AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=slack.url), **options)


def _request(body: bytes, **header_options) -> AsyncBoltRequest:
    return AsyncBoltRequest(body=body.decode(), headers=signed_headers(body, secret=SECRET, **header_options))


@needs_payloads
async def test_signed_message_event_reaches_a_listener_whose_say_lands_on_the_stand_in(slack):
    app = _bolt_app(slack)

    @app.message("printer")
    async def answer(message, say):
        await say(text="On it", thread_ts=message["ts"])

    body = event_body(message_event(channel="C1", user="U1", text="the printer is on fire", ts="1.000200"))
    response = await app.async_dispatch(_request(body))
    [posted] = await slack.wait_for_calls("chat.postMessage")

    assert response.status == 200
    # bolt's per-request client is built with the event's team_id, which slack_sdk adds to every call
    assert posted.args == {"channel": "C1", "text": "On it", "thread_ts": "1.000200", "team_id": "T0001"}
    # bolt asks auth.test once, lazily at the first request, to learn its own bot user id
    assert [c.method for c in slack.calls] == ["auth.test", "chat.postMessage"]


@needs_payloads
async def test_bolt_ignores_the_bots_own_messages_as_learned_from_auth_test(slack):
    app = _bolt_app(slack, process_before_response=True)
    heard: list[str] = []

    @app.event("message")
    async def hear(event):
        heard.append(event["text"])

    await app.async_dispatch(_request(event_body(message_event(channel="C1", user=BOT_USER_ID, text="mine"))))
    await app.async_dispatch(_request(event_body(message_event(channel="C1", user="U1", text="theirs"))))

    assert heard == ["theirs"]


@needs_payloads
async def test_bolt_refuses_a_tampered_request_without_calling_slack(slack):
    app = _bolt_app(slack)
    body = event_body(message_event(channel="C1", user="U1", text="hello"))
    headers = signed_headers(body, secret=SECRET)

    response = await app.async_dispatch(AsyncBoltRequest(body=body.decode().replace("hello", "hullo"),
                                                         headers=headers))

    assert response.status == 401
    assert slack.calls == []


@needs_payloads
async def test_slash_command_acks_and_its_respond_posts_to_the_response_url(slack):
    app = _bolt_app(slack, process_before_response=True)

    @app.command("/desk")
    async def desk(ack, command, respond):
        await ack()
        await respond(text=f"Opened: {command['text']}")

    body = slash_command_body(text="printer jam", user_id="U1", channel_id="C1",
                              response_url=slack.new_response_url(), trigger_id="1.2.3")
    response = await app.async_dispatch(_request(body))

    assert response.status == 200
    assert [p.body["text"] for p in slack.webhook_posts] == ["Opened: printer jam"]


@needs_payloads
async def test_interactive_payloads_reach_their_listeners(slack):
    app = _bolt_app(slack, process_before_response=True)
    seen: list[str] = []

    @app.action("claim")
    async def claim(ack, body):
        await ack()
        seen.append(f"claim {body['actions'][0]['value']}")

    @app.view("new-ticket")
    async def submitted(ack, view):
        await ack()
        seen.append(f"view {view['state']['values']['title']['input']['value']}")

    @app.shortcut("ticket-from-message")
    async def from_message(ack, shortcut):
        await ack()
        seen.append(f"message shortcut {shortcut['message']['text']}")

    @app.shortcut("new-ticket")
    async def global_shortcut(ack, client, shortcut):
        await ack()
        await client.views_open(trigger_id=shortcut["trigger_id"], view={"type": "modal", "blocks": [],
                                "title": {"type": "plain_text", "text": "New"}})
        seen.append("global shortcut")

    url = slack.new_response_url()
    bodies = [
        block_actions_body(user_id="U1", action_id="claim", value="IT-7", channel_id="C1", message_ts="1.2",
                           response_url=url, trigger_id="1.2.3"),
        view_submission_body(user_id="U1", callback_id="new-ticket",
                             values={"title": {"input": {"type": "plain_text_input", "value": "VPN down"}}}),
        message_shortcut_body(user_id="U1", callback_id="ticket-from-message", channel_id="C1",
                              message_ts="1.2", message_text="VPN is down", message_user="U2",
                              response_url=url, trigger_id="1.2.3"),
        global_shortcut_body(user_id="U1", callback_id="new-ticket", trigger_id="1.2.4"),
    ]
    statuses = [(await app.async_dispatch(_request(body))).status for body in bodies]

    assert statuses == [200, 200, 200, 200]
    assert seen == ["claim IT-7", "view VPN down", "message shortcut VPN is down", "global shortcut"]
    assert slack.calls_to("views.open")[0].args["trigger_id"] == "1.2.4"


@needs_payloads
async def test_a_redelivered_event_is_dispatched_again_so_the_app_must_deduplicate(slack):
    app = _bolt_app(slack, process_before_response=True)
    deliveries: list[str] = []

    @app.event("reaction_added")
    async def reacted(body):
        deliveries.append(body["event_id"])

    body = event_body(reaction_added_event(user="U1", reaction="white_check_mark", channel="C1", ts="1.2"))
    await app.async_dispatch(_request(body))
    await app.async_dispatch(_request(body, retry_num=1))

    assert len(deliveries) == 2 and deliveries[0] == deliveries[1]


# -- from synchronous code, in a background thread --------------------------------------------------------


def test_runs_in_a_thread_for_the_sync_client_and_sync_bolt_app():
    with SlackApiStandIn() as slack:
        client = WebClient(token=TOKEN, base_url=slack.url)
        App(signing_secret=SECRET, client=client)  # checks its token with auth.test when built
        client.chat_postMessage(channel="C1", text="from a thread")

        assert [c.method for c in slack.wait_for_calls_sync("chat.postMessage")] == ["chat.postMessage"]
        assert [c.method for c in slack.calls] == ["auth.test", "chat.postMessage"]
