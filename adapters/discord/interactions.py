"""Slash commands, button clicks and modal submissions, run as `/desk` commands.

Discord wants an answer within 3 seconds: every interaction is deferred (or answered with a modal) first,
the core runs after, in a thread, and the answer follows privately. An interaction token lives 15 minutes;
once it has expired, or the follow-up is refused, the answer goes to the person as a direct message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import discord

from adapters.discord.change_form import CHANGE_FORM_ID, ChangeForm, FormError, change_answers
from adapters.discord.components import (
    CUSTOM_ID,
    MODAL,
    MODAL_FIELDS,
    NEXT_PART,
    PART,
    FormModal,
    form_values,
    modal_id,
    read_button_id,
)
from adapters.discord.people import PLATFORM, DiscordDirectory
from adapters.discord.render import Rendered, render_reply
from adapters.discord.threads import ThreadBook
from core.cards import Button, Card, Reply
from core.commands.forms import Form
from core.errors import DeskError
from core.messages import CommandRequest
from core.service import Desk

log = logging.getLogger(__name__)
TOKEN_REFUSED = frozenset({401, 403, 404})


def interaction_event_id(interaction: discord.Interaction[Any]) -> str:
    return f"interaction:{interaction.id}"


class DeskInteractions:
    def __init__(self, *, desk: Desk, directory: DiscordDirectory, threads: ThreadBook,
                 poke: Callable[[], None]) -> None:
        self.desk = desk
        self.directory = directory
        self.threads = threads
        self.poke = poke

    async def on_button(self, interaction: discord.Interaction[Any], custom_id: str, label: str) -> None:
        command, prompt = read_button_id(custom_id)
        if command.startswith(NEXT_PART):
            await self._next_part(interaction, command.removeprefix(NEXT_PART))
            return
        form = self.desk.form(command, prompt=prompt) if prompt else None
        custom_modal_id = modal_id(command) if form is not None and form.fields else None
        if form is not None and custom_modal_id is not None:
            await interaction.response.send_modal(FormModal(custom_id=custom_modal_id, title=label, form=form))
            return
        await self.run(interaction, text=command)

    async def open_change_form(self, interaction: discord.Interaction[Any]) -> None:
        services = [(s.name, s.title) for s in self.desk.deps.settings.services]
        await interaction.response.send_modal(ChangeForm(services=services, now=self.desk.clock.now()))

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Modal submissions (buttons and slash commands reach their own handlers)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if custom_id == CHANGE_FORM_ID:
            await self._change_form_sent(interaction)
        elif custom_id.startswith(MODAL):
            await self.run(interaction, text=custom_id.removeprefix(MODAL), given=form_values(interaction.data))
        elif custom_id.startswith(PART):
            await self._part_sent(interaction, custom_id.removeprefix(PART))
        elif custom_id.startswith(NEXT_PART):
            await self._last_part_sent(interaction, custom_id.removeprefix(NEXT_PART))

    async def _change_form_sent(self, interaction: discord.Interaction[Any]) -> None:
        try:
            given = change_answers(form_values(interaction.data))
        except FormError as error:  # a person's answer we cannot read: say what to write, change nothing
            deferred = await _defer(interaction)
            await answer(interaction, Reply(str(error)), deferred=deferred)
            return
        await self.run(interaction, verb="change new", given=given)

    async def run_command(self, interaction: discord.Interaction[Any], verb: str, text: str,
                          given: dict[str, object]) -> None:
        """A slash command: its verb (none for a whole `/desk` line in `text`), the words after it, and the
        options that name parameters. A command that opens a form (`/desk order ITEM`) answers with it."""
        form = None if given else self.desk.form_to_open(f"{verb} {text}".strip())
        if form is not None and form.fields:
            await self._open_form(interaction, form)
            return
        await self.run(interaction, verb=verb, text=text, given=given)

    async def _open_form(self, interaction: discord.Interaction[Any], form: Form) -> None:
        """The form as a modal; more than five questions are asked in parts (the first part here)."""
        title = form.command.split(" ", 1)[-1]
        parts = -(-len(form.fields) // MODAL_FIELDS)
        custom_id = (MODAL if parts == 1 else PART) + form.command
        if len(custom_id) > CUSTOM_ID:
            await self.run(interaction, text=form.command)  # the answer says what the line lacks
            return
        shown = title if parts == 1 else f"{title} (1 of {parts})"
        await interaction.response.send_modal(FormModal(custom_id=custom_id, title=shown, form=form))

    async def _part_sent(self, interaction: discord.Interaction[Any], command: str) -> None:
        """The first part of a long form: its answers are kept, and a button opens the next part."""
        deferred = await _defer(interaction)
        try:
            author = await self.directory.author(interaction.user)
            token = await asyncio.to_thread(self.desk.keep_answers, author, command, form_values(interaction.data))
        except DeskError as refused:
            await answer(interaction, Reply(str(refused), outcome="refused"), deferred=deferred)
            return
        card = Card(title="", text="Thanks; a few more questions.",
                    buttons=(Button("Continue", f"{NEXT_PART}{token}", "primary"),))
        await answer(interaction, Reply(card=card), deferred=deferred)

    async def _next_part(self, interaction: discord.Interaction[Any], token: str) -> None:
        author = await self.directory.author(interaction.user)
        kept = await asyncio.to_thread(self.desk.kept_answers, author, token)
        form = self.desk.form(kept[0], answered=kept[1]) if kept else None
        if kept is None or form is None or not form.fields:
            deferred = await _defer(interaction)
            await answer(interaction, Reply("That form has expired; please start again.", outcome="refused"),
                         deferred=deferred)
            return
        title = kept[0].split(" ", 1)[-1]
        await interaction.response.send_modal(FormModal(custom_id=f"{NEXT_PART}{token}", title=title, form=form))

    async def _last_part_sent(self, interaction: discord.Interaction[Any], token: str) -> None:
        author = await self.directory.author(interaction.user)
        kept = await asyncio.to_thread(self.desk.kept_answers, author, token)
        if kept is None:
            deferred = await _defer(interaction)
            await answer(interaction, Reply("That form has expired; please start again.", outcome="refused"),
                         deferred=deferred)
            return
        command, answers = kept
        await self.run(interaction, text=command, given={**answers, **form_values(interaction.data)})

    async def run(self, interaction: discord.Interaction[Any], *, text: str = "", verb: str = "",
                  given: dict[str, object] | None = None) -> None:
        deferred = await _defer(interaction)
        try:
            author = await self.directory.author(interaction.user)
            channel, thread = await self._where(interaction)
            reply = await asyncio.to_thread(self.desk.handle_command, CommandRequest(
                platform=PLATFORM, event_id=interaction_event_id(interaction), author=author, text=text,
                verb=verb, answers=given or {}, channel=channel, thread=thread))
        except Exception:
            log.exception("/desk %s failed (event %s)", f"{verb} {text}".strip(), interaction_event_id(interaction))
            reply = Reply("Something went wrong on our side; it has been logged. Please try again.")
        self.poke()
        await answer(interaction, reply, deferred=deferred)

    async def _where(self, interaction: discord.Interaction[Any]) -> tuple[str, str | None]:
        channel = interaction.channel
        if isinstance(channel, discord.Thread):
            return await self.threads.origin_of(channel)
        return str(interaction.channel_id or ""), None


async def _defer(interaction: discord.Interaction[Any]) -> bool:
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
        return True
    except discord.HTTPException as error:  # too late (10062 Unknown interaction): answer by DM instead
        log.warning("could not defer interaction %s: %s", interaction.id, error)
        return False


async def answer(interaction: discord.Interaction[Any], reply: Reply, *, deferred: bool = True) -> None:
    """The reply privately: as the interaction's follow-up while its token lives, else as a direct message."""
    messages = render_reply(reply)
    if deferred and not interaction.is_expired():
        try:
            for rendered in messages:
                await interaction.followup.send(ephemeral=reply.private, **_followup_kwargs(rendered))
            return
        except discord.HTTPException as error:
            if error.status not in TOKEN_REFUSED:
                log.exception("could not answer interaction %s", interaction.id)
                return
            log.info("interaction %s can no longer be answered (%s); writing directly", interaction.id, error)
    await _write_directly(interaction.user, messages)


def _followup_kwargs(rendered: Rendered) -> dict[str, Any]:
    kwargs = rendered.send_kwargs()
    kwargs["content"] = kwargs.get("content") or discord.utils.MISSING
    if kwargs.get("view") is None:
        kwargs.pop("view", None)
    return kwargs


async def _write_directly(user: discord.abc.User, messages: list[Rendered]) -> None:
    try:
        for rendered in messages:
            await user.send(**rendered.send_kwargs())
    except discord.HTTPException:
        log.exception("could not write to %s directly either", user.id)
