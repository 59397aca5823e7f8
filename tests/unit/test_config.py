from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]


def problems(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_config(text, environ=environ or {})
    return [str(p) for p in error.value.problems]


def test_no_config_gives_the_console_on_a_sqlite_file() -> None:
    config = parse_config("{}", environ={})
    assert config.adapters() == ("console",)
    assert config.database.url.startswith("sqlite:///")


def test_env_vars_are_expanded_with_defaults() -> None:
    config = parse_config("database:\n  url: ${DB_URL:-sqlite:///x.db}\nslack:\n  bot_token: ${TOKEN}\n"
                          "  app_token: ${APP}\n", environ={"TOKEN": "xoxb-1", "APP": "xapp-1"})
    assert config.database.url == "sqlite:///x.db"
    assert config.slack.bot_token == "xoxb-1"
    assert config.adapters() == ("slack",)


def test_spoc_database_url_overrides_the_config() -> None:
    config = parse_config("database:\n  url: sqlite:///a.db\n", environ={"SPOC_DATABASE_URL": "sqlite:///b.db"})
    assert config.database.url == "sqlite:///b.db"


def test_a_literal_secret_is_refused_and_the_env_var_named() -> None:
    found = problems("slack:\n  bot_token: xoxb-123\n")
    assert found[0] == \
        "slack.bot_token: secrets come from the environment: write ${SLACK_BOT_TOKEN} and set SLACK_BOT_TOKEN"


def test_every_invalid_key_is_reported_with_its_path() -> None:
    found = problems("desk:\n  duplicate_similarity: 10\n  priority_matrix: {'1,1': P9}\nslack:\n  modee: x\n")
    assert any(p.startswith("desk.duplicate_similarity:") for p in found)
    assert any(p.startswith("desk.priority_matrix:") and "P1, P2, P3, P4" in p for p in found)
    assert "slack.modee: unknown key; config.example.yaml lists every valid key" in found


def test_an_adapter_validates_its_own_section() -> None:
    found = problems("slack:\n  bot_token: ${T}\n", environ={"T": "xoxb-1"})
    assert found and found[0].startswith("slack:") and "SLACK_APP_TOKEN" in found[0]


def test_malformed_yaml_names_the_line() -> None:
    found = problems("desk:\n  name: [unclosed\n")
    assert found[0].startswith("config:") and "not valid YAML" in found[0]


def test_the_example_config_is_valid() -> None:
    load_config(ROOT / "config.example.yaml", environ={})


def test_config_check_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "spoc.yaml"
    bad.write_text("outbox:\n  max_attempts: 0\n")
    result = subprocess.run([sys.executable, "-m", "bot", "config", "check", "--config", str(bad)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "outbox.max_attempts" in result.stderr
