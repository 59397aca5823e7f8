"""`spoc report` over 100,000 tickets with their history, on a SQLite file.

The tickets (half a year of them, with claims, holds, escalations, reopenings, SLA breaches, suggested
articles and ratings) are written with bulk inserts; then the report is timed over all of them and over the
last 30 days as the `spoc report` command a person runs (a new process: Python start, imports, config,
report, JSON; the target being under 1 s), and in-process (`build_report`: the figures alone). The first
command over each finds no day stored and stores them (core/reports/rollup.py); the others add them up.

Run: python bench/report.py [--tickets 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.migrations import upgrade
from core.reports.period import Period, ReportFilter
from core.reports.report import build_report
from core.reports.rollup import forget
from core.settings import DeskSettings
from core.storage.database import Database
from core.storage.models import AuditRow, PersonRow, SlaEventRow, SuggestionRow, TicketRow
from core.storage.report_models import RatingRow

END = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAYS = 180
AGENTS, REQUESTERS = 20, 3000
CATEGORIES = (("network", "network"), ("hardware", "workplace"), ("email", "email"), ("accounts", "identity"),
              ("software", "workplace"), ("access", "identity"), ("general", ""))
PRIORITIES = (("P1", 2), ("P2", 10), ("P3", 58), ("P4", 30))
RESPONSE_HOURS = {"P1": 0.25, "P2": 1, "P3": 4, "P4": 8}
ARTICLES = [f"article-{n}" for n in range(40)]


class History:
    """The rows of one ticket's life, cut off at END like a real database would be."""

    def __init__(self, ticket_id: int, created: datetime) -> None:
        self.ticket_id = ticket_id
        self.at = created
        self.status = "new"
        self.audit: list[dict[str, Any]] = []

    def later(self, rng: random.Random, mean_hours: float) -> bool:
        self.at += timedelta(hours=rng.expovariate(1 / mean_hours))
        return self.at < END

    def log(self, action: str, *, actor: int | None, field: str = "", old: str = "", new: str = "") -> None:
        self.audit.append({"ticket_id": self.ticket_id, "at": self.at, "actor_id": actor, "action": action,
                           "field": field, "old": old, "new": new})

    def move(self, status: str, *, actor: int | None) -> None:
        self.log("status", actor=actor, field="status", old=self.status, new=status)
        self.status = status


TABLES = (TicketRow, AuditRow, SlaEventRow, SuggestionRow, RatingRow)


def people_rows() -> list[dict[str, Any]]:
    people = [{"id": n, "display_name": f"Agent {n}", "email": f"agent{n}@example.com", "role": "agent",
               "team": "service-desk"} for n in range(1, AGENTS + 1)]
    return people + [{"id": n, "display_name": f"User {n}", "email": f"user{n}@example.com", "role": "requester",
                      "team": ""} for n in range(AGENTS + 1, AGENTS + REQUESTERS + 1)]


def history(count: int, *, seed: int = 7, batch: int = 20000) -> Iterator[dict[type, list[dict[str, Any]]]]:
    """The rows of `count` tickets' lives (tickets, audit, SLA breaches, suggestions, ratings), `batch`
    tickets at a time, each table's rows in the order of `TABLES`."""
    rng = random.Random(seed)
    weights = [w for _, w in PRIORITIES]
    rows: dict[type, list[dict[str, Any]]] = {table: [] for table in TABLES}
    for ticket_id in range(1, count + 1):
        created = END - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        category, service = rng.choice(CATEGORIES)
        priority = rng.choices([p for p, _ in PRIORITIES], weights)[0]
        requester = rng.randint(AGENTS + 1, AGENTS + REQUESTERS)
        life = History(ticket_id, created)
        row: dict[str, Any] = {
            "id": ticket_id, "kind": rng.choice(("incident", "incident", "request")), "status": "new",
            "title": f"ticket {ticket_id}", "description": f"ticket {ticket_id}", "category": category,
            "service": service, "impact": 2, "urgency": 2, "priority": priority, "requester_id": requester,
            "assignee_id": None, "team": "service-desk", "tier": 1,
            "origin_platform": rng.choice(("console", "chat-a", "chat-b")), "origin_channel": "it-help",
            "origin_message": "", "created_at": created, "updated_at": created, "first_response_at": None,
            "resolved_at": None, "closed_at": None, "resolution": "", "self_service": False, "hold_reason": "",
            "first_response_due": created + timedelta(hours=RESPONSE_HOURS[priority]),
            "resolution_due": created + timedelta(hours=RESPONSE_HOURS[priority] * 8), "sla_check_at": None,
            "hold_until": None, "version": 1,
        }
        mine = [{"ticket_id": ticket_id, "slug": slug, "title": slug.replace("-", " "), "score": 0.5,
                 "outcome": ""} for slug in (rng.sample(ARTICLES, rng.randint(1, 3)) if rng.random() < 0.3 else ())]
        rows[SuggestionRow].extend(mine)
        _live(rng, life, row, mine, rows[SlaEventRow])
        row["status"], row["updated_at"] = life.status, min(life.at, END)
        if row["status"] not in ("new", "in_progress", "on_hold"):
            row["first_response_due"] = row["resolution_due"] = None
        if row["closed_at"] is not None and rng.random() < 0.4:
            rows[RatingRow].append({"ticket_id": ticket_id, "person_id": requester,
                                    "score": rng.choice((2, 3, 4, 4, 5, 5)), "comment": "", "at": row["closed_at"]})
        rows[TicketRow].append(row)
        rows[AuditRow].extend(life.audit)
        if ticket_id % batch == 0 or ticket_id == count:
            yield rows
            rows = {table: [] for table in TABLES}


def generate(url: str, count: int, seed: int = 7) -> dict[str, int]:
    upgrade(url)
    db = Database(url)
    counts = dict.fromkeys(("tickets", "audit_rows", "sla_events", "suggestions", "ratings"), 0)
    with db.engine.begin() as conn:
        conn.execute(insert(PersonRow), people_rows())
        for rows in history(count, seed=seed):
            for table, name in zip(TABLES, counts, strict=True):
                if rows[table]:
                    conn.execute(insert(table), rows[table])
                counts[name] += len(rows[table])
    db.dispose()
    return counts


def _live(rng: random.Random, life: History, row: dict[str, Any], mine: list[dict[str, Any]],
          events: list[dict[str, Any]]) -> None:
    """Walk one ticket through its life: self-service, cancelled, or worked by agents."""
    if mine and rng.random() < 0.3:
        if life.later(rng, 0.2):
            mine[0]["outcome"] = "solved"
            life.move("resolved", actor=row["requester_id"])
            row["resolved_at"], row["self_service"] = life.at, True
            if life.later(rng, 24):
                life.move("closed", actor=row["requester_id"])
                row["closed_at"] = life.at
        return
    for s in mine:
        s["outcome"] = rng.choice(("not_helpful", "", "not_helpful"))
    if rng.random() < 0.04:
        if life.later(rng, 5):
            life.move("cancelled", actor=row["requester_id"])
        return
    target = RESPONSE_HOURS[row["priority"]]
    if not life.later(rng, target * 0.8):
        return
    agent = rng.randint(1, AGENTS)
    life.log("assign", actor=agent, field="assignee", new=f"Agent {agent}")
    life.move("in_progress", actor=agent)
    row["assignee_id"], row["first_response_at"] = agent, life.at
    if life.at - row["created_at"] > timedelta(hours=target):
        events.append({"ticket_id": life.ticket_id, "clock": "first_response", "kind": "breach", "mark": "",
                       "at": row["created_at"] + timedelta(hours=target)})
    if rng.random() < 0.15:
        life.move("on_hold", actor=agent)
        if not life.later(rng, 20):
            return
        life.move("in_progress", actor=agent)
    if rng.random() < 0.1:
        life.log("escalate", actor=agent, field="team", old="service-desk", new="network")
        row["team"], row["tier"] = "network", 2
        if rng.random() < 0.5:
            agent = rng.randint(1, AGENTS)
            life.log("assign", actor=agent, field="assignee", new=f"Agent {agent}")
            row["assignee_id"] = agent
    for attempt in range(2):
        if not life.later(rng, 30):
            return
        life.move("resolved", actor=agent)
        row["resolved_at"] = life.at
        if life.at - row["created_at"] > timedelta(hours=target * 8) and attempt == 0:
            events.append({"ticket_id": life.ticket_id, "clock": "resolution", "kind": "breach", "mark": "",
                           "at": row["created_at"] + timedelta(hours=target * 8)})
        if attempt == 1 or rng.random() > 0.05:
            break
        if not life.later(rng, 10):
            return
        life.move("in_progress", actor=row["requester_id"])
        row["resolved_at"] = None
    if life.later(rng, 30):
        life.move("closed", actor=row["requester_id"])
        row["closed_at"] = life.at


def time_in_process(url: str, period: Period) -> tuple[float, dict[str, Any]]:
    """The report as the command computes it: now is the wall clock's, so the backlog is the one that stood
    at the period's end (looked up in the trail), as `spoc report --until END` finds it."""
    db = Database(url)
    started = time.perf_counter()
    with db.deferred_sessions() as session:
        report = build_report(session, DeskSettings(), period=period, filters=ReportFilter(), now=datetime.now(UTC))
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed, report.to_dict()


def command_env(url: str) -> dict[str, str]:
    """The command's environment: spoc as installed, its modules compiled once (pip compiles them when it
    installs; here a first, untimed, run does), even where the shell says PYTHONDONTWRITEBYTECODE."""
    env = dict(os.environ, SPOC_DATABASE_URL=url, SPOC_CONFIG="")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_command(url: str, period: Period) -> tuple[float, float]:
    """Wall-clock and CPU seconds (the child's user + system) of one `spoc report --format json`."""
    command = [sys.executable, "-m", "bot", "report", "--since", period.since.isoformat(), "--until",
               period.until.isoformat(), "--format", "json"]
    before = os.times()
    started = time.perf_counter()
    subprocess.run(command, env=command_env(url), check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def cold_command(url: str, period: Period) -> tuple[float, float]:
    """`time_command` with no day stored yet, as the first report after a load finds it."""
    db = Database(url)
    db.run(forget)
    db.dispose()
    return time_command(url, period)


def warm_up(url: str) -> None:
    subprocess.run([sys.executable, "-m", "bot", "--help"], env=command_env(url), check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "bot", "report", "--since", "1d", "--format", "json"], env=command_env(url),
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "report-bench.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        started = time.perf_counter()
        counts = generate(url, args.tickets)
        generation = time.perf_counter() - started
        period = Period(since=END - timedelta(days=DAYS + 1), until=END)
        month = Period(since=END - timedelta(days=30), until=END)
        warm_up(url)
        cold = {name: cold_command(url, span) for name, span in (("30d", month), ("all", period))}
        in_process, figures = min((time_in_process(url, period) for _ in range(3)), key=lambda r: r[0])
        month_in_process = min(time_in_process(url, month)[0] for _ in range(3))
        command, command_cpu = min(time_command(url, period) for _ in range(3))
        month_command, month_command_cpu = min(time_command(url, month) for _ in range(3))
    print(f"generated {counts['tickets']:,} tickets, {counts['audit_rows']:,} audit rows, "
          f"{counts['sla_events']:,} breaches, {counts['suggestions']:,} suggestions, {counts['ratings']:,} "
          f"ratings in {generation:.1f} s (bulk inserts, not timed below)")
    print(f"first `spoc report` after the load (no stored days yet: it stores them): {cold['all'][0]:.3f} s all "
          f"({cold['all'][1]:.2f} s CPU), {cold['30d'][0]:.3f} s last 30 days ({cold['30d'][1]:.2f} s CPU)")
    print(f"report over all of them ({period.describe()}), days stored: {in_process:.3f} s")
    print(f"report over the last 30 days of them, days stored: {month_in_process:.3f} s")
    print(f"`spoc report --format json` as a new process (Python start, imports, config, report, JSON), days stored: "
          f"{command:.3f} s all ({command_cpu:.2f} s CPU), {month_command:.3f} s last 30 days "
          f"({month_command_cpu:.2f} s CPU)   target: < 1 s")
    print(f"(each time is the best of 3, the first after the load once each; the machine is shared: load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    volume, mttr = figures["volume"], figures["mttr"]
    print(f"figures: opened {volume['opened']:,}, resolved {volume['resolved']:,}, backlog "
          f"{figures['backlog']['total']:,}, MTTR {mttr['wall_seconds'] / 3600:.1f} h wall / "
          f"{mttr['business_seconds'] / 3600:.1f} h business")
    print(json.dumps({"tickets": counts["tickets"], "audit_rows": counts["audit_rows"],
                      "generation_s": round(generation, 2), "report_s": round(in_process, 3),
                      "report_30d_s": round(month_in_process, 3), "command_s": round(command, 3),
                      "command_cpu_s": round(command_cpu, 3), "command_30d_s": round(month_command, 3),
                      "command_30d_cpu_s": round(month_command_cpu, 3),
                      **{f"first_command_{name}_s": round(wall, 3) for name, (wall, _) in cold.items()},
                      "target_command_s": 1.0,
                      "load_average": round(os.getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
