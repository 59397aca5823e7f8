"""What spoc listens to in Slack. Every listener acknowledges first; the core runs after, in a thread."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from adapters.slack.inbound import plain_text
from adapters.slack.modals import (
    NEW_CHANGE_CALLBACK,
    NEW_REQUEST_CALLBACK,
    PROMPT_CALLBACK,
    answers,
    form_modal,
    metadata,
)
from adapters.slack.people import PLATFORM, SlackDirectory
from adapters.slack.render import ACTION_PREFIX, escape, read_button_value, render_blocks
from adapters.slack.settings import SlackSettings
from core.cards import Reply
from core.messages import CommandRequest, Inbound, MessageChanged
from core.service import Desk

log = logging.getLogger(__name__)
T = TypeVar("T")
IGNORED_SUBTYPES = frozenset({"bot_message", "channel_join", "channel_leave", "channel_topic", "channel_purpose",
                              "channel_name", "pinned_item", "unpinned_item", "ekm_access_denied"})
MENTION = re.compile(r"<@[A-Z0-9]+>")


def message_event_id(channel: str, ts: str) -> str:
    """One id per Slack message, whatever event carried it (message, app_mention, reaction, shortcut),
    so the same message never becomes two tickets."""
    return f"message:{channel}:{ts}"


class SlackListeners:
    def __init__(self, *, desk: Desk, settings: SlackSettings, directory: SlackDirectory,
                 poke: Callable[[], None], workers: int = 1) -> None:
        # The core runs in a small pool of its own: the database serialises writes anyway, and fewer
        # threads competing for the interpreter keep the event loop free to acknowledge within 3 s.
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-core")
        self.desk = desk
        self.settings = settings
        self.directory = directory
        self.poke = poke
        self.in_hand = 0  # calls into the core under way: a stopping process waits for them

    def register(self, app: AsyncApp) -> None:
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)
        app.event("reaction_added")(self.on_reaction)
        app.event("app_home_opened")(self.on_home)
        app.command("/desk")(self.on_command)
        app.action(re.compile(f"^{ACTION_PREFIX}"))(self.on_button)
        app.view(PROMPT_CALLBACK)(self.on_prompt_submitted)
        app.view(NEW_REQUEST_CALLBACK)(self.on_new_request_submitted)
        app.shortcut("open_ticket")(self.on_message_shortcut)
        app.shortcut("new_request")(self.on_global_shortcut)
        app.shortcut("new_change")(self.on_change_shortcut)
        app.view(NEW_CHANGE_CALLBACK)(self.on_change_submitted)

    async def _core(self, work: Callable[..., T], *args: Any) -> T:
        self.in_hand += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, work, *args)
        finally:
            self.in_hand -= 1

    async def _take(self, inbound: Inbound) -> None:
        await self._core(self.desk.handle_message, inbound)
        self.poke()

    async def _plain(self, text: str) -> str:
        return await plain_text(text, name_of=self.directory.name_of)

    async def _command(self, *, user_id: str, event_id: str, text: str = "", verb: str = "",
                       given: dict[str, object] | None = None, channel: str = "", thread: str | None = None) -> Reply:
        author = await self.directory.author(user_id)
        reply = await self._core(self.desk.handle_command, CommandRequest(
            platform=PLATFORM, event_id=event_id, author=author, text=text, verb=verb, answers=given or {},
            channel=channel, thread=thread))
        self.poke()
        return reply

    async def on_message(self, event: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype in ("message_changed", "message_deleted"):
            await self._changed(event)
            return
        if subtype in IGNORED_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return
        channel, ts = event["channel"], event["ts"]
        thread = event.get("thread_ts")
        is_direct = event.get("channel_type") == "im"
        await self._take(Inbound(
            platform=PLATFORM, event_id=message_event_id(channel, ts), channel=channel, message_id=ts,
            author=await self.directory.author(event["user"]), text=await self._plain(event.get("text") or ""),
            thread=thread if thread and thread != ts else None, is_direct=is_direct,
            is_intake=channel in self.settings.intake_channels))

    async def on_mention(self, event: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        channel, ts, thread = event["channel"], event["ts"], event.get("thread_ts")
        await self._take(Inbound(
            platform=PLATFORM, event_id=message_event_id(channel, ts), channel=channel, message_id=ts,
            author=await self.directory.author(event["user"]),
            text=await self._plain(MENTION.sub("", event.get("text") or "").strip()),
            thread=thread if thread and thread != ts else None, is_intake=True))

    async def _changed(self, event: dict[str, Any]) -> None:
        channel = event["channel"]
        if event.get("subtype") == "message_deleted":
            message_id, text = event.get("deleted_ts", ""), None
        else:
            message = event.get("message", {})
            if message.get("bot_id") or _text_unchanged(event):
                return
            message_id, text = message.get("ts", ""), await self._plain(message.get("text", ""))
        await self._core(self.desk.handle_change, MessageChanged(
            platform=PLATFORM, event_id=f"change:{channel}:{event.get('event_ts') or event.get('ts')}",
            channel=channel, message_id=message_id, text=text))
        self.poke()

    async def on_reaction(self, event: dict[str, Any], client: Any) -> None:
        item = event.get("item", {})
        if event.get("reaction") != self.settings.ticket_reaction or item.get("type") != "message":
            return
        await self._ticket_from_message(client, channel=item["channel"], ts=item["ts"])

    async def _ticket_from_message(self, client: Any, *, channel: str, ts: str, message: dict[str, Any] | None = None
                                   ) -> None:
        message = message or await _fetch_message(client, channel=channel, ts=ts)
        if not message or message.get("bot_id") or not message.get("user"):
            return
        thread = message.get("thread_ts")
        await self._take(Inbound(
            platform=PLATFORM, event_id=message_event_id(channel, ts), channel=channel, message_id=ts,
            author=await self.directory.author(message["user"]), text=await self._plain(message.get("text") or ""),
            thread=thread if thread and thread != ts else None, is_intake=True))

    async def on_message_shortcut(self, ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        message = body.get("message", {})
        await self._ticket_from_message(client, channel=body["channel"]["id"], ts=message.get("ts", ""),
                                        message=message)

    async def on_global_shortcut(self, ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await self._open_form(body, client, verb="new", callback_id=NEW_REQUEST_CALLBACK, title="New request",
                              submit="Open ticket")

    async def on_new_request_submitted(self, ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await self._run_form(body, client, verb="new")

    async def on_change_shortcut(self, ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await self._open_form(body, client, verb="change new", callback_id=NEW_CHANGE_CALLBACK,
                              title="Plan a change", submit="Ask for approval")

    async def on_change_submitted(self, ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        await self._run_form(body, client, verb="change new")

    async def _open_form(self, body: dict[str, Any], client: Any, *, verb: str, callback_id: str, title: str,
                         submit: str) -> None:
        """A verb's whole form, as the core describes it."""
        form = self.desk.form(verb)
        if form is not None:
            await client.views_open(trigger_id=body["trigger_id"],
                                    view=form_modal(form, callback_id=callback_id, title=title, submit=submit))

    async def _run_form(self, body: dict[str, Any], client: Any, *, verb: str) -> None:
        """A submitted form's answers go to its verb, each by its field's name; answered to its author
        privately."""
        user_id = body["user"]["id"]
        reply = await self._command(user_id=user_id, verb=verb, given=answers(body["view"]),
                                    event_id=f"view:{body['view']['id']}")
        await _tell_privately(client, user_id=user_id, channel="", reply=reply)

    async def on_command(self, ack: Any, body: dict[str, Any], respond: Any, client: Any) -> None:
        await ack()
        form = self.desk.form_to_open(body.get("text", ""))
        if form is not None and form.fields:  # `/desk order ITEM`: its questions as a modal
            await client.views_open(trigger_id=body["trigger_id"], view=form_modal(
                form, callback_id=PROMPT_CALLBACK, title="Order", submit="Send",
                channel=body.get("channel_id", "")))
            return
        reply = await self._command(user_id=body["user_id"], text=body.get("text", ""),
                                    event_id=f"command:{body.get('trigger_id', '')}",
                                    channel=body.get("channel_id", ""))
        await _respond(respond, reply)

    async def on_button(self, ack: Any, body: dict[str, Any], respond: Any, client: Any) -> None:
        await ack()
        action = body["actions"][0]
        command, prompt = read_button_value(action.get("value", ""))
        channel = (body.get("channel") or {}).get("id", "")
        form = self.desk.form(command, prompt=prompt) if prompt else None
        if form is not None and form.fields:
            await client.views_open(trigger_id=body["trigger_id"], view=form_modal(
                form, callback_id=PROMPT_CALLBACK, title="spoc", submit="Send", channel=channel))
            return
        reply = await self._command(user_id=body["user"]["id"], text=command, channel=channel,
                                    event_id=f"action:{body['user']['id']}:{action.get('action_ts', '')}")
        await _respond(respond, reply)

    async def on_prompt_submitted(self, ack: Any, body: dict[str, Any], client: Any) -> None:
        await ack()
        command, channel = metadata(body["view"])
        user_id = body["user"]["id"]
        reply = await self._command(user_id=user_id, text=command, given=answers(body["view"]),
                                    event_id=f"view:{body['view']['id']}", channel=channel)
        await _tell_privately(client, user_id=user_id, channel=channel, reply=reply)

    async def on_home(self, event: dict[str, Any], client: Any) -> None:
        if event.get("tab") not in (None, "home"):
            return
        user_id = event["user"]
        author = await self.directory.author(user_id)
        blocks: list[dict[str, Any]] = []
        agent = await self._core(self.desk.is_agent, author)
        for text in ("mine", "queue") if agent else ("mine",):
            reply = await self._command(user_id=user_id, text=text, event_id="")
            if reply.card is not None:
                blocks.extend(render_blocks(reply.card))
                blocks.append({"type": "divider"})
        await client.views_publish(user_id=user_id, view={"type": "home", "blocks": blocks[:100]})


def _text_unchanged(event: dict[str, Any]) -> bool:
    """Slack sends message_changed when it unfurls a link or a file is shared into a message: no edit."""
    previous = event.get("previous_message")
    return previous is not None and previous.get("text", "") == event.get("message", {}).get("text", "")


async def _respond(respond: Any, reply: Reply) -> None:
    blocks = render_blocks(reply.card) if reply.card else None
    text = escape(reply.text or (reply.card.title if reply.card else "") or "Done.")
    try:
        await respond(text=text, blocks=blocks, response_type="ephemeral" if reply.private else "in_channel",
                      replace_original=False)
    except Exception:  # the answer is a courtesy; the work is committed and its notifications are queued
        log.exception("could not answer a Slack request")


async def _tell_privately(client: Any, *, user_id: str, channel: str, reply: Reply) -> None:
    blocks = render_blocks(reply.card) if reply.card else None
    text = escape(reply.text or (reply.card.title if reply.card else "") or "Done.")
    try:
        if channel:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=text, blocks=blocks)
        else:
            opened = await client.conversations_open(users=user_id)
            await client.chat_postMessage(channel=opened["channel"]["id"], text=text, blocks=blocks)
    except SlackApiError:
        log.exception("could not answer %s privately", user_id)


async def _fetch_message(client: Any, *, channel: str, ts: str) -> dict[str, Any] | None:
    try:
        history = await client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        for message in history.get("messages", []):
            if message.get("ts") == ts:
                return dict(message)
        replies = await client.conversations_replies(channel=channel, ts=ts, limit=1)
        for message in replies.get("messages", []):
            if message.get("ts") == ts:
                return dict(message)
    except SlackApiError:
        log.exception("could not read message %s in %s", ts, channel)
    return None
