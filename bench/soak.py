"""A bounded soak: `spoc run --adapter slack` in HTTP mode (the real slack-bolt app in its own process, the
starter knowledge base on, as `spoc run` has it) against a local stand-in of the Slack Web API, fed signed
events at a fixed rate (default 20 a second for 30 minutes) in a realistic mix. The process's resident
memory (RSS) is sampled throughout; its growth after the warm-up is the figure (target < 10%).

Two mixes (`--mix`). `steady` (the default), per 100 events: 1.5 reports in ten intake channels from 300
employees (chat texts of `bench/chat_messages.yaml`, so some repeat), 1.5 replies of requesters in their
tickets' threads, 1 reply of an agent there, 0.5 claim buttons pressed, 0.5 `/desk resolve`, 25 `/desk`
commands (queue, mine, show, kb search, help), 15 reactions and 55 messages in a channel the app is in
that is not an intake channel: what a large workspace sends, with about one message a second for the one
triage channel. `busy`: 10 reports, 20 requester replies, 5 agent replies, 5 claims, 3 resolves, 15
commands, 12 reactions, 30 other messages: two new tickets a second, each talked about, more than one
triage channel can show at Slack's pace (one message a second): the outbox backlog then grows all run.

The stand-in does not rate-limit; the soak sets `slack.per_channel_interval_seconds` to `--pace` (0.25 s,
so that a loaded machine still keeps up with the steady mix) and reports the outbox backlog at the end.
Left out: Slack's network, other platforms, files, modals.

Run: python bench/soak.py [--minutes 30] [--rate 20] [--mix steady|busy] [--warmup 5] [--pace 0.25]
     [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.workers import cpu_seconds, free_port, rss_mb, spoc_env, spoc_run, wait_ready  # noqa: E402
from tests.standins.slack_api import SlackApiStandIn  # noqa: E402
from tests.standins.slack_requests import (  # noqa: E402
    block_actions_body,
    event_body,
    message_event,
    new_ts,
    payloads_available,
    reaction_added_event,
    signed_headers,
    slash_command_body,
)

SECRET = "soak-secret"
READY_WITHIN = 600  # seconds: a first start builds the knowledge base's index, slow on a busy machine
INTAKE = tuple(f"CHELP{n:02d}" for n in range(10))
AGENTS = tuple(f"UAGENT{n:02d}" for n in range(8))
EMPLOYEES = tuple(f"UEMP{n:04d}" for n in range(300))
MIXES = {  # shares of 100 events
    # What one large workspace sends: most events are no report (commands, reactions, talk in channels the
    # app is in), and the triage channel gets about one message a second, what Slack lets it post.
    "steady": {"report": 1.5, "requester_reply": 1.5, "agent_reply": 1, "claim": 0.5, "resolve": 0.5,
               "command": 25, "reaction": 15, "chatter": 55},
    # Two reports a second, each talked about: more than one triage channel can show at Slack's pace.
    "busy": {"report": 10, "requester_reply": 20, "agent_reply": 5, "claim": 5, "resolve": 3, "command": 15,
             "reaction": 12, "chatter": 30},
}
REPLIES = ("any news on this?", "still broken for me", "tried restarting, no change", "thanks, that helped",
           "it happens again since this morning", "can someone look at this today please")
COMMANDS = ("queue", "mine", "show {key}", "kb search vpn keeps dropping", "help")


@dataclass
class Traffic:
    """The next event of the mix, with what earlier ones made (reports and their threads) to refer to."""

    rng: random.Random
    texts: list[str]
    response_url: str
    mix: dict[str, float]
    reports: list[tuple[str, str, str]] = field(default_factory=list)  # channel, ts, requester
    sent: dict[str, int] = field(default_factory=dict)  # by kind
    tickets_before: int = 0  # tickets already in the database; half the keys named are among them

    def next(self) -> tuple[str, bytes]:
        kinds = list(self.mix)
        kind = self.rng.choices(kinds, [self.mix[k] for k in kinds])[0] if self.reports else "report"
        self.sent[kind] = self.sent.get(kind, 0) + 1
        return kind, getattr(self, kind)()

    def for_the_core(self) -> int:
        """Events sent so far that reach the core (the adapter drops a reaction that is not its own)."""
        return sum(count for kind, count in self.sent.items() if kind != "reaction")

    def _key(self) -> str:
        if self.tickets_before and self.rng.random() < 0.5:
            return f"INC-{self.rng.randint(1, self.tickets_before)}"
        newest = self.tickets_before + max(1, int(len(self.reports) * 0.9))  # some reports join earlier tickets
        return f"INC-{self.rng.randint(max(1, newest - 100), newest)}"

    def _recent(self) -> tuple[str, str, str]:
        return self.reports[-self.rng.randint(1, min(len(self.reports), 200))]

    def report(self) -> bytes:
        channel, user, ts = self.rng.choice(INTAKE), self.rng.choice(EMPLOYEES), new_ts()
        self.reports.append((channel, ts, user))
        return event_body(message_event(channel=channel, user=user, text=self.rng.choice(self.texts), ts=ts))

    def requester_reply(self) -> bytes:
        channel, ts, user = self._recent()
        return event_body(message_event(channel=channel, user=user, text=self.rng.choice(REPLIES), thread_ts=ts))

    def agent_reply(self) -> bytes:
        channel, ts, _user = self._recent()
        return event_body(message_event(channel=channel, user=self.rng.choice(AGENTS), thread_ts=ts,
                                        text="I'm looking into it, can you tell me your laptop's asset tag?"))

    def command(self) -> bytes:
        text = self.rng.choice(COMMANDS).format(key=self._key())
        user = self.rng.choice(AGENTS if self.rng.random() < 0.7 else EMPLOYEES)
        return slash_command_body(text=text, user_id=user, channel_id=self.rng.choice(INTAKE),
                                  response_url=self.response_url, trigger_id=f"t{self.rng.random()}")

    def claim(self) -> bytes:
        value = json.dumps({"c": f"claim {self._key()}", "p": ""}, separators=(",", ":"))
        return block_actions_body(user_id=self.rng.choice(AGENTS), action_id="desk:0", value=value,
                                  channel_id="CTRIAGE", message_ts=new_ts(), response_url=self.response_url,
                                  trigger_id=f"t{self.rng.random()}")

    def resolve(self) -> bytes:
        return slash_command_body(text=f"resolve {self._key()} restarted the service, it works again",
                                  user_id=self.rng.choice(AGENTS), channel_id="CTRIAGE",
                                  response_url=self.response_url, trigger_id=f"t{self.rng.random()}")

    def reaction(self) -> bytes:
        channel, ts, _user = self._recent()
        return event_body(reaction_added_event(user=self.rng.choice(AGENTS), reaction="eyes", channel=channel, ts=ts))

    def chatter(self) -> bytes:
        return event_body(message_event(channel="CRANDOM", user=self.rng.choice(EMPLOYEES),
                                        text="anyone up for lunch at 12?"))


@dataclass
class Sample:
    at: float  # seconds since the traffic started
    rss_mb: float
    cpu_seconds: float
    in_hand: int | None = None  # events acknowledged that the core has not finished (None: not scraped)


def process_sample(pid: int, at: float) -> Sample:
    return Sample(at=at, rss_mb=rss_mb(pid), cpu_seconds=cpu_seconds(pid))


def spoc_config(*, port: int, api_url: str, database: str, pace: float) -> str:
    people = [{"name": f"Agent {n}", "role": "agent", "ids": {"slack": user}} for n, user in enumerate(AGENTS)]
    return yaml.safe_dump({
        "database": {"url": database},
        "http": {"host": "127.0.0.1", "port": port},
        "slack": {"bot_token": "${SLACK_BOT_TOKEN}", "signing_secret": "${SLACK_SIGNING_SECRET}", "mode": "http",
                  "api_url": api_url, "intake_channels": list(INTAKE), "triage_channel": "CTRIAGE",
                  "per_channel_interval_seconds": pace},
        "desk": {"people": people},
    })


async def metrics(http: aiohttp.ClientSession, base: str) -> dict[str, float]:
    async with http.get(f"{base}/metrics") as response:
        text = await response.text()
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            label = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            found[f"{s.name}{{{label}}}" if label else s.name] = s.value
    return found


async def offer(http: aiohttp.ClientSession, base: str, traffic: Traffic, *, rate: float, seconds: float,
                latencies: list[float], statuses: dict[int, int]) -> int:
    """Send the mix at `rate` events a second for `seconds` (open loop: a slow answer delays no later event);
    returns how many were sent once every answer is in."""

    async def send(body: bytes) -> None:
        started = time.perf_counter()
        try:
            async with http.post(f"{base}/slack/events", data=body,
                                 headers=signed_headers(body, secret=SECRET)) as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError:
            status = 0
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1

    loop = asyncio.get_running_loop()
    sending: set[asyncio.Task[None]] = set()
    start, count = time.monotonic(), 0
    while (now := time.monotonic()) - start < seconds:
        due = start + count / rate
        if due > now:
            await asyncio.sleep(due - now)
        _kind, body = traffic.next()
        task = loop.create_task(send(body))
        sending.add(task)
        task.add_done_callback(sending.discard)
        count += 1
    await asyncio.gather(*sending)
    return count


async def soak(args: argparse.Namespace, *, base: str, spoc: subprocess.Popen[bytes],
               traffic: Traffic) -> dict[str, object]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    samples: list[Sample] = []

    async def sample(start: float) -> None:
        while True:
            found = process_sample(spoc.pid, time.monotonic() - start)
            found.in_hand = await in_hand(http, base, traffic)
            samples.append(found)
            await asyncio.sleep(args.sample_seconds)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as http:
        before = process_sample(spoc.pid, 0.0)
        start = time.monotonic()
        sampler = asyncio.create_task(sample(start))
        count = await offer(http, base, traffic, rate=args.rate, seconds=args.minutes * 60, latencies=latencies,
                            statuses=statuses)
        sent_in = time.monotonic() - start
        left = await in_hand(http, base, traffic)
        drained_in = await drain(http, base)
        sampler.cancel()
        samples.append(process_sample(spoc.pid, time.monotonic() - start))
        samples[-1].in_hand = await in_hand(http, base, traffic)
        final = await metrics(http, base)
    return {"before": before, "samples": samples, "latencies": latencies, "statuses": statuses, "sent": count,
            "sent_in": sent_in, "drained_in": drained_in, "metrics": final, "in_hand_at_last_event": left}


async def in_hand(http: aiohttp.ClientSession, base: str, traffic: Traffic) -> int | None:
    """Events acknowledged but not yet handled by the core, from the process's own counters."""
    try:
        found = await asyncio.wait_for(metrics(http, base), 10)
    except (TimeoutError, aiohttp.ClientError):
        return None
    return traffic.for_the_core() - int(sum(v for k, v in found.items() if k.startswith("spoc_events_total")))


async def drain(http: aiohttp.ClientSession, base: str, timeout: float = 120.0) -> float | None:
    """Seconds until the outbox is empty after the last event (None: not within `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        await asyncio.sleep(5.5)  # the gauges are cached for 5 s
        if (await metrics(http, base)).get("spoc_outbox_pending", 1) == 0:
            return round(time.monotonic() - started, 1)
    return None


def growth(samples: list[Sample], *, warmup: float) -> dict[str, float]:
    after = [s for s in samples if s.at >= warmup]
    first = [s.rss_mb for s in after if s.at < warmup + 60] or [after[0].rss_mb]
    last = [s.rss_mb for s in after if s.at >= after[-1].at - 60]
    baseline, final = statistics.median(first), statistics.median(last)
    span = after[-1].at - after[0].at
    slope = statistics.linear_regression([s.at for s in after], [s.rss_mb for s in after]).slope if span else 0.0
    return {"rss_after_warmup_mb": round(baseline, 1), "rss_end_mb": round(final, 1),
            "rss_peak_mb": round(max(s.rss_mb for s in samples), 1),
            "growth_after_warmup_pct": round(100 * (final - baseline) / baseline, 2),
            "slope_mb_per_hour": round(slope * 3600, 1)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(args: argparse.Namespace, found: dict[str, object]) -> dict[str, object]:
    samples: list[Sample] = found["samples"]  # type: ignore[assignment]
    before: Sample = found["before"]  # type: ignore[assignment]
    latencies: list[float] = found["latencies"]  # type: ignore[assignment]
    m: dict[str, float] = found["metrics"]  # type: ignore[assignment]
    warmup = min(args.warmup * 60, args.minutes * 60 / 3)
    events = {key.split("{")[1].rstrip("}"): int(v) for key, v in m.items() if key.startswith("spoc_events_total")}
    sent = int(found["sent"])  # type: ignore[call-overload]
    return {
        "minutes": args.minutes, "rate": args.rate, "mix": args.mix, "pace_s": args.pace, "events_sent": sent,
        "offered_per_s": round(sent / float(found["sent_in"]), 2),  # type: ignore[arg-type]
        "acked_200": found["statuses"].get(200, 0),  # type: ignore[attr-defined]
        "other_statuses": {str(k): v for k, v in found["statuses"].items() if k != 200},  # type: ignore[attr-defined]
        "ack_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "ack_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "rss_before_traffic_mb": round(before.rss_mb, 1), "warmup_minutes": round(warmup / 60, 1),
        **growth(samples, warmup=warmup),
        "cpu_ms_per_event": round(1000 * (samples[-1].cpu_seconds - before.cpu_seconds) / max(1, sent), 2),
        "tickets_opened": int(sum(v for k, v in m.items() if k.startswith("spoc_tickets_opened_total"))),
        "events_by_outcome": events,
        "outbox_pending_end": m.get("spoc_outbox_pending"), "outbox_dead_end": m.get("spoc_outbox_dead"),
        "outbox_drained_in_s": found["drained_in"],
        "in_hand_at_last_event": found["in_hand_at_last_event"], "in_hand_end": samples[-1].in_hand,
        "in_hand_max": max((s.in_hand for s in samples if s.in_hand is not None), default=None),
        "samples_rss_mb_in_hand": [(round(s.at), round(s.rss_mb, 1), s.in_hand)
                                   for s in samples[:: max(1, len(samples) // 60)]],
    }


def chat_texts() -> list[str]:
    return [m["text"] for m in yaml.safe_load((ROOT / "bench" / "chat_messages.yaml").read_text())]


@contextmanager
def running_spoc(*, database: str = "", pace: float = 0.25
                 ) -> Iterator[tuple[str, subprocess.Popen[bytes], SlackApiStandIn, Path]]:
    """`spoc run --adapter slack` in HTTP mode on `database` (default: a new SQLite file) with the Slack
    stand-in; yields, once it is ready, its base URL, the process, the stand-in and the path of its log.
    Stopped after."""
    if not payloads_available():
        raise SystemExit("needs the Slack payloads in ../shared/data/slack/payloads beside the repository")
    with tempfile.TemporaryDirectory() as tmp, SlackApiStandIn() as slack:
        port = free_port()
        database = database or f"sqlite:///{tmp}/soak.db"
        config = Path(tmp) / "spoc.yaml"
        config.write_text(spoc_config(port=port, api_url=slack.url, database=database, pace=pace))
        env = spoc_env({"SLACK_BOT_TOKEN": "xoxb-soak", "SLACK_SIGNING_SECRET": SECRET,
                        "SPOC_DATABASE_URL": database})
        log_path = Path(tmp) / "spoc.log"
        with open(log_path, "wb") as log:
            spoc = subprocess.Popen(spoc_run(config, adapter="slack"), env=env, cwd=tmp, stderr=log)
            try:
                asyncio.run(wait_ready(port, ended=spoc.poll, timeout=READY_WITHIN))
                yield f"http://127.0.0.1:{port}", spoc, slack, log_path
            finally:
                spoc.terminate()
                spoc.wait(timeout=60)


def error_lines(log_path: Path) -> list[str]:
    return [line for line in log_path.read_text(errors="replace").splitlines()
            if " ERROR " in line or "Traceback" in line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=20.0, help="events a second")
    parser.add_argument("--warmup", type=float, default=5.0, help="minutes (at most a third of the run)")
    parser.add_argument("--mix", choices=sorted(MIXES), default="steady")
    parser.add_argument("--pace", type=float, default=0.25, help="slack.per_channel_interval_seconds")
    parser.add_argument("--sample-seconds", type=float, default=5.0)
    parser.add_argument("--database", default="", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    with running_spoc(database=args.database, pace=args.pace) as (base, spoc, slack, log_path):
        traffic = Traffic(rng=random.Random(args.seed), texts=chat_texts(), response_url=slack.new_response_url(),
                          mix=MIXES[args.mix])
        found = asyncio.run(soak(args, base=base, spoc=spoc, traffic=traffic))
        errors = error_lines(log_path)
    figures = summary(args, found)
    figures["error_log_lines"] = len(errors)
    print(f"{figures['events_sent']} events in {args.minutes:g} min at {figures['offered_per_s']}/s: "
          f"{figures['acked_200']} acknowledged with 200 {figures['other_statuses'] or ''}; ack p50 "
          f"{figures['ack_p50_ms']} ms, p99 {figures['ack_p99_ms']} ms; {figures['tickets_opened']} tickets opened")
    print(f"RSS {figures['rss_before_traffic_mb']} MB before traffic, {figures['rss_after_warmup_mb']} MB after the "
          f"{figures['warmup_minutes']}-min warm-up, {figures['rss_end_mb']} MB at the end (peak "
          f"{figures['rss_peak_mb']} MB): growth {figures['growth_after_warmup_pct']}% after warm-up (target < 10%), "
          f"trend {figures['slope_mb_per_hour']} MB/hour")
    print(f"CPU {figures['cpu_ms_per_event']} ms per event; outbox at the end: {figures['outbox_pending_end']} "
          f"pending, {figures['outbox_dead_end']} dead (drained {figures['outbox_drained_in_s']} s after the last "
          f"event); {len(errors)} error lines in spoc's log")
    print(f"events acknowledged but not yet handled: {figures['in_hand_at_last_event']} at the last event, "
          f"{figures['in_hand_max']} at most, {figures['in_hand_end']} at the end")
    for line in errors[:5]:
        print(f"  {line[:300]}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
