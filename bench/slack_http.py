"""200 concurrent signed Slack events against `spoc run --adapter slack` in HTTP mode (the real
slack-bolt app, in its own process), with the local Slack Web API stand-in in a third process:
acknowledgement latency p50/p99 and events -> tickets throughput.

Each acknowledgement now waits for the request to be committed to `pending_events` (SQLite file, the
default database), so what is timed includes that commit. Right after the last acknowledgement the bench
reads, in one snapshot, how many events are kept or already tickets: every acknowledged event must be one
or the other. Connections are opened before the clock starts, so what is timed is spoc's acknowledgement,
not TCP set-up. Left out: the knowledge base (kb.load_starter is off), TLS in front of spoc, and Slack's
own network distance. Run: python bench/slack_http.py [--events 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workers import free_port, spoc_env, spoc_run  # noqa: E402
from core.storage.boundary_models import PendingEventRow  # noqa: E402
from core.storage.models import TicketRow  # noqa: E402
from tests.standins.slack_requests import event_body, message_event, signed_headers  # noqa: E402

SECRET = "bench-secret"
EXTRA_ENV = dict(item.split("=", 1) for item in os.environ.get("BENCH_SPOC_ENV", "").split() if "=" in item)
STDERR = os.environ.get("BENCH_SPOC_STDERR", "")
STAND_IN = """
import asyncio, sys
from tests.standins.slack_api import SlackApiStandIn
async def serve():
    async with SlackApiStandIn() as slack:
        print(slack.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
asyncio.run(serve())
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"spoc did not start listening on port {port}")


def http_request(port: int, body: bytes) -> bytes:
    headers = signed_headers(body, secret=SECRET) | {"Host": f"127.0.0.1:{port}", "Content-Length": str(len(body)),
                                                    "Connection": "keep-alive"}
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"POST /slack/events HTTP/1.1\r\n{head}\r\n".encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[float, int]:
    started = time.perf_counter()
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return time.perf_counter() - started, int(status_line.split()[1])


async def fire(port: int, events: int, database: str) -> tuple[list[float], list[int]]:
    bodies = [event_body(message_event(channel="CHELP", user=f"U{n:04d}", text=f"printer {n} is jammed again"))
              for n in range(events)]
    requests = [http_request(port, body) for body in bodies]
    connections = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in range(events)))
    warm_reader, warm_writer = connections[0]
    warm_up = event_body(message_event(channel="CRANDOM", user="UWARM", text="warm-up"))
    await exchange(warm_reader, warm_writer, http_request(port, warm_up))
    while await asyncio.to_thread(pending_left, database):  # the warm-up is worked on before the burst
        await asyncio.sleep(0.05)
    results = await asyncio.gather(*(exchange(r, w, q) for (r, w), q in zip(connections, requests, strict=True)))
    for _reader, writer in connections:
        writer.close()
    return [latency for latency, _ in results], [status for _, status in results]


def durable_at_ack(database: str) -> int:
    """Events kept or already tickets, read in one snapshot (a kept event becomes a ticket before its row
    goes, so none is missed)."""
    engine = create_engine(database)
    try:
        with engine.connect() as conn, conn.begin():
            kept = conn.scalar(select(func.count()).select_from(PendingEventRow)) or 0
            made = conn.scalar(select(func.count()).select_from(TicketRow)) or 0
    finally:
        engine.dispose()
    return kept + made


def pending_left(database: str) -> int:
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(PendingEventRow)) or 0
    finally:
        engine.dispose()


def count_tickets(database: str, *, wanted: int, started: float) -> tuple[int, int]:
    engine = create_engine(database)
    try:
        while True:
            with engine.connect() as conn:
                count = conn.scalar(select(func.count()).select_from(TicketRow)) or 0
            if count >= wanted or time.perf_counter() - started > 120:
                break
            time.sleep(0.05)
        with engine.connect() as conn:
            distinct = conn.scalar(select(func.count(func.distinct(TicketRow.description)))) or 0
    finally:
        engine.dispose()
    return count, distinct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = spoc_env()
        stand_in = subprocess.Popen([sys.executable, "-c", STAND_IN], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    text=True, cwd=ROOT, env=env)
        api_url = stand_in.stdout.readline().strip()  # type: ignore[union-attr]
        port = free_port()
        config = Path(tmp) / "spoc.yaml"
        config.write_text(f"http:\n  port: {port}\n"
                          f"slack:\n  bot_token: ${{SLACK_BOT_TOKEN}}\n  signing_secret: ${{SLACK_SIGNING_SECRET}}\n"
                          f"  mode: http\n  api_url: {api_url}\n  intake_channels: [CHELP]\n"
                          f"  triage_channel: CTRIAGE\nkb:\n  load_starter: false\n")
        database = f"sqlite:///{tmp}/bench.db"
        spoc = subprocess.Popen(spoc_run(config, adapter="slack"),
                                env=env | {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
                                           "SPOC_DATABASE_URL": database} | EXTRA_ENV, cwd=tmp,
                                stderr=open(STDERR, "w") if STDERR else subprocess.DEVNULL)
        try:
            asyncio.run(wait_for_port(port))
            started = time.perf_counter()
            latencies, statuses = asyncio.run(fire(port, args.events, database))
            durable = durable_at_ack(database)
            count, distinct = count_tickets(database, wanted=args.events, started=started)
            elapsed = time.perf_counter() - started
            time.sleep(0.5)
            left = pending_left(database)
        finally:
            spoc.terminate()
            spoc.wait(timeout=30)
            stand_in.stdin.close()  # type: ignore[union-attr]
            stand_in.wait(timeout=30)
    figures = {"events": args.events, "acked_200": statuses.count(200), "tickets": count,
               "distinct_tickets": distinct, "ack_p50_ms": round(statistics.median(latencies) * 1000, 1),
               "ack_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
               "events_to_tickets_per_s": round(count / elapsed, 1), "kept_or_ticket_at_last_ack": durable,
               "pending_left": left}
    print(f"{args.events} concurrent events: {figures['acked_200']} acknowledged with 200")
    print(f"acknowledgement latency p50 {figures['ack_p50_ms']} ms, p99 {figures['ack_p99_ms']} ms "
          "(target p99 < 50 ms)")
    print(f"at the last acknowledgement {durable} of {args.events} events were kept or already tickets; "
          f"{left} still pending at the end")
    print(f"tickets {count} ({distinct} distinct, no duplicates: {count == distinct}), "
          f"{figures['events_to_tickets_per_s']} events -> tickets per second")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
