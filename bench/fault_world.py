"""What bench/faults.py drives and counts: `spoc run` as a real process, a sender that delivers signed
Slack events as Slack does (again and again until it gets a 2xx), and the counts read from the database.

Every report carries a token `[r<round>-<n>]`, so each ticket and comment is matched to what was sent."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, func, select

from bench.workers import free_port, spoc_env, spoc_run, wait_ready
from core.storage.boundary_models import PendingEventRow
from core.storage.models import CommentRow, OutboxRow, TicketRow
from tests.standins.slack_api import SlackApiStandIn
from tests.standins.slack_requests import event_body, message_event, signed_headers

SECRET = "faults-signing-secret"
TOKEN = re.compile(r"\[(r\d+-[a-z]?\d+)\]")
START_TIMEOUT = 120.0
NO_STARTER_KB = "kb: {load_starter: false}\n"  # restarts stay short
_serials = itertools.count(1)


def report_text(token: str) -> str:
    return f"[{token}] the printer on floor {len(token) % 7 + 1} shows paper jam error {token}"


def slack_spoc(*, workdir: Path, database: str, api_url: str) -> Spoc:
    """`spoc run --adapter slack` in HTTP mode against the Slack stand-in at `api_url`."""
    port = free_port()
    config = (f'database: {{url: "{database}"}}\nhttp: {{host: 127.0.0.1, port: {port}}}\n{NO_STARTER_KB}'
              "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n  signing_secret: ${SLACK_SIGNING_SECRET}\n  mode: http\n"
              f"  api_url: {api_url}\n  intake_channels: [CHELP]\n  triage_channel: CTRIAGE\n"
              "  per_channel_interval_seconds: 0\n")
    return Spoc(workdir=workdir, config=config, adapter="slack", port=port,
                env={"SLACK_BOT_TOKEN": "xoxb-faults", "SLACK_SIGNING_SECRET": SECRET})


def console_lines(tokens: list[str]) -> list[str]:
    """Each report typed by a person of its own (`/as`): two alike from one person are one ticket."""
    return [line for token in tokens for line in (f"/as p{token.replace('-', 'x')}", report_text(token))]


def console_spoc(*, workdir: Path, database: str) -> Spoc:
    port = free_port()
    return Spoc(workdir=workdir, adapter="console", port=port, env={},
                config=f'database: {{url: "{database}"}}\nhttp: {{host: 127.0.0.1, port: {port}}}\n{NO_STARTER_KB}')


class Spoc:
    """One `spoc run` after another on the same config, each a real process that can be killed."""

    def __init__(self, *, workdir: Path, config: str, adapter: str, port: int, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.config = workdir / "spoc.yaml"
        self.config.write_text(config)
        self.adapter = adapter
        self.port = port
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0
        self.lines_handled = 0  # console: "(message ...)" lines seen from the current process
        self._reader: asyncio.Task[None] | None = None
        self._log: Any = None

    async def start(self) -> None:
        self.starts += 1
        self._close_log()
        log = self._log = open(self.workdir / f"spoc-{self.starts}.log", "wb")  # noqa: SIM115 - closed after it
        process = self.process = await asyncio.create_subprocess_exec(
            *spoc_run(self.config, adapter=self.adapter), cwd=self.workdir, env=spoc_env(self.env),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log)
        self.lines_handled = 0
        self._reader = asyncio.create_task(self._read_output(process))
        await wait_ready(self.port, ended=lambda: process.returncode, timeout=START_TIMEOUT, path="/healthz")

    async def _read_output(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        while line := await process.stdout.readline():
            if line.startswith(b"(message "):
                self.lines_handled += 1

    def logged(self, words: str) -> int:
        """Lines of every run's log that say `words`."""
        return sum(line.count(words) for path in self.workdir.glob("spoc-*.log")
                   for line in path.read_text(errors="replace").splitlines())

    async def write_lines(self, lines: list[str]) -> None:
        assert self.process is not None and self.process.stdin is not None
        with contextlib.suppress(ConnectionError):
            self.process.stdin.write("".join(f"{line}\n" for line in lines).encode())
            await self.process.stdin.drain()

    async def kill(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    async def stop(self) -> int:
        """SIGTERM, as a supervisor stops it; the exit code."""
        if self.process is None or self.process.returncode is not None:
            self._close_log()
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            await self.kill()
            return -9
        finally:
            self._close_log()


class SlackSender:
    """Delivers signed events as Slack does: until answered 2xx, each try after the first marked
    X-Slack-Retry-Num. (Slack itself tries 4 times over about 6 minutes; this keeps going while spoc restarts.)"""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.tries = 0
        self.refused = Counter[str]()
        self.http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SlackSender:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.http is not None
        await self.http.close()

    async def deliver(self, body: bytes, *, give_up_after: float = 600.0) -> bool:
        assert self.http is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + give_up_after
        pause = 0.1
        for attempt in itertools.count():
            self.tries += 1
            retry = {"retry_num": attempt, "retry_reason": "http_error"} if attempt else {}
            try:
                async with self.http.post(self.url, data=body, headers=signed_headers(body, secret=SECRET, **retry)
                                          ) as response:
                    await response.read()
                    if 200 <= response.status < 300:
                        return True
                    self.refused[str(response.status)] += 1
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                self.refused[type(error).__name__] += 1
            if loop.time() > deadline:
                return False
            await asyncio.sleep(pause)
            pause = min(2.0, pause * 2)
        return False


def report_body(token: str, *, channel: str = "CHELP", thread_ts: str | None = None, text: str | None = None
                ) -> tuple[str, bytes]:
    """A person's message with a timestamp no other message has: (its ts, the signed event's body)."""
    serial = next(_serials)
    ts = f"{1_800_000_000 + serial}.{serial % 1_000_000:06d}"
    # Each report from a person of its own: two alike from one person within minutes are one ticket.
    event = message_event(channel=channel, user=f"U{serial:07d}", text=text or report_text(token), ts=ts,
                          thread_ts=thread_ts)
    return ts, event_body(event)


@dataclass
class Tally:
    """Counts after a fault: what was sent against what the database holds."""

    reports: int = 0
    tickets: int = 0
    lost: int = 0
    twice: int = 0
    comments_sent: int = 0
    comments: int = 0
    comments_lost: int = 0
    comments_twice: int = 0
    notifications_sent: int = 0
    notifications_pending: int = 0
    notifications_dead: int = 0
    posted_twice: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def ok(self) -> bool:
        return not (self.lost or self.twice or self.comments_lost or self.comments_twice
                    or self.notifications_pending or self.notifications_dead)

    def add(self, other: Tally) -> None:
        for name in ("reports", "tickets", "lost", "twice", "comments_sent", "comments", "comments_lost",
                     "comments_twice"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("notifications_sent", "notifications_pending", "notifications_dead", "posted_twice"):
            setattr(self, name, getattr(other, name))  # the outbox and Slack's messages: as they stand now


class Ledger:
    """The database read back: tokens in tickets and comments, the outbox, requests still kept."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    def close(self) -> None:
        self.engine.dispose()

    def _tokens(self, column: Any) -> Counter[str]:
        found: Counter[str] = Counter()
        with self.engine.connect() as conn:
            for text in conn.scalars(select(column)):
                match = TOKEN.search(text or "")
                if match:
                    found[match.group(1)] += 1
        return found

    def ticket_tokens(self) -> Counter[str]:
        return self._tokens(TicketRow.description)

    def comment_tokens(self) -> Counter[str]:
        return self._tokens(CommentRow.body)

    def outbox(self) -> Counter[str]:
        with self.engine.connect() as conn:
            return Counter(dict(conn.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()))

    def kept(self) -> int:
        with self.engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(PendingEventRow)) or 0

    def settled(self, reports: set[str], comments: set[str]) -> bool:
        tickets, said = self.ticket_tokens(), self.comment_tokens()
        return (all(tickets[t] for t in reports) and all(said[t] for t in comments) and not self.kept()
                and not self.outbox().get("pending"))

    async def wait_settled(self, reports: set[str], comments: set[str], *, timeout: float) -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while loop.time() - started < timeout:
            if await asyncio.to_thread(self.settled, reports, comments):
                break
            await asyncio.sleep(0.5)
        return loop.time() - started

    def tally(self, reports: set[str], comments: set[str], *, slack: SlackApiStandIn | None = None) -> Tally:
        tickets, said, outbox = self.ticket_tokens(), self.comment_tokens(), self.outbox()
        return Tally(
            reports=len(reports), tickets=sum(tickets[t] for t in reports),
            lost=sum(1 for t in reports if not tickets[t]), twice=sum(1 for t in reports if tickets[t] > 1),
            comments_sent=len(comments), comments=sum(said[t] for t in comments),
            comments_lost=sum(1 for t in comments if not said[t]),
            comments_twice=sum(1 for t in comments if said[t] > 1),
            notifications_sent=outbox.get("sent", 0), notifications_pending=outbox.get("pending", 0),
            notifications_dead=outbox.get("dead", 0), posted_twice=posted_twice(slack) if slack else 0)


def posted_twice(slack: SlackApiStandIn) -> int:
    """Messages Slack accepted more than once (same channel, thread and text)."""
    seen = Counter((c.args.get("channel"), c.args.get("thread_ts"), c.args.get("text"))
                   for c in slack.calls_to("chat.postMessage") if c.status == 200 and c.response.get("ok"))
    return sum(times - 1 for times in seen.values() if times > 1)
