"""The console: a chat in the terminal (or scripted through stdin), the desk's embedded default.

A line is a message from the current speaker in the current channel. `/as NAME` changes the speaker,
`/in CHANNEL` the channel, `/dm` opens a direct message, `/thread ID` enters the thread of a message
(`/top` leaves it), `/desk ...` runs a command, `/quit` ends."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from adapters.console.render import render_card
from adapters.console.settings import ConsoleSettings
from core.cards import Reply
from core.commands.forms import Form, FormField
from core.delivery import Delivered, Delivery
from core.messages import Author, CommandRequest, Inbound
from core.service import Desk
from core.text import file_name, for_terminal

log = logging.getLogger(__name__)

PLATFORM = "console"
HELP = __doc__.split("\n\n", 1)[1] if __doc__ else ""


class ConsoleScreen:
    """The terminal both sides write to; message ids are shared so anyone can reply in a thread.

    An id is `m{run}.{n}`: the terminal gives no ids of its own, and the database remembers every event
    id it has handled, so each run numbers its messages apart from every earlier run's."""

    def __init__(self, output: TextIO, *, width: int, run: int) -> None:
        self.output = output
        self.width = width
        self.run = run
        self._ids = itertools.count(1)

    def next_id(self) -> str:
        return f"m{self.run}.{next(self._ids)}"

    def show(self, text: str) -> None:
        """Everything the console prints passes here, by the terminal's rule: no escape sequence gets out."""
        self.output.write(for_terminal(text) + "\n")
        self.output.flush()


class LineReader:
    """Reads one line at a time, when asked, in a daemon thread: a process told to stop goes at once instead
    of waiting for a line nobody is typing."""

    def __init__(self, source: TextIO) -> None:
        self.source = source
        self._wanted = threading.Semaphore(0)
        self._lines: asyncio.Queue[str] | None = None
        self._thread: threading.Thread | None = None

    async def next(self, stop: asyncio.Event) -> str | None:
        """The next line (with its newline), or None at the end of the input or on `stop`."""
        if self._lines is None:
            self._lines = asyncio.Queue()
            loop, lines = asyncio.get_running_loop(), self._lines
            self._thread = threading.Thread(target=self._read, args=(loop, lines), name="console-input",
                                            daemon=True)
            self._thread.start()
        self._wanted.release()
        reading = asyncio.ensure_future(self._lines.get())
        stopping = asyncio.ensure_future(stop.wait())
        done, _ = await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if reading not in done:
            reading.cancel()
            return None
        line = reading.result()
        return line or None

    def _read(self, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str]) -> None:
        while True:
            self._wanted.acquire()
            try:
                line = self.source.readline()
            except (OSError, ValueError):
                line = ""
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            except RuntimeError:  # the loop has closed
                return
            if not line:
                return


class ConsoleMessenger:
    """Shows each card on the terminal; a file it carries (a chart) is saved in `files_dir` (the config's
    `desk.reports.charts_dir`) for the person at the terminal to open."""

    platform = PLATFORM

    def __init__(self, screen: ConsoleScreen, *, files_dir: Path) -> None:
        self.screen = screen
        self.files_dir = files_dir

    async def deliver(self, delivery: Delivery) -> Delivered:
        d = delivery.destination
        place = f"@{d.user_id}" if d.user_id else f"#{d.channel}"
        if d.thread:
            place += f" › {d.thread}"
        message_id = delivery.replaces_message_id or self.screen.next_id()
        verb = "updated" if delivery.replaces_message_id else message_id
        body = render_card(delivery.card, width=self.screen.width, saved=self._save(delivery))
        self.screen.show(f"[{place}] spoc ({verb}):\n{body}" if "\n" in body else f"[{place}] spoc ({verb}): {body}")
        return Delivered(message_id=message_id, channel=d.channel)

    def _save(self, delivery: Delivery) -> list[str]:
        saved = []
        for file in delivery.files:
            path = self.files_dir / file_name(f"{hashlib.sha256(file.data).hexdigest()[:12]}-{file.name}")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(file.data)
            except OSError as error:
                log.warning("outbox %s: could not save %s in %s: %s", delivery.outbox_id, file.name,
                            self.files_dir, error)
                continue
            saved.append(str(path))
        return saved


class ConsoleAdapter:
    platform = PLATFORM

    def __init__(
        self, *, desk: Desk, settings: ConsoleSettings, output: TextIO, source: TextIO,
        settle: Callable[[], Awaitable[None]], extra_commands: dict[str, Callable[[str], Awaitable[str]]] | None = None,
    ) -> None:
        self.desk = desk
        self.settings = settings
        self.screen = ConsoleScreen(output, width=settings.width, run=desk.begin_run(PLATFORM))
        self.messenger = ConsoleMessenger(self.screen, files_dir=desk.deps.settings.reports.chart_dir())
        self.lines = LineReader(source)
        self.settle = settle
        self.extra = extra_commands or {}
        self.speaker = settings.speaker
        self.channel = settings.intake_channels[0] if settings.intake_channels else "it-help"
        self.thread: str | None = None
        self.direct = False
        self.interactive = source.isatty()
        self._running = False
        self._stop = asyncio.Event()

    def author(self) -> Author:
        name = self.speaker
        return Author(platform=PLATFORM, user_id=name.lower(), display_name=name.capitalize(),
                      is_agent=name.lower() in {a.lower() for a in self.settings.agents})

    def routes(self) -> list[Any]:
        return []

    def connected(self) -> bool:
        return self._running

    async def run(self, stop: asyncio.Event) -> None:
        """Read lines until the input ends, `/quit` or `stop`; the line in hand is finished first."""
        self._stop = stop
        if self.interactive:
            self.screen.show(f"spoc console. You are {self.speaker} in #{self.channel}. Type /help for help.")
        self._running = True
        try:
            while not stop.is_set():
                if self.interactive:
                    self.screen.output.write(self._prompt())
                    self.screen.output.flush()
                line = await self.lines.next(stop)
                if line is None or not await self.handle_line(line.rstrip("\n")):
                    break
                await self.settle()
            await self.settle()
        finally:
            self._running = False
        stop.set()

    async def close(self) -> None:
        return None

    def _prompt(self) -> str:
        where = f"@{self.speaker}" if self.direct else f"#{self.channel}"
        return f"{self.speaker} {where}{' › ' + self.thread if self.thread else ''}> "

    async def handle_line(self, line: str) -> bool:
        text = line.strip()
        if not text:
            return True
        if not self.interactive:
            self.screen.show(f"{self._prompt()}{text}")
        word, _, rest = text.partition(" ")
        if word == "/quit":
            return False
        if word == "/help":
            also = f"\nAlso: {', '.join(sorted(self.extra))}." if self.extra else ""
            self.screen.show(HELP.strip() + also)
        elif word == "/as":
            self.speaker = rest.strip() or self.speaker
        elif word == "/in":
            self.channel, self.thread, self.direct = rest.strip().lstrip("#") or self.channel, None, False
        elif word == "/dm":
            self.channel, self.thread, self.direct = f"dm-{self.speaker.lower()}", None, True
        elif word == "/thread":
            self.thread = rest.strip() or None
        elif word == "/top":
            self.thread = None
        elif word == "/desk":
            form = self.desk.form_to_open(rest)
            answers = await self._fill(form) if form is not None else {}
            if answers is None:
                self.screen.show("Form left; nothing was sent.")
                return True
            reply = await asyncio.to_thread(self.desk.handle_command, CommandRequest(
                platform=PLATFORM, event_id=self.screen.next_id(), author=self.author(),
                text=form.command if form is not None else rest, answers=answers, channel=self.channel,
                thread=self.thread))
            self._show_reply(reply)
        elif word in self.extra:
            self.screen.show(await self.extra[word](rest))
        elif word.startswith("/"):
            self.screen.show(f"Unknown console command {word}. /help lists them; /desk help lists desk commands.")
        else:
            message_id = self.screen.next_id()
            self.screen.show(f"(message {message_id})")
            await asyncio.to_thread(self.desk.handle_message, Inbound(
                platform=PLATFORM, event_id=message_id, channel=self.channel, message_id=message_id,
                author=self.author(), text=text, thread=self.thread, is_direct=self.direct,
                is_intake=self.channel in self.settings.intake_channels))
        return True

    async def _fill(self, form: Form) -> dict[str, object] | None:
        """Ask a form's questions one at a time; each answer is checked before the next question (a bad one
        is asked again, saying why). An empty line skips an optional question; `/cancel` leaves the form."""
        self.screen.show(f"{form.command}: {len(form.fields)} question(s). An empty line skips an optional one; "
                         "/cancel leaves the form.")
        answers: dict[str, object] = {}
        for field in form.fields:
            while True:
                self.screen.show(question(field))
                line = await self.lines.next(self._stop)
                if line is None:
                    return None
                text = line.strip()
                if not self.interactive:
                    self.screen.show(f"> {text}")
                if text == "/cancel":
                    return None
                if not text and not field.required:
                    break
                text = chosen(field, text)
                problem = "An answer is needed here." if not text else self.desk.read_answer(form.command,
                                                                                             field.name, text)
                if not problem:
                    answers[field.name] = text
                    break
                self.screen.show(problem)
        return answers

    def _show_reply(self, reply: Reply) -> None:
        marker = "(only you) " if reply.private else ""
        if reply.text:
            self.screen.show(f"{marker}{reply.text}")
        if reply.card is not None:
            self.screen.show(render_card(reply.card, width=self.screen.width))


def question(field: FormField) -> str:
    """A form's question as the console asks it: required or not, the choices numbered, the hint."""
    lines = [f"? {field.label}" + ("" if field.required else " (optional)")]
    if field.hint:
        lines.append(f"  ({field.hint})")
    lines += [f"  {n}. {shown}" for n, (_value, shown) in enumerate(field.choices, 1)]
    if field.kind in ("date", "datetime"):
        lines.append("  (YYYY-MM-DD)" if field.kind == "date" else "  (YYYY-MM-DD HH:MM)")
    return "\n".join(lines)


def chosen(field: FormField, text: str) -> str:
    """A choice may be answered by its number in the list."""
    if field.choices and text.isdigit() and 1 <= int(text) <= len(field.choices):
        return field.choices[int(text) - 1][0]
    return text
