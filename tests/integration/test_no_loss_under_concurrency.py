"""Several real worker processes on one PostgreSQL database, started behind a barrier, meeting the same new
authors and the same incident storm at once: no message is lost, none is taken twice, and every incident of
the storm ends up in its cluster."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select, text

from core.context import Ctx
from core.messages import Inbound
from core.service import Desk
from core.storage.database import Database
from core.storage.itsm_models import RecurringClusterRow, RecurringMemberRow
from core.storage.models import CommentRow, IdentityRow, PersonRow, ProcessedEventRow, TicketRow
from core.storage.report_models import WeeklyReportRow
from tests.conftest import REPO_ROOT
from tests.integration.intake_worker import build_desk, message
from tests.integration.together import at_once, while_another_transaction_writes

pytestmark = pytest.mark.postgres
WORKERS = 4
REPLIES = 8
PROBLEMS = ("my laptop will not boot", "the printer on floor 3 is jammed", "vpn drops every hour",
            "I need access to the finance share", "outlook asks for my password all the time",
            "the projector in room 4 shows no picture")


def run_workers(url: str, plans: list[list[dict[str, str]]], tmp_path: Path) -> list[dict[str, object]]:
    """Start one process per plan, let them all go at once, and collect what each says it did."""
    go = tmp_path / "go"
    workers = []
    for n, plan in enumerate(plans):
        (tmp_path / f"plan-{n}.json").write_text(json.dumps(plan))
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "tests.integration.intake_worker", url, str(go), str(tmp_path / f"plan-{n}.json")],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        for worker in workers:  # the barrier: every process is built and waiting before any starts
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read() if worker.stderr else ""
        time.sleep(0.2)
        go.touch()
        said = []
        for worker in workers:
            out, err = worker.communicate(timeout=180)
            assert worker.returncode == 0, err
            said.append(json.loads(out.strip().splitlines()[-1]))
        return said
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def count(db: Database, query: object) -> int:
    return int(db.run(lambda s: s.scalar(query)) or 0)


def test_workers_meeting_the_same_new_authors_at_once_lose_no_message_and_take_none_twice(
    postgres_url: str, tmp_path: Path,
) -> None:
    authors = [f"newcomer-{a}" for a in range(8)]
    # Each worker meets every new author; and every worker also receives the same few events (a platform
    # redelivering to another worker), which must be taken once.
    plans = [
        [{"event_id": f"w{w}-{a}", "user_id": author, "text": f"{PROBLEMS[(w + a) % len(PROBLEMS)]} ({w}/{a})"}
         for a, author in enumerate(authors)]
        + [{"event_id": f"again-{a}", "user_id": author, "text": PROBLEMS[a % len(PROBLEMS)]}
           for a, author in enumerate(authors[:3])]
        for w in range(WORKERS)
    ]
    said = run_workers(postgres_url, plans, tmp_path)

    assert [s["failures"] for s in said] == [[]] * WORKERS
    distinct = {item["event_id"] for plan in plans for item in plan}
    assert sum(int(s["taken"]) for s in said) == len(distinct)  # 0 lost, 0 twice
    assert sum(int(s["repeats"]) for s in said) == 3 * (WORKERS - 1)
    db = Database(postgres_url)
    try:
        assert count(db, select(func.count()).select_from(TicketRow)) == len(distinct)
        assert count(db, select(func.count(func.distinct(TicketRow.origin_message)))) == len(distinct)
        assert count(db, select(func.count()).select_from(ProcessedEventRow)) == len(distinct)
        assert count(db, select(func.count()).select_from(IdentityRow)
                     .where(IdentityRow.user_id.like("newcomer-%"))) == len(authors)
        assert count(db, select(func.count()).select_from(PersonRow)
                     .where(PersonRow.display_name.like("Newcomer-%"))) == len(authors)
        assert count(db, select(func.count(func.distinct(TicketRow.requester_id)))) == len(authors)
    finally:
        db.dispose()


def test_a_storm_taken_by_several_workers_at_once_puts_every_incident_in_one_cluster(
    postgres_url: str, tmp_path: Path,
) -> None:
    before = build_desk(postgres_url)
    try:  # two alike incidents already: each report of the storm completes a cluster, or joins it
        for n in range(2):
            assert before.handle_message(message({"event_id": f"early-{n}", "user_id": f"early-{n}",
                                                  "text": f"outlook crashes when I open it, report {n}"}))
    finally:
        before.db.dispose()
    per_worker = 6
    plans = [[{"event_id": f"storm-{w}-{n}", "user_id": f"stormy-{w}-{n}",
               "text": f"outlook crashes when I open it, report {w}-{n}"} for n in range(per_worker)]
             for w in range(WORKERS)]
    said = run_workers(postgres_url, plans, tmp_path)

    assert [s["failures"] for s in said] == [[]] * WORKERS
    assert sum(int(s["taken"]) for s in said) == WORKERS * per_worker
    db = Database(postgres_url)
    try:
        incidents = 2 + WORKERS * per_worker
        assert count(db, select(func.count()).select_from(TicketRow).where(TicketRow.kind == "incident")) == incidents
        assert count(db, select(func.count()).select_from(RecurringMemberRow)) == incidents  # none left out
        assert count(db, select(func.count()).select_from(RecurringClusterRow)) == 1
    finally:
        db.dispose()


def test_work_that_meets_another_workers_new_row_runs_again_and_finds_it(
    make_desk: Callable[..., Desk], postgres_url: str,
) -> None:
    desk = make_desk(postgres_url)
    tries: list[bool] = []

    def once_per_week(ctx: Ctx) -> bool:  # a get-or-create written as select-then-insert
        found = ctx.session.get(WeeklyReportRow, "2026-W10") is not None
        tries.append(found)
        if not found:
            ctx.session.add(WeeklyReportRow(week="2026-W10", at=ctx.now))
            ctx.session.flush()
        return found

    def store_the_same_row(held: Connection) -> None:  # another worker, midway through storing the same row
        held.execute(text("INSERT INTO report_digests (week, at) VALUES ('2026-W10', now())"))

    _, done = while_another_transaction_writes(postgres_url, store_the_same_row,
                                               lambda: desk.run_as_system(once_per_week))
    assert done == [True]  # no error: the second run found the other worker's row
    assert tries == [False, True]


def test_replies_in_one_tickets_thread_taken_by_several_workers_at_once_are_all_kept(
    make_desk: Callable[..., Desk], postgres_url: str,
) -> None:
    desks = [make_desk(postgres_url) for _ in range(2 * WORKERS)]
    root = message({"event_id": "root", "user_id": "asker", "text": "vpn drops every hour"})
    assert desks[0].handle_message(root)

    def replies(n: int, desk: Desk) -> None:
        for r in range(REPLIES):
            reply = Inbound(platform="console", event_id=f"reply-{n}-{r}", channel="it-help", message_id=f"r{n}-{r}",
                            author=root.author, text=f"still broken ({n}/{r})", thread="root", is_intake=True)
            assert desk.handle_message(reply)

    assert at_once(desks, replies) == []
    assert count(desks[0].db, select(func.count()).select_from(CommentRow)) == len(desks) * REPLIES
