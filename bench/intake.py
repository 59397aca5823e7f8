"""Chat messages -> tickets per second on a SQLite file, on the path `spoc run` takes, beside the floor:
the same SQL statements replayed with raw `sqlite3`.

The desk is built as `spoc run` builds it (`bot.wiring.build_app`: the starter knowledge base loaded and
suggesting, triage, SLA, outages, recurring incidents), and each message goes to `Desk.handle_message`
as an adapter hands it over. The mix: mostly distinct texts (realistic chat messages, then Endava's
anonymised tickets from `../shared/data/tickets` when present) from a few hundred requesters, some
repeated by their writer within the duplicate window, and incident storms (many people reporting one
breakage within minutes, which makes a recurring-incident cluster and edits its card).

One pass records every statement and commit (both of the desk's connections: the tickets' and the
knowledge base's) and prints them per message; that stream is then replayed with raw `sqlite3` on a copy
of the database as it was before the messages (same transactions, same parameters, results fetched):
the floor that no Python around the SQL could beat. The timed passes run without the recorder, each on a
fresh copy. Each is timed by the clock and by the process's CPU time: on a shared machine the clock also
counts the time other processes held the CPUs, so CPU time per message is the steadier figure to compare.

Left out: the chat adapter (parsing the platform's payload, acknowledging it) and delivering the outbox.

Run: python bench/intake.py [--messages 3000] [--rounds 3] [--requesters 300] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import random
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event

from bot.config import parse_config
from bot.wiring import App, build_app
from core.messages import Author, Inbound

ROOT = Path(__file__).resolve().parents[1]
CHAT = (ROOT / "bench" / "chat_messages.yaml", ROOT / "bench" / "chat_messages_holdout.yaml")
TICKETS = ROOT.parent / "shared" / "data" / "tickets" / "endava-dev.csv"
STORMS = (
    ["outlook is down, can't send or receive anything", "outlook down for me too", "is outlook down? nothing sends",
     "outlook not working at all since 10 minutes", "outlook down here as well"],
    ["vpn is down, can't connect from home", "vpn down for me too", "anyone else vpn not connecting?",
     "vpn not working, fails to connect", "vpn is down again"],
    ["printer on floor 2 is broken", "floor 2 printer broken again", "the floor 2 printer is broken, paper jam",
     "printer floor 2 broken", "floor 2 printer not printing, broken"],
)
TARGET_RATE, TARGET_RATIO = 1000, 0.6


@dataclass
class Message:
    requester: int
    text: str


@dataclass(frozen=True)
class Pace:
    """Messages taken, in seconds of the clock and of this process's CPU time. On a shared machine the CPU
    time per message is the steadier figure: the clock also counts the time other processes held the CPUs."""

    messages: int
    seconds: float
    cpu_seconds: float

    @property
    def per_s(self) -> float:
        return self.messages / self.seconds

    @property
    def per_cpu_s(self) -> float:
        return self.messages / self.cpu_seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.messages


@dataclass
class Recorder:
    """Every statement and commit of the desk's engines, in order, per message."""

    log: list[tuple[int, str, str, Any, bool]] = field(default_factory=list)  # (connection, kind, sql, params, many)
    statements: int = 0
    commits: int = 0

    def attach(self, app: App) -> None:
        for engine in (app.db.engine, app.db.deferred_engine):
            event.listen(engine, "before_cursor_execute", self._executed)
            event.listen(engine, "commit", self._committed)
            event.listen(engine, "rollback", self._rolled_back)

    def _executed(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        self.statements += 1
        self.log.append((id(cursor.connection), "execute", statement, parameters, many))

    def _committed(self, conn: Any) -> None:
        self.commits += 1
        self.log.append((id(conn.connection.dbapi_connection), "commit", "", None, False))

    def _rolled_back(self, conn: Any) -> None:
        self.log.append((id(conn.connection.dbapi_connection), "rollback", "", None, False))


def texts(rng: random.Random) -> list[str]:
    """Distinct report texts: realistic chat messages first, then real (anonymised) tickets."""
    chat = [item["text"] for path in CHAT for item in yaml.safe_load(path.read_text())]
    found = list(dict.fromkeys(chat))
    if TICKETS.exists():
        with TICKETS.open(newline="") as source:
            tickets = [f"{row['title']}: {row['body']}"[:400] for row in csv.DictReader(source)]
        rng.shuffle(tickets)
        found += [text for text in dict.fromkeys(tickets) if text not in found]
    return found


def mix(count: int, requesters: int, seed: int = 11) -> tuple[list[Message], dict[str, int]]:
    """`count` messages: about 85% distinct reports, 5% repeats of a writer's own recent report, 10% in
    storms (bursts of 20-40 reports of one breakage from different people)."""
    rng = random.Random(seed)
    pool = texts(rng)
    messages: list[Message] = []
    recent: dict[int, str] = {}
    kinds = {"distinct": 0, "repeated": 0, "storm": 0}
    storm_every = max(1, count // 3)
    storms = iter(STORMS)
    n = 0
    while len(messages) < count:
        if len(messages) % storm_every == storm_every // 2 and (burst := next(storms, None)) is not None:
            for _ in range(min(rng.randint(20, 40), count - len(messages))):
                messages.append(Message(rng.randrange(requesters), rng.choice(burst)))
                kinds["storm"] += 1
            continue
        requester = rng.randrange(requesters)
        if recent.get(requester) and rng.random() < 0.05:
            messages.append(Message(requester, recent[requester]))
            kinds["repeated"] += 1
            continue
        text = pool[n % len(pool)] + ("" if n < len(pool) else f" (#{n // len(pool)})")
        n += 1
        recent[requester] = text
        messages.append(Message(requester, text))
        kinds["distinct"] += 1
    return messages, kinds


def config_text(url: str) -> str:
    return f"run: {{adapters: [console]}}\ndatabase: {{url: '{url}'}}\nlog_level: ERROR\n"


def inbound(n: int, message: Message) -> Inbound:
    author = Author(platform="console", user_id=f"u{message.requester}", display_name=f"User {message.requester}")
    return Inbound(platform="console", event_id=f"e{n}", channel="it-help", message_id=f"m{n}", author=author,
                   text=message.text, is_intake=True)


def prepared(directory: Path) -> Path:
    """A database migrated and seeded as `spoc run` leaves it before its first message."""
    path = directory / "seeded.db"
    app = build_app(parse_config(config_text(f"sqlite:///{path}")))
    app.knowledge.refresh()
    app.db.dispose()
    return path


def run_spoc(seeded: Path, path: Path, messages: list[Message], *, recorder: Recorder | None = None,
             profile: cProfile.Profile | None = None) -> tuple[Pace, int]:
    """How fast `messages` are taken on a copy of `seeded`; and how many opened a ticket."""
    shutil.copy(seeded, path)
    app = build_app(parse_config(config_text(f"sqlite:///{path}")))
    app.knowledge.refresh()  # as `spoc run` does before its adapters start
    if recorder is not None:
        recorder.attach(app)
    desk = app.desk
    if profile is not None:
        profile.enable()
    started, cpu = time.perf_counter(), time.process_time()
    for n, message in enumerate(messages):
        desk.handle_message(inbound(n, message))
    pace = Pace(len(messages), time.perf_counter() - started, time.process_time() - cpu)
    if profile is not None:
        profile.disable()
    with app.db.engine.connect() as conn:
        tickets = conn.exec_driver_sql("SELECT count(*) FROM tickets").scalar_one()
    app.db.dispose()
    return pace, tickets


def replay(seeded: Path, path: Path, log: list[tuple[int, str, str, Any, bool]], messages: int) -> Pace:
    """How fast the recorded statements run with raw sqlite3, each connection's on its own connection."""
    shutil.copy(seeded, path)
    connections: dict[int, sqlite3.Connection] = {}

    def connection(key: int) -> sqlite3.Connection:
        if key not in connections:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=WAL", "busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL"):
                conn.execute(f"PRAGMA {pragma}")
            connections[key] = conn
        return connections[key]

    for key, *_ in log:
        connection(key)
    started, cpu = time.perf_counter(), time.process_time()
    for key, kind, statement, parameters, many in log:
        conn = connections[key]
        if kind == "commit":
            conn.commit() if conn.in_transaction else None
        elif kind == "rollback":
            conn.rollback() if conn.in_transaction else None
        elif many:
            conn.executemany(statement, parameters)
        else:
            conn.execute(statement, parameters).fetchall()
    pace = Pace(messages, time.perf_counter() - started, time.process_time() - cpu)
    for conn in connections.values():
        conn.close()
    return pace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--requesters", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes, each on a fresh copy; median shown")
    parser.add_argument("--profile", type=Path, help="write a cProfile of one more pass here")
    args = parser.parse_args()
    messages, kinds = mix(args.messages, args.requesters)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        seeded = prepared(directory)
        recorder = Recorder()
        recorded, tickets = run_spoc(seeded, directory / "recorded.db", messages, recorder=recorder)
        floor = replay(seeded, directory / "floor.db", recorder.log, len(messages))
        paces = [run_spoc(seeded, directory / f"round{n}.db", messages)[0] for n in range(args.rounds)]
        if args.profile:
            profile = cProfile.Profile()
            run_spoc(seeded, directory / "profiled.db", messages, profile=profile)
            profile.dump_stats(args.profile)
    pace = sorted(paces, key=lambda p: p.per_s)[len(paces) // 2]  # the median round
    per_message = recorder.statements / len(messages), recorder.commits / len(messages)
    load = os.getloadavg()[0]
    print(f"{len(messages):,} messages from {args.requesters} requesters: {kinds['distinct']:,} distinct reports, "
          f"{kinds['repeated']:,} repeated by their writer, {kinds['storm']:,} in {len(STORMS)} incident storms "
          f"-> {tickets:,} tickets; starter knowledge base on")
    print(f"spoc intake: {pace.per_s:,.0f} messages/s, median of {args.rounds} "
          f"({', '.join(f'{p.per_s:,.0f}' for p in paces)}); {recorded.per_s:,.0f}/s while recording statements")
    print(f"  CPU time: {pace.cpu_ms:.2f} ms per message = {pace.per_cpu_s:,.0f} messages per CPU-second")
    print(f"per message: {per_message[0]:.1f} statements, {per_message[1]:.2f} commits")
    print(f"raw sqlite3 replay of the same statements: {floor.per_s:,.0f} messages/s; "
          f"CPU time {floor.cpu_ms:.2f} ms per message = {floor.per_cpu_s:,.0f} per CPU-second")
    print(f"spoc / replay: {pace.per_s / floor.per_s:.3f} by the clock, "
          f"{pace.per_cpu_s / floor.per_cpu_s:.3f} by CPU time")
    print(f"targets: >= {TARGET_RATE:,} messages/s, >= {TARGET_RATIO} of the replay")
    print(f"(the machine is shared: load average {load:.1f} on {os.cpu_count()} CPUs at the end)")
    print(json.dumps({"messages": len(messages), "requesters": args.requesters, "tickets": tickets, **kinds,
                      "spoc_per_s": round(pace.per_s, 1), "spoc_rounds": [round(p.per_s, 1) for p in paces],
                      "spoc_cpu_ms_per_message": round(pace.cpu_ms, 3),
                      "spoc_per_cpu_s": round(pace.per_cpu_s, 1),
                      "statements_per_message": round(per_message[0], 2),
                      "commits_per_message": round(per_message[1], 3), "replay_per_s": round(floor.per_s, 1),
                      "replay_cpu_ms_per_message": round(floor.cpu_ms, 3),
                      "ratio": round(pace.per_s / floor.per_s, 3),
                      "ratio_by_cpu": round(pace.per_cpu_s / floor.per_cpu_s, 3), "target_per_s": TARGET_RATE,
                      "target_ratio": TARGET_RATIO, "load_average": round(load, 1)}))

if __name__ == "__main__":
    main()
