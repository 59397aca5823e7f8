"""Mail -> tickets per second through the e-mail adapter's intake (parsing, robot and sender checks, quoted
history and signature stripping, the desk's unit of work with the starter knowledge base's suggestions and
the notifications it queues) on a SQLite file; and the time, and apart the peak Python memory (traced,
which is slower), to take one mail with a 20 MB attachment (about 28 MB encoded). It leaves out IMAP and
SMTP (the servers' own speed) and the delivery of the notices.

Run: python bench/mail_intake.py [--mails 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import tracemalloc
from email.message import EmailMessage
from pathlib import Path

from adapters.email.intake import MailIntake
from adapters.email.settings import EmailSettings
from bot.config import SpocConfig
from bot.migrations import upgrade
from bot.wiring import knowledge_for
from core.clock import SystemClock
from core.context import DeskDeps, Routes
from core.delivery import Destination
from core.service import Desk
from core.settings import DeskSettings
from core.storage.database import Database

REPORTS = [
    "my laptop won't turn on", "vpn keeps dropping since this morning's update", "I need access to the finance share",
    "printer on floor 3 is jammed again", "outlook cannot connect to the server", "please install visio for me",
    "wifi in meeting room B is very slow", "I forgot my password and I'm locked out", "new hire starting monday",
    "teams audio is broken in every call",
]
SETTINGS = EmailSettings(address="it@example.com", allowed_domains=("example.com",))


def a_mail(n: int, *, attachment: bytes = b"") -> bytes:
    message = EmailMessage()
    message["From"] = f"User {n} <user{n}@example.com>"
    message["To"] = "it@example.com"
    message["Subject"] = REPORTS[n % len(REPORTS)]
    message["Message-ID"] = f"<bench-{n}-{time.time_ns()}@client.example.com>"
    message.set_content(f"{REPORTS[n % len(REPORTS)]} (#{n}). It started this morning.\n\nThanks,\nUser {n}\n"
                        "-- \nUser Name | Finance | +1 555 0100\n\nOn Mon, IT wrote:\n> an older message\n")
    if attachment:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="scan.pdf")
    return message.as_bytes()


def desk_on(directory: Path) -> Desk:
    url = f"sqlite:///{directory}/spoc.db"
    upgrade(url)
    knowledge = knowledge_for(SpocConfig.model_validate({"database": {"url": url}}))
    db = Database(url)
    desk = Desk(db=db, deps=DeskDeps(settings=DeskSettings(), knowledge=knowledge,
                                     routes=Routes(triage=(Destination("console", "it-triage"),)),
                                     platforms=frozenset({"console", "email"})), clock=SystemClock())
    desk.setup()
    return desk


def intake_rate(directory: Path, count: int) -> float:
    desk = desk_on(directory)
    intake = MailIntake(desk=desk, settings=SETTINGS)
    mails = [a_mail(n) for n in range(count)]
    started = time.perf_counter()
    for raw in mails:
        assert intake.take(raw).status == "taken"
    elapsed = time.perf_counter() - started
    desk.db.dispose()
    return count / elapsed


def big_mail(directory: Path, *, traced: bool) -> float:
    """Seconds to take a mail with a 20 MB attachment, or (`traced`, which slows it) its peak Python MB."""
    desk = desk_on(directory)
    intake = MailIntake(desk=desk, settings=SETTINGS)
    raw = a_mail(0, attachment=b"%PDF-1.7\n" + os.urandom(20 * 1024 * 1024))
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    assert intake.take(raw).status == "taken"
    elapsed = time.perf_counter() - started
    if traced:
        elapsed = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        tracemalloc.stop()
    desk.db.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="each on a new database; the median is reported")
    args = parser.parse_args()
    rates, seconds, peaks = [], [], []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            rates.append(intake_rate(Path(tmp), args.mails))
        with tempfile.TemporaryDirectory() as tmp:
            seconds.append(big_mail(Path(tmp), traced=False))
        with tempfile.TemporaryDirectory() as tmp:
            peaks.append(big_mail(Path(tmp), traced=True))
    print(json.dumps({
        "mails": args.mails, "rounds": args.rounds,
        "mails_per_second_median": round(statistics.median(rates), 1),
        "mails_per_second_all": [round(r, 1) for r in rates],
        "mail_with_20mb_attachment_seconds_median": round(statistics.median(seconds), 2),
        "mail_with_20mb_attachment_peak_python_mb_median": round(statistics.median(peaks), 1),
    }))


if __name__ == "__main__":
    main()
