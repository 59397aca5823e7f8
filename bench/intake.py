"""Messages -> tickets (with their notifications) per second on a SQLite file, beside a plain
SQLAlchemy one-row insert-and-commit loop on the same kind of file.

Run: python bench/intake.py [--messages 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, insert

from bot.migrations import upgrade
from core.clock import SystemClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import NoKnowledgeBase
from core.messages import Author, Inbound
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database

REPORTS = [
    "my laptop won't turn on", "vpn keeps dropping since this morning's update", "I need access to the finance share",
    "printer on floor 3 is jammed again", "outlook cannot connect to the server", "please install visio for me",
    "wifi in meeting room B is very slow", "I forgot my password and I'm locked out", "new hire starting monday",
    "teams audio is broken in every call",
]


def spoc_rate(directory: Path, count: int) -> float:
    url = f"sqlite:///{directory}/spoc.db"
    upgrade(url)
    db = Database(url)
    desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(), knowledge=NoKnowledgeBase(),
                                     routes=Routes(triage=(Destination("console", "it-triage"),)),
                                     platforms=frozenset({"console"})), clock=SystemClock())
    started = time.perf_counter()
    for n in range(count):
        author = Author(platform="console", user_id=f"user{n}", display_name=f"User {n}")
        desk.handle_message(Inbound(platform="console", event_id=f"e{n}", channel="it-help", message_id=f"m{n}",
                                    author=author, text=f"{REPORTS[n % len(REPORTS)]} (#{n})", is_intake=True))
    elapsed = time.perf_counter() - started
    db.dispose()
    return count / elapsed


def plain_rate(directory: Path, count: int) -> float:
    engine = create_engine(f"sqlite:///{directory}/plain.db")
    metadata = MetaData()
    rows = Table("rows", metadata, Column("id", Integer, primary_key=True), Column("title", String(200)),
                 Column("body", Text))
    metadata.create_all(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for n in range(count):
        with engine.begin() as conn:
            conn.execute(insert(rows).values(title=REPORTS[n % len(REPORTS)], body=str(n)))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="each on a new database; the median is reported")
    args = parser.parse_args()
    spoc_rates, plain_rates = [], []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            spoc_rates.append(spoc_rate(Path(tmp), args.messages))
            plain_rates.append(plain_rate(Path(tmp), args.messages))
    spoc, plain = statistics.median(spoc_rates), statistics.median(plain_rates)
    print(f"spoc intake: {spoc:,.0f} messages/s, median of {args.rounds} rounds "
          f"({', '.join(f'{rate:,.0f}' for rate in spoc_rates)}); each message: person, ticket, audit, thread, "
          "2 notifications, outage and recurring-incident checks")
    print(f"plain insert-and-commit: {plain:,.0f} rows/s")
    print(f"ratio spoc/plain: {spoc / plain:.3f}   target: >= 300 messages/s")
    print(json.dumps({"messages": args.messages, "rounds": args.rounds, "spoc_per_s": round(spoc, 1),
                      "spoc_rounds": [round(rate, 1) for rate in spoc_rates], "plain_per_s": round(plain, 1),
                      "ratio": round(spoc / plain, 3)}))


if __name__ == "__main__":
    main()
