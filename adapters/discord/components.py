"""Buttons and the forms they open. A button's custom_id carries its `/desk` twin, so it keeps working
after a restart (a persistent `DynamicItem`: nothing is remembered per message).

    desk:claim INC-1                             runs `claim INC-1`
    desk?resolve INC-1|How was it resolved?      opens the form of what `resolve INC-1` still needs first
    deskm:resolve INC-1                          that form's own id; each field's custom_id is its name

A form of more than five questions (an order's) is asked in parts: the first part's modal is
`deskp:order new-hire`; its answers are kept by the desk under a token, and a button `desk:deskn:TOKEN`
opens the next part, whose modal is `deskn:TOKEN`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import discord

from core.commands.forms import Form, FormField

PLAIN, PROMPTED, MODAL = "desk:", "desk?", "deskm:"
PART, NEXT_PART = "deskp:", "deskn:"
SEPARATOR = "|"
CUSTOM_ID = 100
MODAL_TITLE = 45
LABEL = 45
OPTION_LABEL = 100
SELECT_OPTIONS = 25
MODAL_FIELDS = 5
ANSWER = 1500
PLACEHOLDERS = {"date": "YYYY-MM-DD", "datetime": "2026-03-07 22:00 (the desk's time zone)"}

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


def form_values(data: Mapping[str, Any] | None) -> dict[str, str]:
    """Each field's answer in a MODAL_SUBMIT's data, by custom_id (a choice's first value); fields left
    empty are left out."""
    values: dict[str, str] = {}
    for row in (data or {}).get("components", []):
        items = row.get("components") or ([row["component"]] if "component" in row else [])
        for item in items:
            chosen = item.get("values")
            value = chosen[0] if isinstance(chosen, list) and chosen else item.get("value")
            if value not in (None, ""):
                values[str(item.get("custom_id", ""))] = str(value)
    return values


def short(text: str, limit: int) -> str:
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


def _input(field: FormField) -> discord.ui.Item[Any]:
    if field.kind == "choice" and 0 < len(field.choices) <= SELECT_OPTIONS:
        return discord.ui.Select(custom_id=field.name, required=field.required, min_values=int(field.required),
                                 options=[discord.SelectOption(label=short(shown, OPTION_LABEL) or value, value=value)
                                          for value, shown in field.choices])
    style = discord.TextStyle.paragraph if field.kind == "paragraph" else discord.TextStyle.short
    return discord.ui.TextInput(custom_id=field.name, style=style, required=field.required, max_length=ANSWER,
                                placeholder=PLACEHOLDERS.get(field.kind))


class FormModal(discord.ui.Modal):
    """The fields of a core `Form` (at most five, as Discord allows). Its submission is handled by the
    client's interaction listener, not here, so that a form opened before a restart still works after it."""

    def __init__(self, *, custom_id: str, title: str, form: Form) -> None:
        super().__init__(title=short(title or "spoc", MODAL_TITLE), custom_id=custom_id, timeout=15 * 60)
        for field in form.fields[:MODAL_FIELDS]:
            longer = field.label if len(field.label) > LABEL else None  # the whole question, under its start
            described = longer or field.hint or None
            self.add_item(discord.ui.Label(text=short(field.label, LABEL),
                                           description=described and short(described, 100), component=_input(field)))

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        """Answered by the interaction listener (see the class docstring)."""
