"""Signed HTTP requests as Slack sends them to a bolt app in HTTP mode.

Every builder starts from a real payload captured in bolt-python's own tests (copied to
../shared/data/slack/payloads) and changes only the identifiers and text, so the shapes stay Slack's.
When the samples are absent the builders raise FileNotFoundError naming the path; tests check
`payloads_available()` and skip. Events API bodies are JSON; slash commands are form fields;
interactivity (block actions, shortcuts, view submissions) is a form with one `payload` field of JSON.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

# The workspace the stand-in Web API answers for (auth.test) and the signed requests come from.
TEAM_ID = "T0001"
APP_ID = "A0001"
BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

_event_numbers = itertools.count(1)


def slack_payloads_dir() -> Path:
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root.parent / "shared" / "data" / "slack" / "payloads"


def payloads_available() -> bool:
    return slack_payloads_dir().is_dir()


def _sample_text(name: str) -> str:
    path = slack_payloads_dir() / name
    if not path.exists():
        raise FileNotFoundError(
            f"Slack payload sample {path} is missing; the builders in tests/standins/slack_requests.py "
            "start from the real shapes in ../shared/data/slack/payloads beside the repository"
        )
    return path.read_text(encoding="utf-8")


def _sample(name: str) -> dict[str, Any]:
    return json.loads(_sample_text(name))


# -- signing ------------------------------------------------------------------------------------------


def signature(body: bytes, *, secret: str, timestamp: int) -> str:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` keyed with the signing secret."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes,
    *,
    secret: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Headers Slack sends with `body`; `retry_num` marks a redelivery (Slack retries up to 3 times)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Content-Type": JSON_CONTENT_TYPE if body.lstrip().startswith(b"{") else FORM_CONTENT_TYPE,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(body, secret=secret, timestamp=timestamp),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


# -- Events API ---------------------------------------------------------------------------------------


def new_event_id() -> str:
    return f"Ev{next(_event_numbers):04d}{uuid.uuid4().hex[:6].upper()}"


def new_ts(now: float | None = None) -> str:
    """A message timestamp as Slack writes it: seconds, a dot, six digits."""
    return f"{time.time() if now is None else now:.6f}"


def event_body(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
) -> bytes:
    """`event` in the Events API envelope, with a fresh event_id unless one is given (retries reuse it)."""
    body = _sample("events__valid_event_body.json")
    body.pop("enterprise_id", None)
    body.pop("authed_users", None)  # deprecated; Slack sends authorizations instead
    body.update(
        team_id=team_id,
        api_app_id=api_app_id,
        event=event,
        event_id=event_id or new_event_id(),
        event_time=int(time.time()) if event_time is None else event_time,
        authorizations=[
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        is_ext_shared_channel=False,
    )
    return json.dumps(body).encode()


def message_event(
    *,
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A person's message; `channel_type` is "channel", "group", "im" or "mpim"."""
    event = _sample("message__message_body.json")["event"]
    ts = ts or new_ts()
    event.update(
        client_msg_id=str(uuid.uuid4()),
        text=text,
        user=user,
        ts=ts,
        event_ts=ts,
        team=team_id,
        channel=channel,
        channel_type=channel_type,
    )
    event["blocks"][0]["elements"][0]["elements"] = [{"type": "text", "text": text}]
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def app_mention_event(
    *, channel: str, user: str, text: str, ts: str | None = None, thread_ts: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    event = _sample("events__valid_event_body.json")["event"]
    ts = ts or new_ts()
    event.update(client_msg_id=str(uuid.uuid4()), text=text, user=user, ts=ts, event_ts=ts, team=team_id,
                 channel=channel)
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def reaction_added_event(
    *, user: str, reaction: str, channel: str, ts: str, item_user: str | None = None,
) -> dict[str, Any]:
    """`user` reacted with :reaction: to the message `ts` in `channel`."""
    event = _sample("events__valid_reaction_added_body.json")["event"]
    event.update(user=user, reaction=reaction, item={"type": "message", "channel": channel, "ts": ts},
                 event_ts=new_ts())
    if item_user is None:
        event.pop("item_user", None)
    else:
        event["item_user"] = item_user
    return event


def url_verification_body(*, challenge: str) -> bytes:
    body = _sample("events_url_verification__event_body.json")
    body["challenge"] = challenge
    return json.dumps(body).encode()


# -- slash commands and interactivity ---------------------------------------------------------------


def slash_command_body(
    *,
    command: str = "/desk",
    text: str,
    user_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    user_name: str | None = None,
    channel_name: str = "it-help",
) -> bytes:
    fields = dict(parse_qsl(_sample_text("slash_command__slash_command_body.form-urlencoded.txt").strip()))
    fields.pop("enterprise_id", None)
    fields.pop("enterprise_name", None)
    fields.update(
        team_id=team_id, channel_id=channel_id, channel_name=channel_name, user_id=user_id,
        user_name=user_name or user_id.lower(), command=command, text=text, api_app_id=api_app_id,
        is_enterprise_install="false", response_url=response_url, trigger_id=trigger_id,
    )
    return urlencode(fields).encode()


def _team(team_id: str) -> dict[str, Any]:
    return {"id": team_id, "domain": "spoc-test"}


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _interactive(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def block_actions_body(
    *,
    user_id: str,
    action_id: str,
    value: str,
    channel_id: str,
    message_ts: str,
    response_url: str,
    trigger_id: str,
    block_id: str = "b",
    message: dict[str, Any] | None = None,
    is_ephemeral: bool = False,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> bytes:
    """A button press on a message; pass `message` (the posted message) as Slack includes it."""
    payload = _sample("block_actions__body.json")
    payload.update(user=_user(user_id, team_id), api_app_id=api_app_id, trigger_id=trigger_id,
                   team=_team(team_id), channel={"id": channel_id, "name": "it-help"},
                   response_url=response_url)
    payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                            "is_ephemeral": is_ephemeral}
    action = payload["actions"][0]
    action.update(action_id=action_id, block_id=block_id, value=value, action_ts=new_ts())
    if message is not None:
        payload["message"] = copy.deepcopy(message)
    return _interactive(payload)


def view_submission_body(
    *,
    user_id: str,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    private_metadata: str = "",
    view_id: str = "V0001",
    trigger_id: str = "111.222.valid",
    response_urls: list[dict[str, str]] | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
) -> bytes:
    """A modal submitted; `values` is view.state.values: {block_id: {action_id: {"value": ...}}}."""
    payload = _sample("view_submission__body.json")
    payload.update(user=_user(user_id, team_id), api_app_id=api_app_id, trigger_id=trigger_id,
                   team=_team(team_id), response_urls=response_urls or [])
    view = payload["view"]
    view.update(id=view_id, root_view_id=view_id, team_id=team_id, app_id=api_app_id, callback_id=callback_id,
                private_metadata=private_metadata, state={"values": values}, app_installed_team_id=team_id,
                bot_id=BOT_ID)
    return _interactive(payload)


def message_shortcut_body(
    *,
    user_id: str,
    callback_id: str,
    channel_id: str,
    message_ts: str,
    message_text: str,
    message_user: str,
    response_url: str,
    trigger_id: str,
    team_id: str = TEAM_ID,
) -> bytes:
    """The "..." menu on a message: `message_user` wrote `message_text`, `user_id` chose the shortcut."""
    payload = _sample("shortcut__message_shortcut_body.json")
    payload.update(action_ts=new_ts(), team=_team(team_id), user={"id": user_id, "name": user_id.lower()},
                   channel={"id": channel_id, "name": "it-help"}, callback_id=callback_id,
                   trigger_id=trigger_id, message_ts=message_ts, response_url=response_url)
    message = payload["message"]
    message.update(client_msg_id=str(uuid.uuid4()), text=message_text, user=message_user, ts=message_ts,
                   team=team_id)
    message["blocks"][0]["elements"][0]["elements"] = [{"type": "text", "text": message_text}]
    return _interactive(payload)


def global_shortcut_body(*, user_id: str, callback_id: str, trigger_id: str, team_id: str = TEAM_ID) -> bytes:
    payload = _sample("shortcut__global_shortcut_body.json")
    payload.update(action_ts=new_ts(), team=_team(team_id), user=_user(user_id, team_id),
                   callback_id=callback_id, trigger_id=trigger_id)
    return _interactive(payload)
