"""Checks a Slack Web API call against Slack's own OpenAPI 2.0 spec (slackapi/slack-api-specs).

The spec is frozen since 2021 and is not the whole truth, so the check follows Slack's servers where the
two disagree:

- Slack accepts GET and POST for every method, whatever verb the spec lists (it lists `views.*` and
  `auth.test` as GET; slack_sdk POSTs them), so the verb is not checked; a JSON body is, because Slack
  only reads JSON for methods whose spec `consumes` application/json.
- The token travels in the Authorization header, so `token` is never a required argument.
- Form and query values are all strings: "true"/"false"/"1"/"0" are booleans, digits are numbers.
  Parameters the spec types as string may carry JSON (`blocks`, `view`): a list or object in a JSON
  body, a JSON text in a form.
- Methods newer than the spec are described in `NEWER_METHODS`, from Slack's method reference.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def slack_spec_path() -> Path:
    """Where Slack's Web API spec is expected: ../shared/data/slack/web-api beside the repository."""
    repo_root = Path(__file__).resolve().parents[2]
    return repo_root.parent / "shared" / "data" / "slack" / "web-api" / "slack_web_openapi_v2.json"


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # string | integer | number | boolean
    required: bool = False


@dataclass(frozen=True)
class MethodSpec:
    name: str
    params: Mapping[str, Param]
    accepts_json: bool


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

NEWER_METHODS: dict[str, MethodSpec] = {
    spec.name: spec
    for spec in (
        MethodSpec(
            "files.getUploadURLExternal",
            {
                "filename": Param("filename", "string", required=True),
                "length": Param("length", "integer", required=True),
                "alt_txt": Param("alt_txt", "string"),
                "snippet_type": Param("snippet_type", "string"),
            },
            accepts_json=True,
        ),
        MethodSpec(
            "files.completeUploadExternal",
            {
                "files": Param("files", "string", required=True),
                "channel_id": Param("channel_id", "string"),
                "channels": Param("channels", "string"),
                "initial_comment": Param("initial_comment", "string"),
                "thread_ts": Param("thread_ts", "string"),
                "blocks": Param("blocks", "string"),
            },
            accepts_json=True,
        ),
        MethodSpec("apps.connections.open", {}, accepts_json=False),
    )
}

# Slack accepts either name for the same argument since the spec was frozen.
ALTERNATIVES: dict[str, dict[str, tuple[str, ...]]] = {
    "views.open": {"trigger_id": ("interactivity_pointer",)},
    "views.push": {"trigger_id": ("interactivity_pointer",)},
}

# slack_sdk adds team_id to every call of a client built with team_id= (bolt builds one per request).
UNIVERSAL_PARAMS = frozenset({"token", "team_id"})

# Arguments typed as string that Slack parses as JSON; a Python repr in them is a classic mistake.
JSON_TEXT_PARAMS = frozenset({"blocks", "attachments", "view", "files", "metadata", "user_auth_blocks"})

_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_BOOLEAN_TEXT = frozenset({"true", "false", "1", "0"})


class SlackSpec:
    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(
                f"Slack's OpenAPI spec is not at {path}; "
                "it is expected in ../shared/data beside the repository"
            )
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.methods: dict[str, MethodSpec] = {}
        for route, operations in raw["paths"].items():
            # One verb per method in this spec.
            operation = next(iter(operations.values()))
            params = {
                p["name"]: Param(p["name"], p.get("type", "string"), bool(p.get("required")))
                for p in operation.get("parameters", [])
                if p["name"] != "token"
            }
            name = route.lstrip("/")
            self.methods[name] = MethodSpec(name, params, JSON in (operation.get("consumes") or [FORM]))
        for name, spec in NEWER_METHODS.items():
            self.methods.setdefault(name, spec)

    def check(
        self,
        method: str,
        args: Mapping[str, Any],
        *,
        http_method: str,
        content_type: str,
        has_token: bool,
        strict_unknown_params: bool = False,
    ) -> list[str]:
        """What is wrong with this call, one sentence per problem; empty when it matches the spec."""
        spec = self.methods.get(method)
        if spec is None:
            return [
                f"{method}: not a method in Slack's Web API spec; if it is newer than the 2021 spec, "
                "describe it in NEWER_METHODS in tests/standins/openapi_check.py"
            ]
        problems: list[str] = []
        if http_method not in ("GET", "POST"):
            problems.append(f"{method}: sent with {http_method}; Slack takes GET or POST")
        if content_type == JSON and not spec.accepts_json:
            problems.append(
                f"{method}: sent as a JSON body, but Slack reads this method only from form or query")
        if not has_token and method != "api.test":
            problems.append(f"{method}: no token (neither an Authorization header nor a token argument)")
        for param in spec.params.values():
            alternatives = ALTERNATIVES.get(method, {}).get(param.name, ())
            if param.required and not any(name in args for name in (param.name, *alternatives)):
                problems.append(f"{method}: required argument {param.name!r} is missing")
        for name, value in args.items():
            param = spec.params.get(name)
            if name == "token":
                continue
            if param is None:
                if strict_unknown_params and name not in UNIVERSAL_PARAMS:
                    problems.append(f"{method}: argument {name!r} is not in the spec")
                continue
            problem = _type_problem(param, value)
            if problem:
                problems.append(f"{method}: argument {name!r} {problem}")
        return problems


def _type_problem(param: Param, value: Any) -> str | None:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    if value is None:
        return f"is null; leave it out instead (spec type {param.type})"
    if param.type == "string":
        if isinstance(value, str):
            if param.name in JSON_TEXT_PARAMS and not _is_json_structure(value):
                return f"= {shown} is not JSON text, but Slack parses it as JSON"
            return None
        # JSON structures, flags the spec types as string (as_user, link_names on some methods),
        # and the file part of a multipart body (files.upload)
        if isinstance(value, list | dict | bool | bytes):
            return None
        return f"= {shown} is a {type(value).__name__}; the spec says string"
    if param.type == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and _INTEGER.fullmatch(value)
        )
        return None if ok else f"= {shown} is not an integer"
    if param.type == "number":
        ok = (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and _NUMBER.fullmatch(value)
        )
        return None if ok else f"= {shown} is not a number"
    if param.type == "boolean":
        ok = isinstance(value, bool) or value in (0, 1) or (isinstance(value, str) and value in _BOOLEAN_TEXT)
        return None if ok else f"= {shown} is not a boolean (true/false/1/0)"
    return None


def _is_json_structure(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list | dict)
    except ValueError:
        return False


@functools.cache
def load_spec(path: Path | None = None) -> SlackSpec:
    """The parsed spec, read once per process (it is 1.2 MB)."""
    return SlackSpec(path or slack_spec_path())
