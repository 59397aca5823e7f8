"""The command line around the desk: outbox inspection and resending, help with examples."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from core.storage.database import Database
from core.storage.models import OutboxRow
from tests.e2e.processes import own_env, spoc


def test_dead_notifications_are_listed_and_can_be_sent_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/spoc.db"
    env = own_env(tmp_path, COLUMNS="200")
    spoc("run", "--adapter", "console", env=env, cwd=tmp_path, stdin="my laptop won't turn on\n")
    db = Database(url)
    db.run(lambda s: s.execute(update(OutboxRow).where(OutboxRow.id == 1).values(status="dead",
                                                                                   last_error="channel_not_found")))
    failed = spoc("outbox", "list", "--failed", env=env, cwd=tmp_path)
    assert "channel_not_found" in failed.stdout and "INC-1" in failed.stdout
    retried = spoc("outbox", "retry", "1", env=env, cwd=tmp_path)
    assert retried.returncode == 0 and "1 notification(s) queued again." in retried.stdout
    assert db.run(lambda s: s.get(OutboxRow, 1).status) == "pending"
    nothing = spoc("outbox", "retry", "1", env=env, cwd=tmp_path)
    assert nothing.returncode == 1
    assert spoc("outbox", "retry", env=env, cwd=tmp_path).returncode == 2
    db.dispose()


def test_every_command_has_help_with_an_example(tmp_path: Path) -> None:
    env = dict(os.environ, COLUMNS="200")
    for command in (["run"], ["db", "upgrade"], ["tickets", "list"], ["tickets", "show"], ["outbox", "list"],
                    ["outbox", "retry"], ["config", "check"], ["slack", "manifest"], ["doctor"]):
        shown = spoc(*command, "--help", env=env, cwd=tmp_path)
        assert shown.returncode == 0, command
        assert "Example" in shown.stdout, command


def test_python_dash_m_bot_and_the_spoc_script_are_the_same_program(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "spoc"
    if not script.exists():
        pytest.skip("the spoc console script is not installed next to this interpreter")
    env = dict(os.environ, COLUMNS="200")
    direct = subprocess.run([str(script), "tickets", "--help"], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path, env=env)
    module = spoc("tickets", "--help", env=env, cwd=tmp_path)
    commands = {"list", "show"}
    assert direct.returncode == module.returncode == 0
    assert all(f" {c} " in direct.stdout and f" {c} " in module.stdout for c in commands)
