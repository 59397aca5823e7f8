"""The modals spoc opens: asking for a button's missing text, and the "New request" form."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

PROMPT_CALLBACK = "desk_prompt"
NEW_REQUEST_CALLBACK = "new_request"
NEW_CHANGE_CALLBACK = "new_change"
LEVELS = (("1", "1 high"), ("2", "2 medium"), ("3", "3 low"))


def _text(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text[:150]}


def _select(block_id: str, label: str, options: list[tuple[str, str]], *, optional: bool = True) -> dict[str, Any]:
    return {
        "type": "input", "block_id": block_id, "optional": optional, "label": _text(label),
        "element": {"type": "static_select", "action_id": "value",
                    "options": [{"text": _text(shown), "value": value} for value, shown in options][:100]},
    }


def prompt_modal(*, command: str, prompt: str, channel: str) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": PROMPT_CALLBACK,
        "title": _text("spoc"), "submit": _text("Send"), "close": _text("Cancel"),
        "private_metadata": json.dumps({"command": command, "channel": channel}),
        "blocks": [{
            "type": "input", "block_id": "text", "label": _text(prompt),
            "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
        }],
    }


def new_request_modal(*, categories: list[str]) -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": NEW_REQUEST_CALLBACK,
        "title": _text("New request"), "submit": _text("Open ticket"), "close": _text("Cancel"),
        "blocks": [
            {"type": "input", "block_id": "description", "label": _text("What do you need, or what is wrong?"),
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": True}},
            _select("kind", "Kind", [("incident", "Something is broken"), ("request", "I need something")]),
            _select("category", "Category", [(c, c) for c in categories]),
            _select("impact", "Who is affected", list(LEVELS)),
            _select("urgency", "How urgent", list(LEVELS)),
        ],
    }


def submitted(view: dict[str, Any], block_id: str) -> str:
    """The value a person entered or chose in one block of a submitted modal ('' when left empty)."""
    value = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    if value.get("type") == "static_select":
        return str((value.get("selected_option") or {}).get("value") or "")
    return str(value.get("value") or "")


def new_command(view: dict[str, Any]) -> str:
    """The `/desk new` twin of a submitted "New request" form."""
    options = [f"--{name} {chosen}" for name in ("kind", "category", "impact", "urgency")
               if (chosen := submitted(view, name))]
    return " ".join(["new", *options, submitted(view, "description")])


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _text(label), "element": element}


def new_change_modal(*, services: list[tuple[str, str]]) -> dict[str, Any]:
    """The "Plan a change" form; `services` are (name, what people read)."""
    return {
        "type": "modal", "callback_id": NEW_CHANGE_CALLBACK,
        "title": _text("Plan a change"), "submit": _text("Ask for approval"), "close": _text("Cancel"),
        "blocks": [
            _input("title", "What will change?", {"type": "plain_text_input", "action_id": "value"}),
            _select("service", "Service", services, optional=False),
            _input("start", "Starts", {"type": "datetimepicker", "action_id": "value"}),
            _input("end", "Ends", {"type": "datetimepicker", "action_id": "value"}),
            _select("risk", "Risk", [("low", "Low"), ("medium", "Medium"), ("high", "High")], optional=False),
            _input("plan", "Plan", {"type": "plain_text_input", "action_id": "value", "multiline": True}),
            _input("rollback", "Rollback",
                   {"type": "plain_text_input", "action_id": "value", "multiline": True}),
        ],
    }


def _when(view: dict[str, Any], block_id: str) -> str:
    value = view.get("state", {}).get("values", {}).get(block_id, {}).get("value", {})
    stamp = value.get("selected_date_time")
    return datetime.fromtimestamp(int(stamp), UTC).isoformat(timespec="minutes") if stamp else ""


def _quoted(text: str) -> str:
    """One argument of the /desk grammar, whatever quotes the text holds."""
    if '"' not in text:
        return f'"{text}"'
    return f"'{text}'" if "'" not in text else '"' + text.replace('"', "'") + '"'


def change_command(view: dict[str, Any]) -> str:
    """The `/desk change new` twin of a submitted "Plan a change" form."""
    parts = ["change new", "--service", submitted(view, "service") or '""']
    for name in ("start", "end"):
        parts += [f"--{name}", _when(view, name) or '""']
    parts += ["--risk", submitted(view, "risk") or '""']
    parts += ["--plan", _quoted(submitted(view, "plan")), "--rollback", _quoted(submitted(view, "rollback"))]
    return " ".join([*parts, submitted(view, "title")])
