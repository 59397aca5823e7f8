"""Core cards as Block Kit, within Slack's limits, with every piece of user text escaped."""

from __future__ import annotations

import json
from typing import Any

from core.cards import Button, Card
from core.text import defuse_mentions, inert, split_links

MAX_BLOCKS = 50
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
BUTTON_LABEL = 75
BUTTONS_PER_BLOCK = 25
FALLBACK_TEXT = 3000
ACTION_PREFIX = "desk:"
STYLE = {"primary": "primary", "danger": "danger"}


def escape(text: str) -> str:
    """Slack mrkdwn's rule for text a person wrote. Slack's three control characters are escaped, so no
    `<!channel>`, `<!here>`, `<@U..>`, `<!subteam^..>` or `<url|label>` written by a person becomes a mention
    or a link that hides where it goes; a bare `@channel` gets a zero-width space; invisible reordering
    characters go. A plain link stays a link, shown as itself (`<https://...>`)."""
    shown: list[str] = []
    for piece, is_link in split_links(inert(text)):
        safe = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        shown.append(f"<{safe}>" if is_link else defuse_mentions(safe))
    return "".join(shown)


def cut(text: str, limit: int, pointer: str) -> str:
    if len(text) <= limit:
        return text
    tail = f"\u2026 (more: `{pointer}`)" if pointer else "\u2026"
    return text[: limit - len(tail)].rstrip() + tail


def button_value(button: Button) -> str:
    return json.dumps({"c": button.command, "p": button.prompt or ""}, separators=(",", ":"))


def read_button_value(value: str) -> tuple[str, str]:
    try:
        data = json.loads(value)
        return str(data["c"]), str(data.get("p") or "")
    except (ValueError, KeyError, TypeError):
        return value, ""


def _section(text: str, pointer: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_TEXT, pointer)}}


def render_blocks(card: Card) -> list[dict[str, Any]]:
    pointer = card.more_command
    blocks: list[dict[str, Any]] = []
    if card.title:
        blocks.append(_section(f"*{escape(card.title)}*", pointer))
    if card.text:
        blocks.append(_section(escape(card.text), pointer))
    fields = [{"type": "mrkdwn", "text": cut(f"*{escape(f.label)}*\n{escape(f.value)}", FIELD_TEXT, pointer)}
              for f in card.fields]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[start:start + FIELDS_PER_SECTION]})
    if card.mentions:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": " ".join(f"<@{escape(m)}>" for m in card.mentions)}})
    elements = [_button(b, n) for n, b in enumerate(card.buttons)]
    for start in range(0, len(elements), BUTTONS_PER_BLOCK):
        blocks.append({"type": "actions", "elements": elements[start:start + BUTTONS_PER_BLOCK]})
    if card.footer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(card.footer)[:2000]}]})
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [_section(f"\u2026 (more: `{pointer}`)", "")]
    return blocks


def _button(button: Button, index: int) -> dict[str, Any]:
    label = button.label if len(button.label) <= BUTTON_LABEL else button.label[: BUTTON_LABEL - 1] + "\u2026"
    element: dict[str, Any] = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{index}",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": button_value(button)[:2000],
    }
    if button.style in STYLE:
        element["style"] = STYLE[button.style]
    return element


def fallback_text(card: Card) -> str:
    """The notification text (and what screen readers say): the title, else the text."""
    return cut(escape(card.title or card.text or " "), FALLBACK_TEXT, card.more_command)
