from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from adapters.slack.manifest import bot_scopes
from bot.cli import app
from tests.conftest import shared_data

MANIFEST = Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifest.yaml"


def spoc_slack_manifest(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["slack", "manifest", *args], env={"COLUMNS": "300"})
    return result.exit_code, result.stdout, result.stderr


def test_the_manifest_declares_everything_the_listeners_use() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/desk"]
    assert {s["callback_id"] for s in features["shortcuts"]} == {"open_ticket", "new_request", "new_change"}
    assert {"app_mention", "message.channels", "message.im", "reaction_added", "app_home_opened"} <= \
        set(settings["event_subscriptions"]["bot_events"])
    assert settings["interactivity"]["is_enabled"] and features["app_home"]["home_tab_enabled"]
    assert {"chat:write", "commands", "im:write", "usergroups:read", "users:read.email"} <= \
        set(manifest["oauth_config"]["scopes"]["bot"])


def test_reading_a_message_works_in_every_kind_of_conversation_including_group_dms() -> None:
    """A :ticket: reaction fetches its message with conversations.history or .replies; Slack's spec names one
    scope per kind of conversation (channel, private channel, DM, group DM), and the manifest asks for each."""
    spec = json.loads(shared_data("slack", "web-api", "slack_web_openapi_v2_without_examples.json").read_text())
    for method in ("/conversations.history", "/conversations.replies"):
        [security] = spec["paths"][method]["get"]["security"]
        assert set(security["slackAuth"]) <= bot_scopes(), method
    assert "mpim:history" in bot_scopes()


def test_spoc_slack_manifest_prints_the_socket_mode_manifest_by_default() -> None:
    code, out, _ = spoc_slack_manifest()
    assert code == 0 and out.startswith("# spoc's Slack app manifest for Socket Mode")
    manifest = yaml.safe_load(out)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert manifest == yaml.safe_load(MANIFEST.read_text())


def test_spoc_slack_manifest_for_http_mode_fills_in_every_request_url() -> None:
    code, out, _ = spoc_slack_manifest("--http-url", "https://spoc.example.com")
    assert code == 0
    manifest = yaml.safe_load(out)
    url = "https://spoc.example.com/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert [c["url"] for c in manifest["features"]["slash_commands"]] == [url]
    code, out, _ = spoc_slack_manifest("--http-url", "https://example.com/spoc/in", "--format", "json")
    assert json.loads(out)["settings"]["interactivity"]["request_url"] == "https://example.com/spoc/in"


def test_a_plain_http_url_is_refused_because_slack_needs_https() -> None:
    assert spoc_slack_manifest("--http-url", "http://spoc.example.com:3000") == (
        2, "", "'http://spoc.example.com:3000': Slack sends requests only to https:// URLs, like "
               "https://spoc.example.com; put a TLS reverse proxy in front of spoc's http.port\n")
