"""Buttons and the prompt modal. A button's custom_id carries its `/desk` twin, so it keeps working
after a restart (a persistent `DynamicItem`: nothing is remembered per message).

    desk:claim INC-1                             runs `claim INC-1`
    desk?resolve INC-1|How was it resolved?      asks in a modal first, then runs `resolve INC-1 <answer>`
    deskm:resolve INC-1                          the modal's own id; its text input is `text`
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

PLAIN, PROMPTED, MODAL = "desk:", "desk?", "deskm:"
SEPARATOR = "|"
CUSTOM_ID = 100
MODAL_TITLE = 45
INPUT_LABEL = 45
PLACEHOLDER = 100
ANSWER = 1500
TEXT_INPUT_ID = "text"

ButtonHandler = Callable[[discord.Interaction[Any], str, str], Awaitable[None]]


def button_id(command: str, prompt: str | None = None) -> str | None:
    """The custom_id for a button, or None when its command cannot fit (the command is never cut;
    a long prompt is)."""
    if prompt:
        head = f"{PROMPTED}{command}{SEPARATOR}"
        if len(head) >= CUSTOM_ID or SEPARATOR in command:
            return None
        return head + prompt[: CUSTOM_ID - len(head)]
    custom_id = PLAIN + command
    return custom_id if len(custom_id) <= CUSTOM_ID else None


def read_button_id(custom_id: str) -> tuple[str, str]:
    """(command, prompt) of a button's custom_id; prompt is '' when none is asked."""
    if custom_id.startswith(PROMPTED):
        command, _, prompt = custom_id[len(PROMPTED):].partition(SEPARATOR)
        return command, prompt or "Your answer"
    return custom_id.removeprefix(PLAIN), ""


def modal_id(command: str) -> str | None:
    custom_id = MODAL + command
    return custom_id if len(custom_id) <= CUSTOM_ID else None


def submitted_text(data: Any) -> str:
    """The text a person typed into the prompt modal, from a MODAL_SUBMIT interaction's data."""
    for row in (data or {}).get("components", []):
        items = row.get("components") or ([row["component"]] if "component" in row else [])
        for item in items:
            if item.get("custom_id") == TEXT_INPUT_ID:
                return str(item.get("value") or "")
    return ""


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


class DeskButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=re.compile(r"desk[:?].+", re.S)):
    """Every spoc button. A click goes to the handler the client carries as `on_desk_button`."""

    def __init__(self, *, custom_id: str, label: str,
                 style: discord.ButtonStyle = discord.ButtonStyle.secondary) -> None:
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> DeskButton:
        button = item if isinstance(item, discord.ui.Button) else None
        return cls(custom_id=match.string, label=(button.label if button else None) or "spoc")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: ButtonHandler | None = getattr(interaction.client, "on_desk_button", None)
        if handler is not None:
            await handler(interaction, self.item.custom_id or "", self.item.label or "")


class PromptModal(discord.ui.Modal):
    """Asks for a button's missing text. Its submission is handled by the client's interaction listener,
    not here, so that a modal opened before a restart still works after it."""

    def __init__(self, *, custom_id: str, title: str, prompt: str) -> None:
        super().__init__(title=_short(title or "spoc", MODAL_TITLE), custom_id=custom_id, timeout=15 * 60)
        self.add_item(discord.ui.TextInput(
            label=_short(prompt, INPUT_LABEL), custom_id=TEXT_INPUT_ID, style=discord.TextStyle.paragraph,
            placeholder=_short(prompt, PLACEHOLDER) if len(prompt) > INPUT_LABEL else None,
            max_length=ANSWER))

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        """Answered by the interaction listener (see the class docstring)."""
