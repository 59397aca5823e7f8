"""Four `spoc run` started at the same moment on one database nobody has migrated yet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from core.storage.database import Database
from core.storage.models import PersonRow, TicketRow
from kb.starter import starter_articles_dir
from kb.tables import KbArticleRow

PROCESSES = 4


def test_four_processes_started_together_migrate_and_seed_once_and_all_serve(
    fresh_database_url: str, tmp_path: Path,
) -> None:
    env = dict(os.environ, SPOC_DATABASE_URL=fresh_database_url)
    for name in ("SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN", "SPOC_CONFIG"):
        env.pop(name, None)
    runs = [subprocess.Popen([sys.executable, "-m", "bot", "run", "--adapter", "console"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
            for _ in range(PROCESSES)]
    outcomes = [run.communicate(f"/as worker{n}\nthe printer on floor {n} is jammed\n/quit\n", timeout=180)
                for n, run in enumerate(runs)]
    for run, (_out, err) in zip(runs, outcomes, strict=True):
        assert run.returncode == 0, err
    db = Database(fresh_database_url)
    try:
        articles = db.run(lambda s: s.scalar(select(func.count()).select_from(KbArticleRow)))
        assert articles == len(list(starter_articles_dir().glob("*.md")))
        assert db.run(lambda s: s.scalar(select(func.count()).select_from(TicketRow))) == PROCESSES
        assert db.run(lambda s: s.scalar(text("SELECT count(*) FROM alembic_version"))) == 1
        names = db.run(lambda s: list(s.scalars(select(PersonRow.display_name))))
        assert len(names) == len(set(names))
    finally:
        db.dispose()
