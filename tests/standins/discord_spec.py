"""Checks REST calls against Discord's OpenAPI 3.1 spec (github.com/discord/discord-api-spec).

The spec's paths omit the ``/api/v10`` prefix (it lives in ``servers[0].url``) and name parameters
differently from discord.py (``{interaction_id}`` where discord.py says ``{webhook_id}``), so calls are
matched by their concrete path, segment by segment, preferring literal segments (``/users/@me`` wins
over ``/users/{user_id}``).

Bodies are checked closed-world: a property the request schema does not list is reported, although
Discord itself silently ignores unknown fields; that is how a typo such as ``"embed"`` gets caught.
Pragmatic leniencies, all documented by Discord's own spec README: integer fields accept numeric
strings, and snowflake fields accept integers (discord.py sends IDs as ints).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

_REPO_ROOT = Path(__file__).resolve().parents[2]

# Properties added to the loaded schemas so they are not reported. Keep both lists short and named.
# 1. Documented by Discord (developers/docs/interactions/application-commands, "nsfw?") but missing
#    from the spec (commit 74fda0f); discord.py 2.7 sends it on every command sync.
_NSFW = {"type": ["boolean", "null"]}
KNOWN_SPEC_GAPS: dict[str, dict[str, Any]] = {
    "ApplicationCommandCreateRequest": {"nsfw": _NSFW},
    "ApplicationCommandUpdateRequest": {"nsfw": _NSFW},
    "ApplicationCommandPatchRequestPartial": {"nsfw": _NSFW},
}
# 2. Sent by discord.py 2.7 whatever the caller passes, and ignored by Discord: ``tts: false`` on every
#    message edit, and ``flags`` inside every ``Embed.to_dict()``. An adapter cannot avoid them.
_TTS = {"tts": {"type": ["boolean", "null"]}}
DISCORD_PY_EXTRAS: dict[str, dict[str, Any]] = {
    "MessageEditRequestPartial": _TTS,
    "IncomingWebhookUpdateRequestPartial": _TTS,
    "IncomingWebhookUpdateForInteractionCallbackRequestPartial": _TTS,
    "RichEmbed": {"flags": {"type": ["integer", "null"]}},
}


def discord_spec_path() -> Path:
    """Where the spec lives: ``../shared/data/discord/specs/openapi.json`` next to the repo root."""
    return _REPO_ROOT.parent / "shared" / "data" / "discord" / "specs" / "openapi.json"


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def template_matches(template: str, path: str) -> bool:
    """``/channels/{channel_id}/messages`` matches ``/channels/123/messages``."""
    want, have = _segments(template), _segments(path)
    return len(want) == len(have) and all(
        (w.startswith("{") and w.endswith("}") and h) or w == h for w, h in zip(want, have, strict=True)
    )


def specificity(template: str) -> int:
    return sum(1 for s in _segments(template) if not s.startswith("{"))


class DiscordSpec:
    def __init__(self, document: dict[str, Any]) -> None:
        self._doc = document
        schemas = document.get("components", {}).get("schemas", {})
        for name, extra in [*KNOWN_SPEC_GAPS.items(), *DISCORD_PY_EXTRAS.items()]:
            if name in schemas:
                schemas[name]["properties"] = {**extra, **schemas[name].get("properties", {})}
        servers = document.get("servers") or [{"url": ""}]
        self.prefix = urlparse(servers[0]["url"]).path.rstrip("/")
        self._templates = sorted(document["paths"], key=specificity, reverse=True)

    @classmethod
    @functools.cache
    def load(cls, path: Path | None = None) -> DiscordSpec:
        return cls(json.loads((path or discord_spec_path()).read_text(encoding="utf-8")))

    def template_for(self, path: str) -> str | None:
        if self.prefix and path.startswith(self.prefix + "/"):
            path = path[len(self.prefix) :]
        return next((t for t in self._templates if template_matches(t, path)), None)

    def check(self, *, method: str, path: str, query: Mapping[str, str], body: Any) -> list[str]:
        """Problems with one call, each a readable sentence naming the method and spec template."""
        template = self.template_for(path)
        if template is None:
            return [f"{method} {path}: no such path in Discord's spec"]
        path_item = self._doc["paths"][template]
        operation = path_item.get(method.lower())
        label = f"{method} {template}"
        if operation is None:
            allowed = sorted(m.upper() for m in path_item if m != "parameters")
            return [f"{label}: method not in spec (spec allows {', '.join(allowed)})"]
        problems: list[str] = []
        declared = {
            p["name"]
            for p in [*path_item.get("parameters", []), *operation.get("parameters", [])]
            if p.get("in") == "query"
        }
        problems += [
            f"{label}: query parameter {name!r} not in spec" for name in query if name not in declared
        ]
        request = operation.get("requestBody")
        if body is None:
            if request and request.get("required"):
                problems.append(f"{label}: spec requires a JSON body, none sent")
            return problems
        if request is None:
            return [*problems, f"{label}: spec defines no request body, one was sent"]
        schema = request["content"].get("application/json", {}).get("schema")
        if schema is not None:
            errors: list[str] = []
            self._validate(schema, body, "body", errors)
            problems += [f"{label}: {e}" for e in errors]
        return problems

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            node: Any = self._doc
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _validate(self, schema: Mapping[str, Any], value: Any, where: str, errors: list[str]) -> None:
        schema = self._resolve(schema)
        if "allOf" in schema:
            merged = self._merge_all_of(schema)
            if merged is not None:
                schema = merged
            else:
                for part in schema["allOf"]:
                    self._validate(part, value, where, errors)
        if not self._type_ok(schema, value):
            errors.append(f"{where}: {_describe(value)} is not {_type_names(schema)}")
            return
        if "const" in schema and value != schema["const"]:
            errors.append(f"{where}: must be {schema['const']!r}, got {value!r}")
        if "enum" in schema and value not in schema["enum"] and value is not None:
            errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
        alternatives = schema.get("oneOf") or schema.get("anyOf")
        if alternatives:
            self._validate_alternatives(alternatives, value, where, errors)
        if isinstance(value, str):
            self._check_string(schema, value, where, errors)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                errors.append(f"{where}: {value} is below the minimum {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                errors.append(f"{where}: {value} is above the maximum {schema['maximum']}")
        elif isinstance(value, list):
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                errors.append(f"{where}: {len(value)} items, spec allows at most {schema['maxItems']}")
            if "items" in schema:
                for n, item in enumerate(value):
                    self._validate(schema["items"], item, f"{where}[{n}]", errors)
        elif isinstance(value, dict):
            self._check_object(schema, value, where, errors)

    def _validate_alternatives(
        self, alternatives: list[Any], value: Any, where: str, errors: list[str]
    ) -> None:
        """Valid if any alternative is. Otherwise report the closest one, preferring alternatives whose
        ``type`` discriminator accepts the value (a type 7 callback is judged as an update)."""
        best: tuple[bool, int, list[str]] | None = None
        for alternative in alternatives:
            attempt: list[str] = []
            self._validate(alternative, value, where, attempt)
            if not attempt:
                return
            rank = (not self._discriminator_fits(alternative, value), len(attempt), attempt)
            if best is None or rank[:2] < best[:2]:
                best = rank
        errors.extend(best[2] if best else [f"{where}: matches none of the spec's alternatives"])

    def _discriminator_fits(self, alternative: Mapping[str, Any], value: Any) -> bool:
        if not isinstance(value, dict) or "type" not in value:
            return True
        declared = self._resolve(alternative).get("properties", {}).get("type")
        if declared is None:
            return True
        declared = self._resolve(declared)
        if "const" in declared:
            return value["type"] == declared["const"]
        return "enum" not in declared or value["type"] in declared["enum"]

    def _merge_all_of(self, schema: Mapping[str, Any]) -> dict[str, Any] | None:
        parts = [self._resolve(p) for p in schema["allOf"]]
        if not any("properties" in p for p in parts):
            return None
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        merged["type"] = "object"
        merged["properties"] = dict(schema.get("properties", {}))
        merged["required"] = list(schema.get("required", []))
        for part in parts:
            merged["properties"] |= part.get("properties", {})
            merged["required"] += part.get("required", [])
        return merged

    def _check_string(self, schema: Mapping[str, Any], value: str, where: str, errors: list[str]) -> None:
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{where}: {len(value)} characters, spec allows at most {schema['maxLength']}")
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{where}: {len(value)} characters, spec needs at least {schema['minLength']}")
        if "pattern" in schema and _allows(schema, "string") and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")

    def _check_object(
        self, schema: Mapping[str, Any], value: dict[str, Any], where: str, errors: list[str]
    ) -> None:
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{where}: required property {name!r} missing")
        for name, item in value.items():
            if properties is not None and name in properties:
                self._validate(properties[name], item, f"{where}.{name}", errors)
            elif isinstance(extra, Mapping):
                self._validate(extra, item, f"{where}.{name}", errors)
            elif properties is not None and extra is not True:
                errors.append(f"{where}.{name}: property not in the spec's schema")

    @staticmethod
    def _type_ok(schema: Mapping[str, Any], value: Any) -> bool:
        declared = schema.get("type")
        if declared is None:
            return True
        kinds = [declared] if isinstance(declared, str) else list(declared)
        return any(_is_kind(kind, value, schema) for kind in kinds)


def _allows(schema: Mapping[str, Any], kind: str) -> bool:
    declared = schema.get("type")
    return declared == kind or (isinstance(declared, list) and kind in declared)


def _is_kind(kind: str, value: Any, schema: Mapping[str, Any]) -> bool:
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "null":
        return value is None
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, str) and value.lstrip("-").isdigit())
    if kind == "number":
        return isinstance(value, int | float)
    if kind == "string":
        if isinstance(value, int) and schema.get("format") == "snowflake":
            return value >= 0
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return False


def _type_names(schema: Mapping[str, Any]) -> str:
    declared = schema["type"]
    return declared if isinstance(declared, str) else " or ".join(declared)


def _describe(value: Any) -> str:
    return "null" if value is None else f"{type(value).__name__} {value!r}"[:80]
