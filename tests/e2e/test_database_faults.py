"""A database spoc cannot open is one line on stderr (URL with the password masked, the cause, the fix), exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.migrations import upgrade


def spoc(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "SPOC_"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=90, env=env | {"SPOC_DATABASE_URL": url, "COLUMNS": "400"})


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr.strip()


def test_a_missing_directory_is_named_with_the_command_that_creates_it(tmp_path: Path) -> None:
    line = one_line(spoc("tickets", "list", url="sqlite:///data/spoc.db", cwd=tmp_path))
    assert line == (f"Cannot open the database sqlite:///data/spoc.db: the directory {tmp_path}/data does not exist. "
                    f"Create it (mkdir -p {tmp_path}/data) or point database.url elsewhere.")


def test_a_file_where_a_directory_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("")
    line = one_line(spoc("db", "upgrade", url="sqlite:///data/spoc.db", cwd=tmp_path))
    assert line == (f"Cannot open the database sqlite:///data/spoc.db: {tmp_path}/data is a file, not a directory. "
                    "Point database.url at a path in a directory.")


def test_a_read_only_database_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "spoc.db").write_text("")
    url = f"sqlite:///file:{tmp_path}/spoc.db?mode=ro&uri=true"  # read-only even for root
    line = one_line(spoc("run", "--adapter", "console", url=url, cwd=tmp_path))
    assert line == (f"Cannot open the database {url}: the file is read-only (attempt to write a readonly database). "
                    "Give the user running spoc write access to it, or point database.url elsewhere.")


def test_a_report_on_a_database_not_created_yet_says_how_to_create_it(tmp_path: Path) -> None:
    line = one_line(spoc("report", url="sqlite:///spoc.db", cwd=tmp_path))
    assert line == (f"Cannot open the database sqlite:///spoc.db: {tmp_path}/spoc.db does not exist yet. "
                    "Run `spoc db upgrade` (or `spoc run`) to create it.")


def test_a_wrong_port_names_the_address_and_masks_the_password(tmp_path: Path) -> None:
    line = one_line(spoc("tickets", "list", url="postgresql://spoc:hunter2@127.0.0.1:1/spoc", cwd=tmp_path))
    assert "hunter2" not in line
    assert line == ("Cannot open the database postgresql://spoc:***@127.0.0.1:1/spoc: nothing accepts connections "
                    "at 127.0.0.1:1 (connection refused). Start PostgreSQL there, or correct the host and port in "
                    "database.url (or SPOC_DATABASE_URL).")


@pytest.mark.postgres
def test_an_unknown_database_is_named_with_the_command_that_creates_it(tmp_path: Path) -> None:
    base = os.environ.get("SPOC_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("needs SPOC_TEST_POSTGRES_URL (e.g. postgresql://127.0.0.1:5432/test)")
    server = make_url(base)
    host, port = server.host or "localhost", server.port or 5432
    # postgres:// is what many hosts hand out; it is accepted as postgresql://
    url = f"postgres://{host}:{port}/spoc_no_such_database"
    line = one_line(spoc("tickets", "list", url=url, cwd=tmp_path))
    assert line == (f"Cannot open the database postgresql://{host}:{port}/spoc_no_such_database: the server at "
                    f"{host}:{port} has no database 'spoc_no_such_database'. Create it (createdb -h {host} "
                    "spoc_no_such_database) or correct the name in the URL.")


def test_an_empty_database_url_is_a_config_problem(tmp_path: Path) -> None:
    (tmp_path / "spoc.yaml").write_text("database:\n  url: ${SPOC_DB}\n")
    result = spoc("tickets", "list", url="", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[1] == ("  database.url: no database URL: write one like sqlite:///spoc.db or "
                                             "postgresql://user@host/spoc (${SPOC_DB} is not set)")


def test_a_migrated_database_opens_read_only_for_reports(tmp_path: Path) -> None:
    upgrade(f"sqlite:///{tmp_path}/spoc.db")
    result = spoc("report", "--format", "json", url=f"sqlite:///{tmp_path}/spoc.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
