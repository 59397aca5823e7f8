"""`spoc report` and the agents' lists over 1,000,000 tickets on PostgreSQL.

Half a year of tickets with their history (the same lives as bench/report.py: claims, holds, escalations,
reopenings, SLA breaches, suggested articles, ratings) is loaded with COPY into a database of its own
(created on the server of `--url`, dropped at the end unless `--keep`), then timed:
- the report over all of them and over their last 30 days, in-process (`build_report`) and as the
  `spoc report --format json` command a person runs (a new process: Python start, imports, config, report);
  first once each with no day stored (the command stores them: core/reports/rollup.py), then with them;
- `/desk queue` (the unclaimed open tickets) and `/desk mine` (an agent's open tickets) as agents type them:
  `Desk.handle_command`, a transaction each, event id stored, card built; p50 and p99 over `--lists` calls.
Left out: drawing the report's charts, and rendering the cards for a chat platform.

Run: python bench/scale.py [--tickets 1000000] [--url postgresql://127.0.0.1:5432/test] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import (  # noqa: E402
    AGENTS,
    DAYS,
    END,
    TABLES,
    cold_command,
    history,
    people_rows,
    time_command,
    time_in_process,
    warm_up,
)

from bot.config import parse_config  # noqa: E402
from bot.migrations import upgrade  # noqa: E402
from bot.wiring import desk_for  # noqa: E402
from core.messages import Author, CommandRequest  # noqa: E402
from core.reports.period import Period  # noqa: E402
from core.storage.models import IdentityRow, PersonRow  # noqa: E402

DATABASE = "spoc_scale_bench"
TARGET_REPORT_S, TARGET_LIST_P99_MS = 3.0, 50.0


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def fresh_database(server: str, name: str, *, reuse: bool) -> tuple[str, bool]:
    """The URL of database `name` on `server`, created anew (or kept, with `reuse`, if it exists)."""
    with psycopg.connect(libpq(server), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if exists and reuse:
            return make_url(server).set(database=name).render_as_string(hide_password=False), True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False), False


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(libpq(server), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_rows(conn: psycopg.Connection[Any], table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    # COPY takes no Python-side defaults: columns the rows leave out get their scalar default here.
    defaults = {c.name: c.default.arg for c in inspect(table).columns
                if c.name not in rows[0] and c.default is not None and c.default.is_scalar}
    columns = [c.name for c in inspect(table).columns if c.name in rows[0] or c.name in defaults]
    with conn.cursor().copy(f"COPY {table.__tablename__} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] if c in row else defaults[c] for c in columns])


def load(url: str, count: int) -> dict[str, int]:
    """Migrate, then COPY the people (agents with a console account each) and `count` tickets' lives."""
    upgrade(url)
    counts = {table.__tablename__: 0 for table in TABLES}
    with psycopg.connect(libpq(url)) as conn:
        people = people_rows()
        copy_rows(conn, PersonRow, people)
        copy_rows(conn, IdentityRow, [{"id": n, "platform": "console", "workspace": "", "user_id": f"agent{n}",
                                       "display_name": f"Agent {n}", "person_id": n, "agent": True}
                                      for n in range(1, AGENTS + 1)])
        for rows in history(count, batch=50_000):
            for table in TABLES:
                copy_rows(conn, table, rows[table])
                counts[table.__tablename__] += len(rows[table])
        for table in (PersonRow, IdentityRow, *TABLES):
            key = inspect(table).primary_key[0].name
            if key == "id":
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table.__tablename__}', 'id'), "
                             f"(SELECT max(id) FROM {table.__tablename__}))")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return counts


def time_lists(url: str, calls: int) -> dict[str, list[float]]:
    """Milliseconds per `/desk queue` and `/desk mine`, typed by agents picked at random: wall-clock, and
    this process's CPU (`<verb>_cpu`; the database server's is not in it)."""
    desk = desk_for(parse_config(f"run: {{adapters: [console]}}\ndatabase: {{url: '{url}'}}\nlog_level: ERROR\n"))
    rng = random.Random(3)
    times: dict[str, list[float]] = {"queue": [], "mine": [], "queue_cpu": [], "mine_cpu": []}
    for n in range(calls):
        agent = rng.randint(1, AGENTS)
        author = Author(platform="console", user_id=f"agent{agent}", display_name=f"Agent {agent}", is_agent=True)
        for verb in ("queue", "mine"):
            request = CommandRequest(platform="console", event_id=f"bench-{verb}-{n}-{time.time_ns()}", author=author,
                                     text=verb, channel="it-triage")
            started, cpu = time.perf_counter(), time.process_time()
            reply = desk.handle_command(request)
            times[verb].append((time.perf_counter() - started) * 1000)
            times[f"{verb}_cpu"].append((time.process_time() - cpu) * 1000)
            if reply.outcome == "refused":
                raise SystemExit(f"/desk {verb} was refused: {reply.text}")
    desk.db.dispose()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--url", default=os.environ.get("SPOC_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test"),
                        help="a PostgreSQL server (any database on it); the bench makes a database of its own")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is, without loading")
    parser.add_argument("--rounds", type=int, default=3, help="timings per report figure (median shown)")
    parser.add_argument("--lists", type=int, default=200, help="calls of each list")
    args = parser.parse_args()
    url, reused = fresh_database(args.url, args.database, reuse=args.reuse)
    try:
        generation = 0.0
        if not reused:
            started = time.perf_counter()
            counts = load(url, args.tickets)
            generation = time.perf_counter() - started
            print(f"loaded {counts['tickets']:,} tickets, {counts['audit']:,} audit rows, {counts['sla_events']:,} "
                  f"breaches, {counts['ticket_suggestions']:,} suggestions, {counts['ticket_ratings']:,} ratings "
                  f"with COPY in {generation:.0f} s (not timed below)")
        whole = Period(since=END - timedelta(days=DAYS + 1), until=END)
        month = Period(since=END - timedelta(days=30), until=END)
        figures: dict[str, Any] = {}
        results: dict[str, float] = {}
        warm_up(url)
        cold = {name: cold_command(url, period) for name, period in (("30d", month), ("all", whole))}
        for name, period in (("all", whole), ("30d", month)):
            runs = [time_in_process(url, period) for _ in range(args.rounds)]
            results[f"report_{name}_s"] = statistics.median(r[0] for r in runs)
            figures[name] = runs[0][1]
            commands = [time_command(url, period) for _ in range(args.rounds)]
            results[f"command_{name}_s"] = statistics.median(wall for wall, _ in commands)
            results[f"command_{name}_cpu_s"] = statistics.median(cpu for _, cpu in commands)
        lists = time_lists(url, args.lists)
    finally:
        if not args.keep:
            drop_database(args.url, args.database)
    every = figures["all"]
    print(f"figures over all: opened {every['volume']['opened']:,}, resolved {every['volume']['resolved']:,}, "
          f"backlog {every['backlog']['total']:,}; last 30 days: opened {figures['30d']['volume']['opened']:,}")
    print(f"first `spoc report` after the load (no stored days yet: it stores them): {cold['all'][0]:.2f} s all "
          f"({cold['all'][1]:.2f} s of its own CPU), {cold['30d'][0]:.2f} s last 30 days")
    print(f"days stored: report over all of them, in-process: {results['report_all_s']:.2f} s; as a command: "
          f"{results['command_all_s']:.2f} s ({results['command_all_cpu_s']:.2f} s of its own CPU)   target: < "
          f"{TARGET_REPORT_S:g} s")
    print(f"days stored: report over the last 30 days, in-process: {results['report_30d_s']:.2f} s; as a command: "
          f"{results['command_30d_s']:.2f} s ({results['command_30d_cpu_s']:.2f} s of its own CPU)")
    for verb in ("queue", "mine"):
        times, cpu = lists[verb], lists[f"{verb}_cpu"]
        print(f"/desk {verb}: p50 {percentile(times, 0.5):.1f} ms, p99 {percentile(times, 0.99):.1f} ms over "
              f"{len(times)} calls (this process's CPU: p50 {percentile(cpu, 0.5):.1f} ms, p99 "
              f"{percentile(cpu, 0.99):.1f} ms)   target: p99 < {TARGET_LIST_P99_MS:g} ms")
    print(f"(medians of {args.rounds} for the report; the machine is shared: load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end)")
    print(json.dumps({"tickets": every["volume"]["opened"], "load_s": round(generation, 1),
                      **{k: round(v, 3) for k, v in results.items()},
                      **{f"first_command_{name}_s": round(wall, 3) for name, (wall, _) in cold.items()},
                      **{f"{verb}_p50_ms": round(percentile(t, 0.5), 2) for verb, t in lists.items()},
                      **{f"{verb}_p99_ms": round(percentile(t, 0.99), 2) for verb, t in lists.items()},
                      "load_average": round(os.getloadavg()[0], 1),
                      "target_report_s": TARGET_REPORT_S, "target_list_p99_ms": TARGET_LIST_P99_MS}))


if __name__ == "__main__":
    main()
