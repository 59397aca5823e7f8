"""Faults against spoc running as real processes, and what survived them.

After each fault the harness counts tickets, comments and notifications against what was sent (every
report and comment carries a token, so each is matched): lost, twice, notifications still pending or
dead-lettered, and messages Slack accepted twice.

  (a) kill -9 at a random moment during a stream of reports, then start again; `--rounds` rounds of
      `--reports` reports, for the console (lines on stdin; a line the killed process never answered is
      typed again unless its ticket exists, as a person would) and for Slack's HTTP mode (a sender that
      delivers each event until it gets a 2xx, as Slack does; thread replies become comments, with a
      second kill among them).
  (b) the Slack Web API (the local stand-in) answering 500, then 429 with Retry-After, for
      `--api-fault-seconds` in all, while reports and replies keep arriving; then it recovers.
  (c) the database unreachable for `--db-fault-seconds` behind a TCP proxy this harness controls (the
      PostgreSQL server itself is never touched; needs --postgres or SPOC_TEST_POSTGRES_URL), while reports
      keep arriving over Slack's HTTP mode and on the console.
  (d) a Discord gateway closed with op 9 (invalid session) and no new session for `--gateway-fault-seconds`,
      while reports and replies in the tickets' threads keep arriving in the stand-in's channels; what was
      written meanwhile is read from the channels' history after the next READY (bench/discord_fault.py).

Target: 0 lost, 0 twice, every notification delivered after recovery. Left out: Slack's per-channel pacing
(0 here, or 500 triage cards take 500 s), the starter knowledge base (off, to keep restarts short), TLS.
Each fault has its own time bound (`--settle-seconds` to settle after it). The last line is one JSON object.

Run: python bench/faults.py [--rounds 50] [--reports 500] [--only a,b,c,d] [--postgres URL]
Quick: python bench/faults.py --rounds 2 --reports 100 --api-fault-seconds 20 --db-fault-seconds 10 \
  --gateway-fault-seconds 15
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.discord_fault import gateway_session_lost  # noqa: E402
from bench.fault_world import (  # noqa: E402
    Ledger,
    SlackSender,
    Spoc,
    Tally,
    console_lines,
    console_spoc,
    report_body,
    slack_spoc,
)
from bench.workers import Schema  # noqa: E402
from tests.standins.slack_api import SlackApiStandIn  # noqa: E402
from tests.standins.tcp_proxy import TcpProxy  # noqa: E402

FOUND_POSTED = "not posted again"  # what the Slack messenger logs when a message an earlier attempt posted is found


async def slack_stream(sender: SlackSender, bodies: list[bytes], *, at_once: int = 8,
                       on_acked: Any = None) -> int:
    """Deliver `bodies` (a few at a time); how many were acknowledged."""
    gate = asyncio.Semaphore(at_once)
    acked = 0

    async def one(body: bytes) -> None:
        nonlocal acked
        async with gate:
            if await sender.deliver(body):
                acked += 1
                if on_acked is not None:
                    on_acked(acked)

    await asyncio.gather(*(one(body) for body in bodies))
    return acked


async def kill_when(spoc: Spoc, reached: asyncio.Event) -> None:
    """Kill -9 a random moment after `reached`, then start again."""
    await reached.wait()
    await asyncio.sleep(random.uniform(0, 0.2))
    await spoc.kill()
    await spoc.start()


async def kill_rounds_slack(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    total = Tally()
    rounds = rounds_clean = 0
    started = time.monotonic()
    async with SlackApiStandIn() as slack:
        database = f"sqlite:///{workdir}/slack.db"
        spoc = slack_spoc(workdir=workdir, database=database, api_url=slack.url)
        ledger = Ledger(database)
        await spoc.start()
        async with SlackSender(spoc.port) as sender:
            for number in range(1, args.rounds + 1):
                if time.monotonic() - started > args.budget_seconds:
                    break
                rounds += 1
                tokens = [f"r{number}-{n}" for n in range(args.reports)]
                made = [report_body(token) for token in tokens]
                reached = asyncio.Event()
                kill_at = random.randint(1, max(1, args.reports - 1))
                killing = asyncio.create_task(kill_when(spoc, reached))
                await slack_stream(sender, [body for _ts, body in made],
                                   on_acked=lambda acked, at=kill_at, go=reached: acked >= at and go.set())
                await killing
                # Replies in the reports' threads become comments; another kill among them.
                replied = random.sample(range(args.reports), max(1, args.reports // 10))
                comment_tokens = [f"r{number}-c{n}" for n in replied]
                await ledger.wait_settled(set(tokens[n] for n in replied), set(), timeout=args.settle_seconds)
                replies = [report_body(token, thread_ts=made[n][0], text=f"[{token}] still jammed after a restart")[1]
                           for token, n in zip(comment_tokens, replied, strict=True)]
                reached = asyncio.Event()
                kill_at = random.randint(1, len(replies))
                killing = asyncio.create_task(kill_when(spoc, reached))
                await slack_stream(sender, replies,
                                   on_acked=lambda acked, at=kill_at, go=reached: acked >= at and go.set())
                await killing
                await ledger.wait_settled(set(tokens), set(comment_tokens), timeout=args.settle_seconds)
                tally = await asyncio.to_thread(ledger.tally, set(tokens), set(comment_tokens), slack=slack)
                rounds_clean += tally.ok()
                total.add(tally)
                print(f"  slack round {number}: {tally_line(tally)}", flush=True)
        exit_code = await spoc.stop()
        ledger.close()
    return summary(total, rounds=rounds, rounds_clean=rounds_clean, kills=spoc.kills,
                   found_posted_before_a_kill=spoc.logged(FOUND_POSTED),
                   exit_code_after_sigterm=exit_code, deliveries=sender.tries, refused=dict(sender.refused),
                   seconds=round(time.monotonic() - started, 1))


async def kill_rounds_console(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    total = Tally()
    rounds_clean = typed_again = 0
    started = time.monotonic()
    database = f"sqlite:///{workdir}/console.db"
    spoc = console_spoc(workdir=workdir, database=database)
    ledger = Ledger(database)
    await spoc.start()
    rounds = 0
    for number in range(1, args.rounds + 1):
        if time.monotonic() - started > args.budget_seconds:
            break
        rounds += 1
        tokens = [f"r{number}-{n}" for n in range(args.reports)]
        kill_at = random.randint(1, max(1, args.reports - 1))
        await spoc.write_lines(console_lines(tokens))
        while spoc.lines_handled < kill_at:
            await asyncio.sleep(0.01)
        await asyncio.sleep(random.uniform(0, 0.05))
        await spoc.kill()
        await spoc.start()
        have = await asyncio.to_thread(ledger.ticket_tokens)
        missing = [token for token in tokens if not have[token]]
        typed_again += len(missing)
        await spoc.write_lines(console_lines(missing))
        await ledger.wait_settled(set(tokens), set(), timeout=args.settle_seconds)
        tally = await asyncio.to_thread(ledger.tally, set(tokens), set())
        rounds_clean += tally.ok()
        total.add(tally)
        print(f"  console round {number}: {tally_line(tally)}", flush=True)
    exit_code = await spoc.stop()
    ledger.close()
    return summary(total, rounds=rounds, rounds_clean=rounds_clean, kills=spoc.kills, typed_again=typed_again,
                   exit_code_after_sigterm=exit_code, seconds=round(time.monotonic() - started, 1))


async def steady_reports(sender: SlackSender, ledger: Ledger, *, seconds: float, rate: float, prefix: str
                         ) -> tuple[list[str], list[str]]:
    """Reports at `rate` a second for `seconds`, every fifth followed by a reply in an earlier report's
    thread once that report is a ticket; (report tokens, comment tokens)."""
    reports: list[str] = []
    comments: list[str] = []
    sends: list[asyncio.Task[bool]] = []
    threads: list[tuple[str, str]] = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    n = 0
    while loop.time() < end:
        token = f"{prefix}-{n}"
        ts, body = report_body(token)
        reports.append(token)
        threads.append((token, ts))
        sends.append(asyncio.create_task(sender.deliver(body)))
        if n % 5 == 4:
            have = await asyncio.to_thread(ledger.ticket_tokens)
            ready = [(t, thread_ts) for t, thread_ts in threads if have[t]]
            if ready:
                parent, thread_ts = random.choice(ready)
                reply = f"{prefix}-c{n}"
                comments.append(reply)
                _ts, body = report_body(reply, thread_ts=thread_ts, text=f"[{reply}] still broken ({parent})")
                sends.append(asyncio.create_task(sender.deliver(body)))
        n += 1
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*sends)
    return reports, comments


async def chat_api_down(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    started = time.monotonic()
    async with SlackApiStandIn() as slack:
        database = f"sqlite:///{workdir}/api.db"
        spoc = slack_spoc(workdir=workdir, database=database, api_url=slack.url)
        ledger = Ledger(database)
        await spoc.start()
        half = args.api_fault_seconds / 2

        async def fault() -> None:
            await asyncio.sleep(2)
            slack.fail_everything(status=500)
            await asyncio.sleep(half)
            slack.fail_everything(status=429, retry_after=5)
            await asyncio.sleep(half)
            slack.recover()

        async with SlackSender(spoc.port) as sender:
            faulting = asyncio.create_task(fault())
            reports, comments = await steady_reports(sender, ledger, seconds=args.api_fault_seconds + 4,
                                                     rate=args.rate, prefix="r0")
            await faulting
            recovered = time.monotonic()
            await ledger.wait_settled(set(reports), set(comments), timeout=args.settle_seconds)
            after = round(time.monotonic() - recovered, 1)
        tally = await asyncio.to_thread(ledger.tally, set(reports), set(comments), slack=slack)
        refused = {status: sum(1 for c in slack.calls if c.status == status) for status in (500, 429)}
        exit_code = await spoc.stop()
        ledger.close()
    print(f"  chat API down: {tally_line(tally)}", flush=True)
    return summary(tally, calls_answered=refused, settled_seconds_after_recovery=after,
                   exit_code_after_sigterm=exit_code, seconds=round(time.monotonic() - started, 1))


async def database_unreachable(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    if not args.postgres:
        return {"not_run": "no PostgreSQL: pass --postgres URL or set SPOC_TEST_POSTGRES_URL"}
    from sqlalchemy.engine import make_url

    target = make_url(args.postgres)
    started = time.monotonic()
    schema = Schema(args.postgres, prefix="faults")
    results: dict[str, Any] = {}
    try:
        async with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy, SlackApiStandIn() as slack:
            proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            database = schema.on(proxied)
            ledger = Ledger(schema.url)
            slack_worker = slack_spoc(workdir=workdir, database=database, api_url=slack.url)
            await slack_worker.start()
            console_dir = workdir / "console"
            console_dir.mkdir()
            console_worker = console_spoc(workdir=console_dir, database=database)
            await console_worker.start()

            async def fault() -> None:
                await asyncio.sleep(2)
                await proxy.cut()
                await asyncio.sleep(args.db_fault_seconds)
                await proxy.restore()

            async def typing() -> list[str]:
                tokens: list[str] = []
                loop = asyncio.get_running_loop()
                end = loop.time() + args.db_fault_seconds + 10
                n = 0
                while loop.time() < end:
                    token = f"r0-{n}"
                    tokens.append(token)
                    await console_worker.write_lines(console_lines([token]))
                    n += 1
                    await asyncio.sleep(1 / args.rate)
                return tokens

            async with SlackSender(slack_worker.port) as sender:
                faulting = asyncio.create_task(fault())
                typed = asyncio.create_task(typing())
                reports, comments = await steady_reports(sender, ledger, seconds=args.db_fault_seconds + 10,
                                                         rate=args.rate, prefix="r1")
                console_tokens = await typed
                await faulting
                recovered = time.monotonic()
                await ledger.wait_settled(set(reports) | set(console_tokens), set(comments),
                                          timeout=args.settle_seconds)
                after = round(time.monotonic() - recovered, 1)
                refused = dict(sender.refused)
            slack_tally = await asyncio.to_thread(ledger.tally, set(reports), set(comments), slack=slack)
            console_tally = await asyncio.to_thread(ledger.tally, set(console_tokens), set())
            exits = [await slack_worker.stop(), await console_worker.stop()]
            ledger.close()
            print(f"  database away, slack: {tally_line(slack_tally)}", flush=True)
            print(f"  database away, console: {tally_line(console_tally)}", flush=True)
            results = {"slack_http": summary(slack_tally, answers_while_away=refused),
                       "console": summary(console_tally), "settled_seconds_after_restore": after,
                       "proxy_cuts": proxy.cut_count, "exit_codes_after_sigterm": exits,
                       "seconds": round(time.monotonic() - started, 1)}
    finally:
        schema.drop()
    return results


async def discord_op9(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tally, seen = await gateway_session_lost(workdir=workdir, seconds=args.gateway_fault_seconds + 8,
                                             fault_seconds=args.gateway_fault_seconds, rate=args.rate,
                                             settle_seconds=args.settle_seconds)
    print(f"  Discord session lost: {tally_line(tally)}", flush=True)
    return summary(tally, **seen)


def tally_line(tally: Tally) -> str:
    return (f"{tally.reports} reports -> {tally.tickets} tickets (lost {tally.lost}, twice {tally.twice}); "
            f"{tally.comments_sent} comments -> {tally.comments} (lost {tally.comments_lost}, twice "
            f"{tally.comments_twice}); notifications sent {tally.notifications_sent}, pending "
            f"{tally.notifications_pending}, dead {tally.notifications_dead}; posted twice {tally.posted_twice}")


def summary(tally: Tally, **extra: Any) -> dict[str, Any]:
    return {"reports": tally.reports, "tickets": tally.tickets, "lost": tally.lost, "twice": tally.twice,
            "comments_sent": tally.comments_sent, "comments": tally.comments, "comments_lost": tally.comments_lost,
            "comments_twice": tally.comments_twice, "notifications_sent": tally.notifications_sent,
            "notifications_pending": tally.notifications_pending, "notifications_dead": tally.notifications_dead,
            "posted_twice": tally.posted_twice, **extra}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="spoc-faults-") as tmp:
        work = Path(tmp)
        if "a" in args.only:
            print(f"(a) kill -9 during {args.reports} reports, {args.rounds} rounds: console", flush=True)
            (work / "a-console").mkdir()
            results["kill_console"] = await kill_rounds_console(args, work / "a-console")
            print("(a) the same, Slack HTTP mode", flush=True)
            (work / "a-slack").mkdir()
            results["kill_slack_http"] = await kill_rounds_slack(args, work / "a-slack")
        if "b" in args.only:
            print(f"(b) Slack Web API 500 then 429 for {args.api_fault_seconds:.0f} s", flush=True)
            (work / "b").mkdir()
            results["chat_api_down"] = await chat_api_down(args, work / "b")
        if "c" in args.only:
            print(f"(c) database unreachable for {args.db_fault_seconds:.0f} s behind a TCP proxy", flush=True)
            (work / "c").mkdir()
            results["database_unreachable"] = await database_unreachable(args, work / "c")
        if "d" in args.only:
            print(f"(d) Discord gateway op 9, no session for {args.gateway_fault_seconds:.0f} s", flush=True)
            (work / "d").mkdir()
            results["discord_op9"] = await discord_op9(args, work / "d")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--api-fault-seconds", type=float, default=60.0)
    parser.add_argument("--db-fault-seconds", type=float, default=20.0)
    parser.add_argument("--gateway-fault-seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=4.0, help="reports a second during (b), (c) and (d)")
    parser.add_argument("--settle-seconds", type=float, default=240.0, help="longest wait after a fault")
    parser.add_argument("--budget-seconds", type=float, default=3600.0, help="no new round of (a) after this")
    parser.add_argument("--only", default="a,b,c,d")
    parser.add_argument("--postgres", default=os.environ.get("SPOC_TEST_POSTGRES_URL", ""))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    random.seed(args.seed)
    started = time.monotonic()
    results = asyncio.run(main_async(args))
    results["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
