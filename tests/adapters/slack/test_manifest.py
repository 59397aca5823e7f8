from __future__ import annotations

from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[3] / "adapters" / "slack" / "manifest.yaml"


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
