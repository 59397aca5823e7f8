"""N real `spoc run --adapter slack` workers (HTTP mode, default 3) on one PostgreSQL database, behind a
round-robin balancer, against the Slack Web API stand-in (in its own process, pacing each channel to one
message a second as Slack does), offered a mix of signed events at a set rate; then the same with 1 worker.

Prints, per run: acknowledgement p50/p99; report -> first reply in its thread p50/p99; report -> first
sign to its reporter (a reply or a lightweight acknowledgement) and -> visible to agents (its key on a
message in the triage channel); tickets == reports (less the reports joined to their author's open
duplicate), lost and twice; notifications delivered == written; throughput; CPU ms per event (all workers
together, and per worker, and split into events, delivery, jobs and the event loop by the units of work each
worker counts in its /metrics); the scaling ratio of N workers to 1. CPU is also shown less what the workers
spend idle (their timers and pollers, sampled for a few seconds before the events), per event and per event
or notification delivered while the events were taken: more workers deliver more of the outbox meanwhile,
so that is the cost compared like for like. Last line: one JSON object.

The knowledge base is on (the starter articles, as `spoc run` has it). What it leaves out: TLS and a real
balancer (requests go to each worker's port in turn), Slack's own latency, Socket Mode.

Run: python bench/load.py [--workers 3] [--events 5000] [--rate 100] [--postgres URL] [--burst 100] [--repeat 3]
(`--events 600 --rate 60` for a short run; `--burst 100` sends 100 reports at once into one channel first;
`--repeat 3` runs N workers and 1 worker three times each and prints the median of the ratios;
`--worker-cpus 1` pins every worker to CPU 1, so that N workers and 1 have the same CPUs: on a machine with
few CPUs, processes running side by side may each get less done per CPU second than one alone.)
The database is a schema of its own on --postgres (default $SPOC_TEST_POSTGRES_URL or
postgresql://127.0.0.1:5432/test), dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_mix import AGENT, Event, Mix, Plan  # noqa: E402
from bench.workers import (  # noqa: E402
    Schema,
    cpu_seconds,
    free_port,
    spoc_env,
    spoc_run,
    wait_ready,
    work_cpu_seconds,
)
from core.lifecycle import format_key  # noqa: E402
from core.storage.models import OutboxRow, ProcessedEventRow, ThreadRow, TicketRow  # noqa: E402
from tests.standins.slack_requests import signed_headers  # noqa: E402

SECRET = "load-secret"
IDLE_SAMPLE_SECONDS = 5.0
TRIAGE = "CTRIAGE"
KEY = re.compile(r"\b(?:INC|REQ|PRB|CHG)-\d+\b")
STAND_IN = """
import asyncio, json, re, sys
from tests.standins.slack_api import SlackApiStandIn
KEY = re.compile(r"\\b(?:INC|REQ|PRB|CHG)-\\d+\\b")
def strings(value):
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []
async def serve():
    async with SlackApiStandIn() as slack:
        slack.pace_channels(float(sys.argv[1]))
        print(slack.url, slack.base_url, flush=True)
        loop = asyncio.get_running_loop()
        while (asked := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) in ("calls", "answers"):
            for call in (slack.calls if asked == "calls" else []):
                args = call.args
                blocks = args.get("blocks") or []
                shown = " ".join(strings(json.loads(blocks) if isinstance(blocks, str) else blocks))
                shown += " " + str(args.get("text", ""))
                print(json.dumps({"method": call.method, "status": call.status, "at": call.monotonic,
                                  "ok": bool(call.response.get("ok")), "channel": str(args.get("channel", "")),
                                  "thread_ts": str(args.get("thread_ts") or args.get("timestamp") or ""),
                                  "user": str(args.get("user", "")), "keys": sorted(set(KEY.findall(shown)))}))
            print(len(slack.webhook_posts), flush=True)
            print("end", flush=True)
asyncio.run(serve())
"""


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


class StandIn:
    def __init__(self, env: dict[str, str], pace: float) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", STAND_IN, str(pace)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        self.api_url, self.base_url = self.process.stdout.readline().split()  # type: ignore[union-attr]

    def calls(self, *, answers_only: bool = False) -> tuple[list[dict[str, Any]], int]:
        """The Web API calls it took, and how many answers came to response_urls (commands, buttons)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("answers\n" if answers_only else "calls\n")
        self.process.stdin.flush()
        found = []
        while (line := self.process.stdout.readline().strip()) != "end":
            found.append(json.loads(line))
        return found[:-1], int(found[-1])

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def worker_config(directory: Path, *, port: int, api_url: str, channels: list[str]) -> Path:
    path = directory / f"spoc-{port}.yaml"
    path.write_text(
        f"http:\n  port: {port}\n"
        f"slack:\n  bot_token: ${{SLACK_BOT_TOKEN}}\n  signing_secret: ${{SLACK_SIGNING_SECRET}}\n  mode: http\n"
        f"  api_url: {api_url}\n  intake_channels: [{', '.join(channels)}]\n  triage_channel: {TRIAGE}\n"
        f"desk:\n  people:\n    - name: Agent One\n      role: agent\n      ids: {{slack: {AGENT}}}\n"
        "kb:\n  load_starter: true\n")
    return path


class Fleet:
    """The workers: started together (they migrate and seed under a lock), stopped with SIGTERM."""

    def __init__(self, count: int, *, directory: Path, env: dict[str, str], api_url: str, channels: list[str],
                 cpus: str = ""):
        self.ports = [free_port() for _ in range(count)]
        self.processes = []
        for port in self.ports:
            config = worker_config(directory, port=port, api_url=api_url, channels=channels)
            log = open(directory / f"worker-{port}.log", "w")  # noqa: SIM115 - kept open for the process
            pinned = ["taskset", "--cpu-list", cpus] if cpus else []
            self.processes.append(subprocess.Popen(pinned + spoc_run(config, adapter="slack"), env=env, cwd=directory,
                                                   stdout=log, stderr=log))

    async def ready(self, timeout: float = 120) -> None:
        for port, process in zip(self.ports, self.processes, strict=True):
            await wait_ready(port, ended=process.poll, timeout=timeout)

    def cpu(self) -> list[float]:
        return [cpu_seconds(p.pid) for p in self.processes]

    async def work_cpu(self) -> list[dict[str, float]]:
        return [await work_cpu_seconds(port) for port in self.ports]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


async def send_all(ports: list[int], events: list[Event], *, rate: float) -> tuple[list[float], list[int], list[float]]:
    """Each event to the next worker in turn, at `rate` per second (0: all at once). Returns the
    acknowledgement latencies, statuses and send times (monotonic)."""
    latencies = [0.0] * len(events)
    statuses = [0] * len(events)
    sent_at = [0.0] * len(events)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(index: int, event: Event) -> None:
            port = ports[index % len(ports)]
            headers = signed_headers(event.body, secret=SECRET)
            started = time.monotonic()
            sent_at[index] = started
            try:
                async with session.post(f"http://127.0.0.1:{port}/slack/events", data=event.body,
                                        headers=headers) as answer:
                    await answer.read()
                    statuses[index] = answer.status
            except aiohttp.ClientError:
                statuses[index] = -1
            latencies[index] = time.monotonic() - started

        tasks = []
        begin = time.monotonic()
        for index, event in enumerate(events):
            if rate > 0:
                delay = begin + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(index, event)))
        await asyncio.gather(*tasks)
    return latencies, statuses, sent_at


def processed(engine: Engine, stand_in: StandIn) -> tuple[int, int]:
    """Messages taken (their event ids are stored), and commands and buttons answered (at their response_url:
    a refused command stores nothing, but is answered)."""
    with engine.connect() as conn:
        messages = conn.scalar(select(func.count()).select_from(ProcessedEventRow)
                               .where(ProcessedEventRow.event_id.startswith("message:")))
    return int(messages or 0), stand_in.calls(answers_only=True)[1]


def wanted_after(engine: Engine, stand_in: StandIn, events: list[Event]) -> tuple[int, int]:
    """What `processed` says once `events` are processed too."""
    messages, answers = processed(engine, stand_in)
    return (messages + sum(e.kind in ("report", "reply") for e in events),
            answers + sum(e.kind in ("command", "button") for e in events))


def slack_calls_per_event(calls: list[dict[str, Any]], *, start: float, end: float, events: int
                          ) -> dict[str, float]:
    """The Web API calls the workers made while the events were taken, by method, per event: every worker
    keeps its own caches of profiles and direct-message channels."""
    made = Counter(call["method"] for call in calls if start <= call["at"] <= end)
    return {method: round(count / events, 2) for method, count in made.most_common()}


def cpu_split(*, cpu: float, before: dict[str, float], after: dict[str, float], idle: float) -> dict[str, float]:
    """A worker's CPU in the run (seconds) by what it did: its units of work for events, for the outbox's
    database work (delivery) and for scheduled jobs, each in the thread that ran it; the rest is its event
    loop (HTTP in and out, the Slack SDK, the requests kept and taken); `idle` of it the worker would have
    spent doing nothing (its timers and pollers, sampled before)."""
    spent = {work: after.get(work, 0.0) - before.get(work, 0.0) for work in after}
    delivery, jobs = spent.pop("delivery", 0.0), spent.pop("system", 0.0)
    events = sum(spent.values())
    return {"events": events, "delivery": delivery, "jobs": jobs, "loop": cpu - events - delivery - jobs,
            "idle": idle}


def wait_processed(engine: Engine, stand_in: StandIn, wanted: tuple[int, int], *, timeout: float) -> float | None:
    """When every message was taken and every command answered (monotonic), or None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages, answers = processed(engine, stand_in)
        if messages >= wanted[0] and answers >= wanted[1]:
            return time.monotonic()
        time.sleep(0.2)
    return None


def outbox_state(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
    return {status: count for status, count in rows}


def pending_by_place(engine: Engine) -> dict[str, int]:
    """What is still waiting, by kind of place: the triage channel, intake channels, direct messages."""
    with engine.connect() as conn:
        rows = conn.execute(select(OutboxRow.channel, OutboxRow.quiet, func.count())
                            .where(OutboxRow.status == "pending").group_by(OutboxRow.channel, OutboxRow.quiet)).all()
    found: dict[str, int] = defaultdict(int)
    for channel, quiet, count in rows:
        kind = "direct" if channel.startswith("D") else "intake"
        kind = "quiet" if quiet else "triage" if channel == TRIAGE else kind
        found[kind] += count
    return dict(found)


def wait_drained(engine: Engine, *, timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        state = outbox_state(engine)
        if not state.get("pending") or time.monotonic() > deadline:
            return state
        time.sleep(0.5)


def report_outcomes(engine: Engine, reports: list[Event]) -> dict[str, Any]:
    """For each report: its ticket (by the message it came from) or the open ticket it was joined to."""
    stamps = {(e.channel, e.ts) for e in reports}
    with engine.connect() as conn:
        tickets = conn.execute(select(TicketRow.origin_channel, TicketRow.origin_message, TicketRow.kind,
                                      TicketRow.id)).all()
        threads = conn.execute(select(ThreadRow.channel, ThreadRow.thread, TicketRow.kind, TicketRow.id)
                               .join(TicketRow, TicketRow.id == ThreadRow.ticket_id)).all()
    opened: dict[tuple[str, str], list[str]] = defaultdict(list)
    for channel, message, kind, number in tickets:
        if (channel, message) in stamps:
            opened[(channel, message)].append(format_key(kind, number))
    joined = {(channel, thread): format_key(kind, number) for channel, thread, kind, number in threads
              if (channel, thread) in stamps and (channel, thread) not in opened}
    return {"opened": opened, "joined": joined,
            "lost": sorted(ts for ts in stamps if ts not in opened and ts not in joined),
            "twice": sum(1 for made in opened.values() if len(made) > 1)}


def reply_times(calls: list[dict[str, Any]], reports: list[Event], sent_at: dict[str, float],
                keys: dict[tuple[str, str], str]) -> dict[str, list[float]]:
    """Report -> first reply in its thread, -> first sign to its reporter, -> its key in the triage channel."""
    first_reply: dict[tuple[str, str], float] = {}
    first_sign: dict[tuple[str, str], float] = {}
    first_seen: dict[str, float] = {}
    for call in sorted(calls, key=lambda c: c["at"]):
        if not call["ok"]:
            continue
        place = (call["channel"], call["thread_ts"])
        if call["method"] == "chat.postMessage" and call["thread_ts"]:
            first_reply.setdefault(place, call["at"])
            first_sign.setdefault(place, call["at"])
        elif call["method"] in ("chat.postEphemeral", "reactions.add") and call["thread_ts"]:
            first_sign.setdefault(place, call["at"])
        if call["channel"] == TRIAGE and call["method"] in ("chat.postMessage", "chat.update"):
            for key in call["keys"]:
                first_seen.setdefault(key, call["at"])
    out: dict[str, list[float]] = {"reply": [], "sign": [], "seen": [], "missing_reply": [], "unseen": []}
    for event in reports:
        place, sent = (event.channel, event.ts), sent_at[event.ts]
        if place in first_reply:
            out["reply"].append(first_reply[place] - sent)
        else:
            out["missing_reply"].append(0.0)
        if place in first_sign:
            out["sign"].append(first_sign[place] - sent)
        key = keys.get(place)
        if key and key in first_seen:
            out["seen"].append(first_seen[key] - sent)
        elif key:
            out["unseen"].append(0.0)
    return out


async def run_once(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    schema = Schema(args.postgres, prefix="bench_load")
    with tempfile.TemporaryDirectory() as tmp:
        env = spoc_env({"SLACK_BOT_TOKEN": "xoxb-load", "SLACK_SIGNING_SECRET": SECRET,
                        "SPOC_DATABASE_URL": schema.url})
        stand_in = StandIn(env, args.pace)
        channels = [f"CHELP{n:03d}" for n in range(args.channels)]
        plan = Plan(channels=channels, dm_share=args.dm_share, requesters=args.requesters,
                    hooks=f"{stand_in.base_url}/hooks/load")
        fleet = Fleet(workers, directory=Path(tmp), env=env, api_url=stand_in.api_url, channels=channels,
                      cpus=args.worker_cpus)
        try:
            await fleet.ready()
            warm = [plan.report() for _ in range(args.warm_up)]
            await send_all(fleet.ports, warm, rate=20)
            if wait_processed(schema.engine, stand_in, (len(warm), 0), timeout=120) is None:
                raise SystemExit("the warm-up reports were not processed in 120 s")
            outcomes = report_outcomes(schema.engine, warm)
            plan.keys = [k for made in outcomes["opened"].values() for k in made]
            # Then the run's mix, so that every worker has met each kind of event before anything is measured:
            # the first of each kind in a process pays for imports and statement compilation once.
            mixed = plan.events(args.warm_up * 3, Mix.parse(args.mix))
            warm_wanted = wanted_after(schema.engine, stand_in, mixed)
            await send_all(fleet.ports, mixed, rate=20)
            if wait_processed(schema.engine, stand_in, warm_wanted, timeout=120) is None:
                raise SystemExit("the warm-up's mixed events were not processed in 120 s")
            burst = [plan.report(channel=channels[0]) for _ in range(args.burst)]
            events = burst + plan.events(args.events, Mix.parse(args.mix))
            wanted = wanted_after(schema.engine, stand_in, events)
            # What the workers spend doing nothing (their timers and pollers), to tell it from the events' cost:
            # sampled once the warm-up's notifications are delivered.
            wait_drained(schema.engine, timeout=args.drain)
            idle_from, idle_started = fleet.cpu(), time.monotonic()
            await asyncio.sleep(IDLE_SAMPLE_SECONDS)
            cpu_before, work_before = fleet.cpu(), await fleet.work_cpu()
            idle_per_s = [(after - before) / (time.monotonic() - idle_started)
                          for before, after in zip(idle_from, cpu_before, strict=True)]
            sent_before = outbox_state(schema.engine).get("sent", 0)
            started = time.monotonic()
            latencies, statuses, sent = await send_all(fleet.ports, burst, rate=0) if burst else ([], [], [])
            more = await send_all(fleet.ports, events[len(burst):], rate=args.rate)
            latencies, statuses, sent = latencies + more[0], statuses + more[1], sent + more[2]
            done_at = wait_processed(schema.engine, stand_in, wanted, timeout=args.timeout)
            taken = processed(schema.engine, stand_in)
            cpu_after, work_after = fleet.cpu(), await fleet.work_cpu()
            finished = done_at or time.monotonic()
            delivered_meanwhile = outbox_state(schema.engine).get("sent", 0) - sent_before
            state = wait_drained(schema.engine, timeout=args.drain)
            waiting = pending_by_place(schema.engine)
            if args.keep_logs:
                for log in Path(tmp).glob("worker-*.log"):
                    (Path(args.keep_logs) / f"{workers}-{log.name}").write_bytes(log.read_bytes())
            calls = stand_in.calls()[0]
            reports = [e for e in events if e.kind == "report"]
            outcomes = report_outcomes(schema.engine, reports)
            sent_at = {e.ts: sent[i] for i, e in enumerate(events) if e.kind == "report"}
            keys = {place: made[0] for place, made in outcomes["opened"].items()} | outcomes["joined"]
            times = reply_times(calls, reports, sent_at, keys)
            burst_times = reply_times(calls, burst, sent_at, keys) if burst else None
        finally:
            fleet.stop()
            stand_in.stop()
            schema.drop()
    cpu = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
    elapsed = finished - started
    busy = sum(cpu) - sum(idle_per_s) * elapsed  # less what the workers would have spent idle meanwhile
    split = [cpu_split(cpu=c, before=b, after=a, idle=i * elapsed)
             for c, b, a, i in zip(cpu, work_before, work_after, idle_per_s, strict=True)]
    figures: dict[str, Any] = {
        "workers": workers, "events": len(events), "reports": len(reports), "offered_per_s": args.rate,
        "acked_200": statuses.count(200), "ack_p50_ms": ms(statistics.median(latencies)),
        "ack_p99_ms": ms(percentile(latencies, 0.99)),
        "all_processed": done_at is not None, "messages_taken": [taken[0], wanted[0]],
        "commands_answered": [taken[1], wanted[1]], "throughput_per_s": round(len(events) / elapsed, 1),
        "tickets": sum(len(made) for made in outcomes["opened"].values()),
        "joined_to_open_duplicate": len(outcomes["joined"]), "lost": len(outcomes["lost"]), "twice": outcomes["twice"],
        "reply_p50_ms": ms(percentile(times["reply"], 0.5)), "reply_p99_ms": ms(percentile(times["reply"], 0.99)),
        "without_reply_at_end": len(times["missing_reply"]),
        "reporter_told_p99_ms": ms(percentile(times["sign"], 0.99)),
        "visible_to_agents_p99_ms": ms(percentile(times["seen"], 0.99)), "not_visible": len(times["unseen"]),
        "notifications_written": sum(v for k, v in state.items() if k != "superseded"),
        "notifications_delivered": state.get("sent", 0), "notifications_pending": state.get("pending", 0),
        "notifications_dead": state.get("dead", 0), "pending_by_place": waiting,
        "cpu_ms_per_event": round(sum(cpu) * 1000 / len(events), 2),
        "cpu_ms_per_event_per_worker": [round(c * 1000 / len(events), 2) for c in cpu],
        "idle_cpu_ms_per_s_per_worker": [round(c * 1000, 1) for c in idle_per_s],
        "cpu_ms_per_event_split_per_worker": [{part: round(v * 1000 / len(events), 2) for part, v in parts.items()}
                                              for parts in split],
        "cpu_ms_per_event_split": {part: round(sum(parts[part] for parts in split) * 1000 / len(events), 2)
                                   for part in split[0]},
        "delivered_meanwhile": delivered_meanwhile,
        "slack_calls_per_event": slack_calls_per_event(calls, start=started, end=finished, events=len(events)),
        "busy_cpu_ms_per_event": round(busy * 1000 / len(events), 2),
        "busy_cpu_ms_per_event_or_delivery": round(busy * 1000 / (len(events) + delivered_meanwhile), 2),
    }
    if burst_times is not None:
        figures |= {"burst": len(burst),
                    "burst_reporter_told_max_s": _max_s(burst_times["sign"], len(burst)),
                    "burst_visible_to_agents_max_s": _max_s(burst_times["seen"], len(burst)),
                    "burst_first_reply_max_s": _max_s(burst_times["reply"], len(burst))}
    return figures


def _max_s(values: list[float], wanted: int) -> float | None:
    """The slowest, in seconds; None when some never happened."""
    return round(max(values), 1) if values and len(values) == wanted else None


def show(figures: dict[str, Any]) -> None:
    f = figures
    print(f"-- {f['workers']} worker(s): {f['events']} events ({f['reports']} reports) offered at "
          f"{f['offered_per_s']}/s; {f['acked_200']} acknowledged 200; all processed: {f['all_processed']}")
    print(f"   ack p50 {f['ack_p50_ms']} ms, p99 {f['ack_p99_ms']} ms; throughput {f['throughput_per_s']} events/s")
    print(f"   tickets {f['tickets']} + joined to an open duplicate {f['joined_to_open_duplicate']}; lost {f['lost']}, "
          f"twice {f['twice']}")
    print(f"   report -> first reply in its thread p50 {f['reply_p50_ms']} ms, p99 {f['reply_p99_ms']} ms "
          f"({f['without_reply_at_end']} without one at the end); reporter told p99 {f['reporter_told_p99_ms']} ms; "
          f"visible to agents p99 {f['visible_to_agents_p99_ms']} ms ({f['not_visible']} not)")
    print(f"   notifications written {f['notifications_written']}, delivered {f['notifications_delivered']}, "
          f"pending {f['notifications_pending']} {f['pending_by_place']}, dead {f['notifications_dead']}")
    print(f"   CPU {f['cpu_ms_per_event']} ms per event (per worker {f['cpu_ms_per_event_per_worker']}); idle, each "
          f"worker spends {f['idle_cpu_ms_per_s_per_worker']} ms per s; less that: {f['busy_cpu_ms_per_event']} ms "
          f"per event, {f['busy_cpu_ms_per_event_or_delivery']} ms per event or notification delivered meanwhile "
          f"({f['delivered_meanwhile']})")
    print(f"   CPU ms per event by part (events and delivery: their units of work; loop: the event loop, HTTP in "
          f"and out; idle: of all that, what the workers spend idle): {f['cpu_ms_per_event_split']}; per worker "
          f"{f['cpu_ms_per_event_split_per_worker']}")
    print(f"   Slack Web API calls per event while the events were taken: {f['slack_calls_per_event']}")
    if "burst" in f:
        print(f"   burst of {f['burst']} reports in one channel: every reporter told within "
              f"{f['burst_reporter_told_max_s']} s, every report visible to agents within "
              f"{f['burst_visible_to_agents_max_s']} s (target 30 s), last full reply after "
              f"{f['burst_first_reply_max_s']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=100.0, help="events per second (0: all at once)")
    parser.add_argument("--mix", default="reports=60,replies=20,commands=10,buttons=10")
    parser.add_argument("--burst", type=int, default=0, help="reports sent at once into one channel first")
    parser.add_argument("--channels", type=int, default=40, help="intake channels")
    parser.add_argument("--dm-share", type=float, default=0.8, help="share of reports sent as direct messages")
    parser.add_argument("--requesters", type=int, default=2000)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--pace", type=float, default=1.0, help="the stand-in's seconds per message per channel")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every event")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for the outbox afterwards")
    parser.add_argument("--keep-logs", default="", help="a directory to keep the workers' logs in")
    parser.add_argument("--no-single", action="store_true", help="skip the run with 1 worker")
    parser.add_argument("--worker-cpus", default="", help="pin the workers to these CPUs (taskset's list, e.g. 1): "
                        "N workers then share what 1 had, and the CPU they spend compares like for like")
    parser.add_argument("--repeat", type=int, default=1, help="runs of N workers and of 1, for the median ratio")
    parser.add_argument("--postgres", default=os.environ.get("SPOC_TEST_POSTGRES_URL",
                                                             "postgresql://127.0.0.1:5432/test"))
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    ratios: list[dict[str, float]] = []
    for _ in range(args.repeat):
        runs.append(asyncio.run(run_once(args, args.workers)))
        show(runs[-1])
        if args.workers > 1 and not args.no_single:
            runs.append(asyncio.run(run_once(args, 1)))
            show(runs[-1])
            ratios.append(scaling(runs[-2], runs[-1]))
            print(f"{args.workers} workers / 1: " + ", ".join(f"{name} x{value}" for name, value in ratios[-1].items())
                  + f" (os.cpu_count() = {os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")
    result: dict[str, Any] = {"runs": runs, "ratios": ratios}
    if ratios:
        result["median_ratios"] = {name: statistics.median(r[name] for r in ratios) for name in ratios[0]}
        print(f"median of {len(ratios)}: " + ", ".join(f"{name} x{value}"
                                                      for name, value in result["median_ratios"].items()))
    print(json.dumps(result))


def scaling(many: dict[str, Any], one: dict[str, Any]) -> dict[str, float]:
    """N workers against 1: throughput, and CPU per event (all of it; less idle; less idle per event or
    notification delivered meanwhile)."""
    return {name: round(many[figure] / one[figure], 2) for name, figure in (
        ("throughput", "throughput_per_s"), ("cpu_ms_per_event", "cpu_ms_per_event"),
        ("busy_cpu_ms_per_event", "busy_cpu_ms_per_event"),
        ("busy_cpu_ms_per_event_or_delivery", "busy_cpu_ms_per_event_or_delivery"))}


if __name__ == "__main__":
    main()
