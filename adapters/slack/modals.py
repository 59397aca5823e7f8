"""The modals spoc opens: a form the core describes (`core.commands.forms.Form`: a button's questions, the
"New request" and "Plan a change" forms), and its answers read back by field name."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from core.commands.forms import Form, FormField

PROMPT_CALLBACK = "desk_prompt"
NEW_REQUEST_CALLBACK = "new_request"
NEW_CHANGE_CALLBACK = "new_change"
SELECT_OPTIONS = 100


def _text(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text[:150]}


def _element(field: FormField) -> dict[str, Any]:
    if field.kind == "choice" and 0 < len(field.choices) <= SELECT_OPTIONS:
        return {"type": "static_select", "action_id": "value",
                "options": [{"text": _text(shown), "value": value} for value, shown in field.choices]}
    if field.kind == "datetime":
        return {"type": "datetimepicker", "action_id": "value"}
    if field.kind == "date":
        return {"type": "datepicker", "action_id": "value"}
    return {"type": "plain_text_input", "action_id": "value", "multiline": field.kind == "paragraph"}


def form_modal(form: Form, *, callback_id: str, title: str, submit: str, channel: str = "") -> dict[str, Any]:
    """A modal asking each field of `form`; the command it completes rides along in its metadata."""
    return {
        "type": "modal", "callback_id": callback_id,
        "title": _text(title), "submit": _text(submit), "close": _text("Cancel"),
        "private_metadata": json.dumps({"command": form.command, "channel": channel}),
        "blocks": [_block(field) for field in form.fields],
    }


def _block(field: FormField) -> dict[str, Any]:
    block = {"type": "input", "block_id": field.name, "optional": not field.required, "label": _text(field.label),
             "element": _element(field)}
    if field.hint:
        block["hint"] = _text(field.hint)
    return block


def metadata(view: dict[str, Any]) -> tuple[str, str]:
    """(command, channel) a submitted modal carries."""
    data = json.loads(view.get("private_metadata") or "{}")
    return str(data.get("command") or ""), str(data.get("channel") or "")


def answers(view: dict[str, Any]) -> dict[str, object]:
    """What a person entered or chose in each block of a submitted modal, by block (the field's name):
    text as written, a choice's value, a date as written, a date and time as an instant. Blocks left
    empty are left out."""
    found: dict[str, object] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        value = actions.get("value") or {}
        kind = value.get("type")
        answer: object
        if kind == "static_select":
            answer = (value.get("selected_option") or {}).get("value")
        elif kind == "datepicker":
            answer = value.get("selected_date")
        elif kind == "datetimepicker":
            stamp = value.get("selected_date_time")
            answer = datetime.fromtimestamp(int(stamp), UTC) if stamp else None
        else:
            answer = value.get("value")
        if answer not in (None, ""):
            found[block_id] = answer
    return found
