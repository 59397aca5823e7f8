"""What one outbox claim costs against a paced backlog on PostgreSQL: every worker claims on every commit.

A schema of its own on --postgres (default $SPOC_TEST_POSTGRES_URL or postgresql://127.0.0.1:5432/test)
holds --sent delivered notifications, --backlog pending in one channel (a channel its platform paces to a
message a second) and --people direct messages of one pending each; each round leases a batch of 50 and
rolls back. Prints the median and fastest claim in process, the server's execution time of the claim's
statements (EXPLAIN ANALYZE), and the rows leased.

Run: python bench/claim.py [--backlog 2000] [--people 300] [--sent 50000] [--rounds 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import core.storage.schema  # noqa: E402, F401 - every table
from bench.workers import Schema  # noqa: E402
from core.outbox import claim_due  # noqa: E402
from core.storage.base import Base  # noqa: E402
from core.storage.models import OutboxRow  # noqa: E402

PLATFORMS = frozenset({"slack"})


def rows(count: int, *, channel: str, status: str, now: datetime, person: bool = False) -> list[dict[str, Any]]:
    return [dict(created_at=now, platform="slack", channel=channel, user_id=f"U{n}" if person else "",
                 card={"title": "A card", "text": "x" * 200}, status=status, next_attempt_at=now,
                 sent_at=now if status == "sent" else None, thread="", fallback_user_id="", card_key="",
                 ticket_key="", thread_audience="", in_thread_of="", quiet=False, ahead=False, attempts=0,
                 last_error="", message_id="") for n in range(count)]


def server_ms(engine: Any) -> float:
    """The server's execution time of the statements one claim sends (EXPLAIN ANALYZE of each SELECT)."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    with Session(engine) as session:
        claim_due(session, now=datetime.now(UTC), platforms=PLATFORMS)
        session.rollback()
    event.remove(engine, "before_cursor_execute", keep)
    total = 0.0
    with engine.connect() as conn:
        for statement, parameters in seen:
            if statement.lstrip().upper().startswith("SELECT"):
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar()
                total += plan[0]["Execution Time"]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--sent", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", default=os.environ.get("SPOC_TEST_POSTGRES_URL",
                                                             "postgresql://127.0.0.1:5432/test"))
    args = parser.parse_args()
    schema = Schema(args.postgres, prefix="bench_claim")
    try:
        Base.metadata.create_all(schema.engine)
        now = datetime.now(UTC)
        with schema.engine.begin() as conn:
            for made in (rows(args.sent, channel="CSENT", status="sent", now=now),
                         rows(args.backlog, channel="CBUSY", status="pending", now=now),
                         rows(args.people, channel="", status="pending", now=now, person=True)):
                if made:
                    conn.execute(insert(OutboxRow), made)
            conn.execute(text("ANALYZE"))
        times, leased = [], 0
        for _ in range(args.rounds):
            with Session(schema.engine) as session:
                started = time.perf_counter()
                leased = len(claim_due(session, now=datetime.now(UTC), platforms=PLATFORMS))
                times.append(time.perf_counter() - started)
                session.rollback()
        print(f"claim of {leased} with {args.backlog + args.people} pending ({args.backlog} in one channel, "
              f"{args.people} people), {args.sent} sent: median {statistics.median(times) * 1000:.1f} ms, "
              f"fastest {min(times) * 1000:.1f} ms in process; server {server_ms(schema.engine):.1f} ms")
    finally:
        schema.drop()


if __name__ == "__main__":
    main()
