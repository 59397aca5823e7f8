"""Another spoc process for the no-loss tests: `python -m tests.integration.intake_worker URL GO PLAN`

Builds a desk on URL (recurring incidents on: 3 alike make a cluster), prints "ready", waits until the
file GO exists, then takes each message of the JSON file PLAN (a list of {event_id, user_id, text}) as
fast as it can, and prints one JSON line: how many were taken, were repeats, and what failed."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from core.clock import SystemClock
from core.config.services import RecurringSettings
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.knowledge import NoKnowledgeBase
from core.messages import Author, Inbound
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database
from tests.conftest import DEFAULT_PEOPLE


def build_desk(url: str) -> Desk:
    # Every message a ticket of its own (no duplicate linking), so that tickets == messages is the check.
    settings = DeskSettings(people=DEFAULT_PEOPLE, recurring_incidents=RecurringSettings(count=3),
                            duplicate_window_minutes=0)
    deps = DeskDeps(settings=settings, knowledge=NoKnowledgeBase(),
                    routes=Routes(triage=(Destination("console", "it-triage"),)), platforms=frozenset({"console"}))
    return Desk(db=Database(url), deps=deps, clock=SystemClock())


def message(item: dict[str, str]) -> Inbound:
    author = Author(platform="console", user_id=item["user_id"], display_name=item["user_id"].title())
    return Inbound(platform="console", event_id=item["event_id"], channel="it-help", message_id=item["event_id"],
                   author=author, text=item["text"], is_intake=True)


def main() -> None:
    url, go, plan = sys.argv[1], Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
    desk = build_desk(url)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.002)
    taken = repeats = 0
    failures: list[str] = []
    for item in plan:
        try:
            if desk.handle_message(message(item)):
                taken += 1
            else:
                repeats += 1
        except Exception as error:  # noqa: BLE001 - every failure is a lost message: reported, counted
            failures.append(f"{item['event_id']}: {type(error).__name__}: {str(error).splitlines()[0]}")
    print(json.dumps({"taken": taken, "repeats": repeats, "failures": failures}), flush=True)
    desk.db.dispose()


if __name__ == "__main__":
    main()
