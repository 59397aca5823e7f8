"""The events `bench/load.py` sends: a configured mix of signed Slack requests (reports in intake channels
and direct messages, replies in the threads of earlier reports, `/desk` commands, button presses on known
tickets), each with what is needed to follow it afterwards."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.standins.slack_requests import block_actions_body, event_body, message_event, slash_command_body

CHAT_MESSAGES = Path(__file__).resolve().parent / "chat_messages.yaml"
AGENT = "UAGENT01"
COMMANDS = ("mine", "help", "kb search vpn", "services")


@dataclass(frozen=True)
class Mix:
    reports: float = 0.6
    replies: float = 0.2
    commands: float = 0.1
    buttons: float = 0.1

    @classmethod
    def parse(cls, text: str) -> Mix:
        """`reports=60,replies=20,commands=10,buttons=10` (shares, normalised)."""
        given = {name.strip(): float(share) for name, share in (part.split("=") for part in text.split(","))}
        unknown = set(given) - {"reports", "replies", "commands", "buttons"}
        if unknown:
            raise SystemExit(f"--mix: unknown kinds {sorted(unknown)}; use reports, replies, commands, buttons")
        total = sum(given.values()) or 1.0
        return cls(**{name: share / total for name, share in given.items()})


@dataclass(frozen=True)
class Event:
    kind: str  # report, reply, command, button
    body: bytes
    channel: str = ""
    ts: str = ""  # a report's message ts: its thread is where its replies go


@dataclass
class Plan:
    """Builds the events, in the order they are sent."""

    channels: list[str]
    dm_share: float
    requesters: int
    seed: int = 7
    hooks: str = ""  # where the stand-in takes response_url posts

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.texts = [item["text"] for item in yaml.safe_load(CHAT_MESSAGES.read_text())]
        self.reports: list[Event] = []
        self.authors: dict[str, str] = {}  # report ts -> its author
        self.keys: list[str] = []
        self.count = 0
        self.base = 1_800_000_000.0

    def next_ts(self) -> str:
        self.count += 1
        return f"{self.base + self.count / 1000:.6f}"

    def report(self, *, channel: str | None = None, user: str | None = None) -> Event:
        user = user or f"UREQ{self.random.randrange(self.requesters):05d}"
        direct = channel is None and self.random.random() < self.dm_share
        channel = channel or (f"D{user[1:]}" if direct else self.random.choice(self.channels))
        ts = self.next_ts()
        text = self.random.choice(self.texts)
        event = message_event(channel=channel, user=user, text=text, ts=ts,
                              channel_type="im" if direct else "channel")
        made = Event("report", event_body(event), channel=channel, ts=ts)
        self.reports.append(made)
        self.authors[ts] = user
        return made

    def reply(self, *, older_than: int) -> Event:
        """A reply in the thread of a report sent at least `older_than` events ago (so it is a ticket)."""
        pool = self.reports[:-older_than] if len(self.reports) > older_than else self.reports[:1]
        root = self.random.choice(pool)
        text = self.random.choice(("any news?", "it still does not work", "I restarted it, same thing",
                                   "thanks, trying that now", "here is a screenshot of the error"))
        event = message_event(channel=root.channel, user=self.authors[root.ts], text=text, ts=self.next_ts(),
                              thread_ts=root.ts, channel_type="im" if root.channel.startswith("D") else "channel")
        return Event("reply", event_body(event), channel=root.channel)

    def command(self) -> Event:
        user = f"UREQ{self.random.randrange(self.requesters):05d}"
        self.count += 1
        body = slash_command_body(text=self.random.choice(COMMANDS), user_id=user, channel_id=self.channels[0],
                                  response_url=f"{self.hooks}/{self.count}", trigger_id=f"{self.count}.load")
        return Event("command", body)

    def button(self) -> Event:
        key = self.random.choice(self.keys)
        verb = self.random.choice(("claim", "show"))
        self.count += 1
        body = block_actions_body(user_id=AGENT, action_id="desk:0", value=json.dumps({"c": f"{verb} {key}"}),
                                  channel_id="CTRIAGE", message_ts=self.next_ts(),
                                  response_url=f"{self.hooks}/{self.count}", trigger_id=f"{self.count}.load")
        return Event("button", body)

    def events(self, total: int, mix: Mix) -> list[Event]:
        kinds = self.random.choices(("report", "reply", "command", "button"),
                                    weights=(mix.reports, mix.replies, mix.commands, mix.buttons), k=total)
        made = []
        for kind in kinds:
            if kind == "report" or (kind == "reply" and not self.reports) or (kind == "button" and not self.keys):
                made.append(self.report())
            elif kind == "reply":
                made.append(self.reply(older_than=200))
            elif kind == "command":
                made.append(self.command())
            else:
                made.append(self.button())
        return made
