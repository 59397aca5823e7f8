"""`/desk` as a Discord command group, generated from the core's grammar (`core.desk.registry.VERBS`).

Each verb becomes a subcommand (`kb search` a subcommand of the nested group `kb`) with at most two
options: `key` (autocompleted with open tickets) when the verb's first parameter is a ticket, and `text`
for the rest of its parameters, written as on a `/desk` line. What runs is the verb with the ticket as
its parameter's answer and the text read by the core's grammar, so the grammar, its help and its checks
live in one place. Discord allows 25 subcommands per group: when the grammar has more,
the everyday verbs (`EVERYDAY`) stay subcommands and the rest are reached through `/desk more command:...`,
which takes any `/desk` line (and completes the verbs it holds). Next to `/desk`, `/plan-change` opens
the "Plan a change" form: an entry point of this adapter, so it is not generated from the grammar.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from core.commands.params import TicketKey
from core.desk.registry import Verb

log = logging.getLogger(__name__)
MAX_CHILDREN = 25
DESCRIPTION = 100
CHOICE = 100
OVERFLOW = "more"
# What people type most, kept as subcommands first when the grammar outgrows Discord's 25 (a verb or a
# family of two-word verbs); everything else follows in the registry's order until the room is used.
EVERYDAY = ("new", "mine", "order", "show", "comment", "help", "link", "claim", "resolve", "note", "hold", "resume",
            "assign", "escalate", "queue", "reopen", "close", "cancel", "confirm", "reject", "kb", "outage",
            "change", "subscribe", "services")

Runner = Callable[[discord.Interaction[Any], str, str, dict[str, object]], Awaitable[None]]  # verb, text, answers
Suggester = Callable[[discord.Interaction[Any], str], Awaitable[list[app_commands.Choice[str]]]]
Opener = Callable[[discord.Interaction[Any]], Awaitable[None]]
PLAN_CHANGE = "plan-change"


@dataclass(frozen=True)
class Shape:
    """The options a verb takes on Discord, read from its parameters."""

    key: str  # the ticket parameter the `key` option answers; '' when there is none
    text: str  # what the text option holds, as the usage writes it; '' when there is none
    text_required: bool


def shape_of(verb: Verb) -> Shape:
    first = next((p for p in verb.params if not p.option), None)
    key = first.name if isinstance(first, TicketKey) else ""
    rest = [p for p in verb.params if p.name != key]
    return Shape(key=key, text=" ".join(p.usage for p in rest), text_required=any(p.required for p in rest))


def _short(text: str, limit: int = DESCRIPTION) -> str:
    text = " ".join(text.split()) or "-"
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _callback(shape: Shape, run: Callable[[discord.Interaction[Any], str, str], Awaitable[None]]) -> Any:
    """A fresh coroutine with exactly the options of `shape`: discord.py reads them from its signature."""
    if shape.key and shape.text and shape.text_required:
        async def key_text(interaction: discord.Interaction, key: str, text: str) -> None:
            await run(interaction, key, text)
        return key_text
    if shape.key and shape.text:
        async def key_maybe_text(interaction: discord.Interaction, key: str, text: str | None = None) -> None:
            await run(interaction, key, text or "")
        return key_maybe_text
    if shape.key:
        async def key_only(interaction: discord.Interaction, key: str) -> None:
            await run(interaction, key, "")
        return key_only
    if shape.text and shape.text_required:
        async def text_only(interaction: discord.Interaction, text: str) -> None:
            await run(interaction, "", text)
        return text_only
    if shape.text:
        async def maybe_text(interaction: discord.Interaction, text: str | None = None) -> None:
            await run(interaction, "", text or "")
        return maybe_text

    async def bare(interaction: discord.Interaction) -> None:
        await run(interaction, "", "")
    return bare


def _command(verb: Verb, *, name: str, runner: Runner, suggest: Suggester
             ) -> app_commands.Command[Any, ..., None]:
    shape = shape_of(verb)

    async def run(interaction: discord.Interaction[Any], key: str, text: str) -> None:
        await runner(interaction, verb.name, text.strip(), {shape.key: key.strip()} if shape.key else {})

    callback = _callback(shape, run)
    descriptions: dict[str, str] = {}
    if shape.key:
        descriptions["key"] = "Ticket key, like INC-42"
        callback = app_commands.autocomplete(key=suggest)(callback)
    if shape.text:
        bare = shape.text.replace("[", "").replace("]", "")
        shown = shape.text if shape.text_required else f"{bare} (optional)"
        descriptions["text"] = _short(shown)
    if descriptions:
        callback = app_commands.describe(**descriptions)(callback)
    return app_commands.Command(name=name, description=_short(verb.summary or verb.usage), callback=callback)


def _overflow(verbs: list[Verb], *, runner: Runner) -> app_commands.Command[Any, ..., None]:
    names = sorted(v.name for v in verbs)

    async def more(interaction: discord.Interaction, command: str) -> None:
        await runner(interaction, "", command, {})

    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        typed = " ".join(current.split())
        echo = [app_commands.Choice(name=_short(typed, CHOICE), value=typed[:CHOICE])] if typed else []
        usages = [app_commands.Choice(name=_short(f"/desk {v.usage}", CHOICE), value=v.name)
                  for v in sorted(verbs, key=lambda v: v.name) if v.name.startswith(typed.lower())]
        return (echo + usages)[:MAX_CHILDREN]

    callback = app_commands.describe(command="A /desk line, e.g. " + _short(names[0], 60))(more)
    callback = app_commands.autocomplete(command=complete)(callback)
    return app_commands.Command(name=OVERFLOW, description=_short("More: " + ", ".join(names)),
                                callback=callback)


def desk_group(verbs: Mapping[str, Verb], *, runner: Runner, suggest: Suggester,
               description: str = "IT service desk") -> app_commands.Group:
    """The `/desk` group: one subcommand per verb, two-word verbs in a nested group."""
    root = app_commands.Group(name="desk", description=_short(description))
    singles = {name: v for name, v in verbs.items() if len(name.split()) == 1}
    families: dict[str, list[Verb]] = {}
    spilled: list[Verb] = []
    for name, found in verbs.items():
        words = name.split()
        if len(words) == 2 and words[0] not in singles:
            families.setdefault(words[0], []).append(found)
        elif len(words) != 1:
            spilled.append(found)
    entries: list[tuple[str, Callable[[], app_commands.Command[Any, ..., None] | app_commands.Group]]] = []
    for name, found in singles.items():
        entries.append((name, lambda found=found, name=name: _command(found, name=name, runner=runner,
                                                                      suggest=suggest)))
    for family, members in families.items():
        entries.append((family, lambda family=family, members=members: _family(
            family, members, runner=runner, suggest=suggest, spilled=spilled)))
    room = MAX_CHILDREN
    if len(entries) > MAX_CHILDREN:
        room = MAX_CHILDREN - 1
        rank = {name: n for n, name in enumerate(EVERYDAY)}
        entries.sort(key=lambda entry: rank.get(entry[0], len(EVERYDAY)))  # stable: the rest keep their order
    for name, build in entries[:room]:
        try:
            root.add_command(build())
        except (ValueError, TypeError, app_commands.AppCommandError) as error:
            log.warning("/desk %s cannot be a Discord subcommand (%s); it is under /desk %s", name, error,
                        OVERFLOW)
            spilled.extend(v for v in verbs.values() if v.name.split()[0] == name)
    spilled.extend(v for v in verbs.values() if v.name.split()[0] in {n for n, _ in entries[room:]})
    unique = list({v.name: v for v in spilled}.values())
    if unique:
        log.info("Discord allows %d subcommands; /desk %s runs: %s", MAX_CHILDREN, OVERFLOW,
                 ", ".join(v.name for v in unique))
        root.add_command(_overflow(unique, runner=runner))
    return root


def _family(family: str, members: list[Verb], *, runner: Runner, suggest: Suggester,
            spilled: list[Verb]) -> app_commands.Group:
    group = app_commands.Group(name=family, description=_short(f"/desk {family} ..."))
    for index, member in enumerate(members):
        if index >= MAX_CHILDREN:
            spilled.append(member)
            continue
        group.add_command(_command(member, name=member.name.split()[1], runner=runner, suggest=suggest))
    return group


def plan_change_command(opener: Opener) -> app_commands.Command[Any, ..., None]:
    """`/plan-change`: the twin of `/desk change new` as a form (`opener` answers with the modal)."""

    async def plan_change(interaction: discord.Interaction) -> None:
        await opener(interaction)

    return app_commands.Command(name=PLAN_CHANGE, callback=plan_change,
                                description="Plan a change: a form that asks the change approvers")
