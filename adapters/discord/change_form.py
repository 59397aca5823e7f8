"""The "Plan a change" form (`/plan-change`): a modal, and its answers as those of the core's `change new`.

Discord allows five fields in a modal and a change needs six things, so plan and rollback share one
paragraph, pre-filled with "Plan:" and "Rollback:" to write after: both are prose an approver reads
together, while service and risk are choices (drop-downs: nothing to mistype). The window is one line
in UTC, `2026-11-28 22:00 - 23:00`, as people write it. The modal keeps nothing in memory: whatever
process receives its submission (even after a restart) reads every answer from the submission itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import discord

CHANGE_FORM_ID = "deskform:change new"
TITLE, SERVICE, WINDOW, RISK, PLAN = "title", "service", "window", "risk", "plan"
RISKS = ("low", "medium", "high")
DEFAULT_RISK = "medium"
PLAN_TEMPLATE = "Plan: \nRollback: "
SELECT_OPTIONS = 25
OPTION_LABEL = 100
WINDOW_HELP = ("write the window in UTC as start - end, like 2026-11-28 22:00 - 23:00, "
               "or 2026-11-28T22:00 to 2026-11-29T01:00")
_SEPARATOR = re.compile(r"\s+(?:-|\u2013|\u2014|to|until)\s+", re.IGNORECASE)
_UTC_SUFFIX = re.compile(r"\s*(?:utc|gmt)$", re.IGNORECASE)
_ONE_DIGIT_HOUR = re.compile(r"(?<![\d:])(\d):(\d\d)")
_ROLLBACK = re.compile(r"\brollback\s*:", re.IGNORECASE)
_PLAN = re.compile(r"^\s*plan\s*:", re.IGNORECASE)


class FormError(ValueError):
    """An answer the form cannot use; its message is the one line the person reads."""


class ChangeForm(discord.ui.Modal):
    """The form itself. Its submission is answered by the client's interaction listener, not here, so
    that a form opened before a restart still works after it."""

    def __init__(self, *, services: Sequence[tuple[str, str]], now: datetime) -> None:
        super().__init__(title="Plan a change", custom_id=CHANGE_FORM_ID, timeout=15 * 60)
        self.add_item(discord.ui.Label(
            text="What will change?", component=discord.ui.TextInput(
                custom_id=TITLE, placeholder="Upgrade the Wi-Fi controllers", max_length=200)))
        self.add_item(discord.ui.Label(text="Service", component=_service_input(services)))
        self.add_item(discord.ui.Label(
            text="Window (UTC)", description="Start - end, e.g. 22:00 - 23:00 on one day",
            component=discord.ui.TextInput(custom_id=WINDOW, placeholder=example_window(now), max_length=80)))
        self.add_item(discord.ui.Label(text="Risk", component=discord.ui.Select(custom_id=RISK, options=[
            discord.SelectOption(label=risk.capitalize(), value=risk, default=risk == DEFAULT_RISK)
            for risk in RISKS])))
        self.add_item(discord.ui.Label(
            text="Plan and rollback", description="What you will do after Plan:, how to undo it after Rollback:",
            component=discord.ui.TextInput(custom_id=PLAN, style=discord.TextStyle.paragraph,
                                           default=PLAN_TEMPLATE, max_length=3000)))

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        """Answered by the interaction listener (see the class docstring)."""


def _service_input(services: Sequence[tuple[str, str]]) -> discord.ui.Item[Any]:
    """A drop-down of the catalog; a text field when Discord's 25 options cannot hold it."""
    if 0 < len(services) <= SELECT_OPTIONS:
        return discord.ui.Select(custom_id=SERVICE, placeholder="Choose the service", options=[
            discord.SelectOption(label=shown[:OPTION_LABEL] or name, value=name) for name, shown in services])
    return discord.ui.TextInput(custom_id=SERVICE, placeholder="wifi (/desk services lists them)", max_length=80)


def example_window(now: datetime) -> str:
    start = now.astimezone(UTC).date() + timedelta(days=1)
    return f"{start.isoformat()} 22:00 - 23:00"


def change_answers(values: Mapping[str, str]) -> dict[str, object]:
    """The answers of `change new` for a submitted form, by parameter name (the window read into its start
    and end, the shared field into plan and rollback); FormError when an answer cannot be used."""
    title = values.get(TITLE, "").strip()
    service = values.get(SERVICE, "").strip()
    if not title:
        raise FormError("Say what will change in the first field; nothing was requested.")
    if not service:
        raise FormError("Name the service the change touches (`/desk services` lists them); "
                        "nothing was requested.")
    risk = (values.get(RISK, "").strip() or DEFAULT_RISK).lower()
    if risk not in RISKS:
        raise FormError(f"Risk is low, medium or high, not {risk[:20]!r}; nothing was requested.")
    start, end = read_window(values.get(WINDOW, ""))
    plan, rollback = read_plan(values.get(PLAN, ""))
    return {"title": title, "service": service, "start": start, "end": end, "risk": risk, "plan": plan,
            "rollback": rollback}


def read_window(text: str) -> tuple[datetime, datetime]:
    """`2026-11-28 22:00 - 23:00` (an end without a date is on the start's day, or the next when it would
    come first), `... to ...`, or ISO times with offsets; times without one are UTC."""
    parts = _SEPARATOR.split(" ".join(text.split()), maxsplit=1)
    if len(parts) != 2:
        raise FormError(f"{_shown(text)} is not a window: {WINDOW_HELP}. Nothing was requested.")
    start = _moment(parts[0], text)
    end = _end(parts[1], start, text)
    if end <= start:
        raise FormError(f"The window {_shown(text)} ends before it starts: {WINDOW_HELP}. "
                        "Nothing was requested.")
    return start, end


def read_plan(text: str) -> tuple[str, str]:
    """(plan, rollback) from "Plan: ... Rollback: ..."."""
    found = _ROLLBACK.search(text)
    plan = _PLAN.sub("", text[: found.start()] if found else text, count=1).strip().rstrip("/").strip()
    rollback = text[found.end():].strip() if found else ""
    if not plan or not rollback:
        missing = "what you will do after Plan:" if not plan else "how to undo it after Rollback:"
        raise FormError(f"Write {missing} in the last field (Plan: ... Rollback: ...); nothing was requested.")
    return plan, rollback


def _moment(part: str, whole: str) -> datetime:
    cleaned = _clean(part)
    try:
        value = datetime.fromisoformat(cleaned.replace(" ", "T", 1).replace(" ", ""))
    except ValueError:
        raise FormError(f"{_shown(whole)} is not a window: {WINDOW_HELP}. Nothing was requested.") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _end(part: str, start: datetime, whole: str) -> datetime:
    cleaned = _clean(part)
    try:
        clock = time.fromisoformat(cleaned.replace(" ", ""))
    except ValueError:
        return _moment(part, whole)
    end = datetime.combine(start.date(), clock, tzinfo=clock.tzinfo or UTC).astimezone(UTC)
    return end + timedelta(days=1) if end <= start else end


def _clean(part: str) -> str:
    return _ONE_DIGIT_HOUR.sub(r"0\1:\2", _UTC_SUFFIX.sub("", part.strip()))


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:39] + "\u2026") if text else "An empty answer"
