"""The Slack app manifest spoc needs, for Socket Mode or for HTTP mode at a public HTTPS URL."""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml

EVENTS_PATH = "/slack/events"


class ManifestError(ValueError):
    """A request URL Slack would not accept; the message says what to give instead."""


@cache
def _shipped() -> dict[str, Any]:
    text = resources.files("adapters.slack").joinpath("manifest.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def bot_scopes() -> frozenset[str]:
    """The OAuth scopes the bot token needs."""
    return frozenset(_shipped()["oauth_config"]["scopes"]["bot"])


def request_url(http_url: str) -> str:
    """Where Slack posts events, commands and interactions: the URL as given, or at /slack/events on its host."""
    parts = urlsplit(http_url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError(f"{http_url.strip()!r}: Slack sends requests only to https:// URLs, like "
                            f"https://spoc.example.com; put a TLS reverse proxy in front of spoc's http.port")
    path = parts.path if parts.path not in ("", "/") else EVENTS_PATH
    return f"https://{parts.netloc}{path}" + (f"?{parts.query}" if parts.query else "")


def manifest(*, http_url: str = "") -> dict[str, Any]:
    """The manifest for Socket Mode, or for HTTP mode with every request URL set when `http_url` is given."""
    found = copy.deepcopy(_shipped())
    if not http_url:
        return found
    url = request_url(http_url)
    settings = found["settings"]
    settings["socket_mode_enabled"] = False
    settings["event_subscriptions"]["request_url"] = url
    settings["interactivity"]["request_url"] = url
    for command in found["features"]["slash_commands"]:
        command["url"] = url
    return found


def manifest_yaml(*, http_url: str = "") -> str:
    mode = f"HTTP mode at {request_url(http_url)}" if http_url else "Socket Mode"
    head = f"# spoc's Slack app manifest for {mode}: paste it at https://api.slack.com/apps -> Create New App -> " \
           "From an app manifest.\n"
    return head + yaml.safe_dump(manifest(http_url=http_url), sort_keys=False, allow_unicode=True)
