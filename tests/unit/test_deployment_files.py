"""The multi-worker deployment examples stay true: the config they share loads, each worker's own
variables reach it, and compose.yaml names files that exist."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from tests.conftest import REPO_ROOT


def test_the_shared_worker_config_loads_with_each_workers_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOC_DATABASE_URL", "postgresql://spoc@db/spoc")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SPOC_HTTP_PORT", "3002")
    monkeypatch.setenv("SPOC_DISCORD_SHARDS", "1")
    monkeypatch.setenv("SPOC_DISCORD_SHARD_COUNT", "3")
    config = load_config(REPO_ROOT / "deploy" / "spoc.yaml")
    assert config.database.url == "postgresql://spoc@db/spoc"
    assert (config.slack.mode, config.http.port) == ("http", 3002)
    assert (config.discord.shard_ids, config.discord.shard_count) == ((1,), 3)
    assert config.run_problems(("slack",)) == []


def test_compose_runs_postgres_a_migration_three_workers_and_a_tls_proxy() -> None:
    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "migrate", "worker-1", "worker-2", "worker-3", "proxy"} <= set(services)
    for name in ("worker-1", "worker-2", "worker-3"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    mounted = [volume.split(":")[0] for service in services.values() for volume in service.get("volumes", [])]
    for path in (m for m in mounted if m.startswith("./")):
        assert (REPO_ROOT / path).exists(), path
    caddyfile = (REPO_ROOT / "deploy" / "Caddyfile").read_text()
    assert all(f"worker-{n}:3000" in caddyfile for n in (1, 2, 3))


def test_the_systemd_unit_runs_spoc_per_instance() -> None:
    unit = (REPO_ROOT / "deploy" / "spoc@.service").read_text()
    assert "ExecStart=/opt/spoc/.venv/bin/spoc run" in unit
    assert "EnvironmentFile=-/etc/spoc/worker-%i.env" in unit
    assert Path(REPO_ROOT / "Dockerfile").read_text().count("COPY") >= 4
