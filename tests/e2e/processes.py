"""`spoc` as a person runs it: a new process in a folder of its own, on a SQLite file there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OUTSIDE_SETTINGS = ("SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN", "SPOC_CONFIG")


def own_env(folder: Path, **extra: str) -> dict[str, str]:
    """This process's environment with the database in `folder`, and no chat token or config file from outside
    the test (so `spoc run` takes the console and reads `folder/spoc.yaml` if there is one)."""
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE_SETTINGS}
    return env | {"SPOC_DATABASE_URL": f"sqlite:///{folder}/spoc.db"} | extra


def spoc(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env if env is not None else own_env(cwd), cwd=cwd, timeout=180)
