"""Starting `spoc run` for a benchmark: a free port, the environment and command of a worker, waiting until it
answers, what it costs (CPU, memory, and the CPU of its units of work by kind), and a PostgreSQL schema of its
own to run on."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spoc_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment for a worker: the repository importable, no config or database of the caller's own."""
    env = {k: v for k, v in os.environ.items() if k not in ("SPOC_CONFIG", "SPOC_DATABASE_URL")}
    return env | {"PYTHONPATH": str(ROOT)} | dict(extra or {})


def spoc_run(config: Path, *, adapter: str) -> list[str]:
    return [sys.executable, "-m", "bot", "run", "--adapter", adapter, "--config", str(config)]


async def wait_ready(port: int, *, ended: Callable[[], int | None], timeout: float, path: str = "/readyz") -> None:
    """Until the worker on `port` answers `path` with 200; `ended` is its exit code once it has exited."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}{path}") as answer:
                    if answer.status == 200:
                        return
            except (aiohttp.ClientError, OSError):
                pass
            if (code := ended()) is not None:
                raise RuntimeError(f"spoc run on port {port} exited with {code} before it was ready")
            if loop.time() > deadline:
                raise RuntimeError(f"spoc run on port {port} was not ready within {timeout:.0f} s")
            await asyncio.sleep(0.2)


async def work_cpu_seconds(port: int) -> dict[str, float]:
    """The CPU a worker's units of work have spent so far, by work (message, command, ..., system, delivery),
    from its /metrics; the rest of its CPU is its event loop."""
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as answer:
        text = await answer.text()
    return {sample.labels["work"]: sample.value for family in text_string_to_metric_families(text)
            if family.name == "spoc_work_cpu_seconds" for sample in family.samples if sample.name.endswith("_total")}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, *, field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS) or at its peak (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith(f"{field}:")) / 1024


class Schema:
    """A schema of its own on the PostgreSQL server at `base`, dropped at the end; `url` reaches it."""

    def __init__(self, base: str, *, prefix: str = "bench") -> None:
        self.base = base.replace("postgresql+psycopg://", "postgresql://", 1)
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(self.base.replace("postgresql://", "postgresql+psycopg://", 1))
        with self.admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {self.name}"))
        self.option = f"options=-csearch_path%3D{self.name}"
        self.url = self.on(self.base)
        self.engine = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://", 1))

    def on(self, url: str) -> str:
        """`url` (this server, or a proxy in front of it) reaching this schema."""
        return f"{url}{'&' if '?' in url else '?'}{self.option}"

    def drop(self) -> None:
        self.engine.dispose()
        with self.admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.name} CASCADE"))
        self.admin.dispose()
