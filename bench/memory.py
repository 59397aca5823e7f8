"""Resident memory (RSS) of a `spoc run` process with 100,000 tickets and 10,000 articles, beside the same
process on an empty desk.

The loaded database is a SQLite file: the 100,000 tickets with their history are bulk-inserted (as
`bench/report.py` writes them: half a year of claims, holds, escalations, SLA breaches, suggestions and
ratings, 3,020 people), and the 10,000 articles (generated as `bench/kb_speed.py` generates them) are
written through the knowledge base's own store, as `spoc kb import` writes them. Then `spoc run --adapter
slack` (HTTP mode, with the local Slack stand-in) starts on it, which builds the knowledge base's index over
every article, and is touched by the real queries: the soak's busy mix of events (`bench/soak.py`: reports that
rank the articles and look for duplicates and recurring incidents, replies, claims, resolves, `/desk queue`,
`mine`, `show` of tickets among the 100,000) for `--touch-seconds`, and `/desk report` over all of them.
RSS is read from /proc when the process is ready and after the touching, with its peak (VmHWM). The empty
desk (starter knowledge base, no tickets) gets the same events.

Left out: PostgreSQL (its cache lives in the server), attachments, several workers.

Run: python bench/memory.py [--tickets 100000] [--articles 10000] [--touch-seconds 60] [--keep FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import aiohttp  # noqa: E402
from kb_speed import generate as generate_articles  # noqa: E402
from report import generate as generate_tickets  # noqa: E402
from soak import (  # noqa: E402
    AGENTS,
    INTAKE,
    MIXES,
    SECRET,
    Traffic,
    chat_texts,
    drain,
    error_lines,
    offer,
    process_sample,
    running_spoc,
)

from bench.workers import rss_mb  # noqa: E402
from core.storage.database import Database  # noqa: E402
from kb.article import Article  # noqa: E402
from kb.service import KnowledgeService  # noqa: E402
from tests.standins.slack_requests import signed_headers, slash_command_body  # noqa: E402

WHOLE_HISTORY = "2025-08-01..2026-03-03"  # every ticket bench/report.py writes


def load(url: str, *, tickets: int, articles: int) -> dict[str, object]:
    started = time.perf_counter()
    counts = generate_tickets(url, tickets)
    tickets_s = time.perf_counter() - started
    docs, _queries = generate_articles(articles)
    db = Database(url)
    started = time.perf_counter()
    KnowledgeService(db.deferred_sessions).store.upsert_many([
        Article(slug=d.slug, title=d.title, body=d.body, tags=d.tags, service=d.service, category=d.category,
                also_asked_as=d.also_asked_as) for d in docs])
    articles_s = time.perf_counter() - started
    db.dispose()
    size_mb = Path(url.removeprefix("sqlite:///")).stat().st_size / 2**20
    return {**counts, "articles": articles, "tickets_insert_s": round(tickets_s, 1),
            "articles_store_s": round(articles_s, 1), "database_mb": round(size_mb, 1)}


async def report(http: aiohttp.ClientSession, base: str, response_url: str) -> tuple[int, float]:
    body = slash_command_body(text=f"report {WHOLE_HISTORY}", user_id=AGENTS[0], channel_id=INTAKE[0],
                              response_url=response_url, trigger_id=f"t{random.random()}")
    started = time.perf_counter()
    async with http.post(f"{base}/slack/events", data=body, headers=signed_headers(body, secret=SECRET)) as answer:
        await answer.read()
        return answer.status, time.perf_counter() - started


async def touch(base: str, spoc: subprocess.Popen[bytes], traffic: Traffic, *, seconds: float,
                response_url: str) -> dict[str, float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    async with aiohttp.ClientSession() as http:
        await asyncio.sleep(2)  # the first scheduled jobs and the role sync settle
        ready = process_sample(spoc.pid, 0.0).rss_mb
        for _ in range(3):
            await report(http, base, response_url)
        sent = await offer(http, base, traffic, rate=20, seconds=seconds, latencies=latencies, statuses=statuses)
        await drain(http, base)
        after = process_sample(spoc.pid, 0.0).rss_mb
        peak = rss_mb(spoc.pid, field="VmHWM")
    return {"rss_ready_mb": round(ready, 1), "rss_after_touch_mb": round(after, 1), "rss_peak_mb": round(peak, 1),
            "events": sent, "acked_200": statuses.get(200, 0)}


def measure(database: str, *, tickets_before: int, seconds: float) -> dict[str, float]:
    with running_spoc(database=database) as (base, spoc, slack, log_path):
        response_url = slack.new_response_url()
        traffic = Traffic(rng=random.Random(17), texts=chat_texts(), response_url=response_url,
                          mix=MIXES["busy"], tickets_before=tickets_before)
        found = asyncio.run(touch(base, spoc, traffic, seconds=seconds, response_url=response_url))
        found["error_log_lines"] = len(error_lines(log_path))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--touch-seconds", type=float, default=60.0)
    parser.add_argument("--keep", type=Path, help="keep the loaded database in this file; a copy of it is used "
                                                   "when it exists already (written with the same sizes)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        loaded_url = f"sqlite:///{tmp}/loaded.db"
        if args.keep and args.keep.exists():
            shutil.copyfile(args.keep, f"{tmp}/loaded.db")
            loaded = {"reused": str(args.keep), "tickets": args.tickets, "articles": args.articles}
            print(f"loaded: a copy of {args.keep}", flush=True)
        else:
            loaded = load(loaded_url, tickets=args.tickets, articles=args.articles)
            print(f"loaded: {loaded['tickets']} tickets ({loaded['audit_rows']} audit rows) in "
                  f"{loaded['tickets_insert_s']} s, {loaded['articles']} articles in {loaded['articles_store_s']} "
                  f"s; file {loaded['database_mb']} MB", flush=True)
            if args.keep:
                shutil.copyfile(f"{tmp}/loaded.db", args.keep)
        empty = measure(f"sqlite:///{tmp}/empty.db", tickets_before=0, seconds=args.touch_seconds)
        full = measure(loaded_url, tickets_before=args.tickets, seconds=args.touch_seconds)
    print(f"{'desk':<40} {'RSS ready MB':>13} {'after touch MB':>15} {'peak MB':>8}")
    for name, row in (("empty (starter knowledge base)", empty),
                      (f"{args.tickets:,} tickets, {args.articles:,} articles", full)):
        print(f"{name:<40} {row['rss_ready_mb']:>13} {row['rss_after_touch_mb']:>15} {row['rss_peak_mb']:>8}")
    extra = round(full["rss_after_touch_mb"] - empty["rss_after_touch_mb"], 1)
    print(f"the data costs {extra} MB of RSS after touching ({full['events']} events and 3 reports each; "
          f"{empty['error_log_lines'] + full['error_log_lines']} error lines in spoc's logs)")
    print(json.dumps({"benchmark": "memory", "load": loaded, "empty": empty, "loaded": full,
                      "data_cost_mb": extra}))


if __name__ == "__main__":
    main()
