from __future__ import annotations

import os
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
    found = [str(p) for p in parse_config("slack:\n  bot_token: ${T}\n", environ={"T": "xoxb-1"}).run_problems()]
    assert found == ["slack.app_token: Socket Mode needs the app-level token, xapp-... (Basic Information -> "
                     "App-Level Tokens, with the scope connections:write): set SLACK_APP_TOKEN in the environment"]
    assert problems("slack:\n  bot_token: ${T}\n", environ={"T": "xoxp-1"}) == [
        "slack.bot_token: a bot token starts with 'xoxb-' (OAuth & Permissions -> Bot User OAuth Token) (from ${T})"]


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


def spoc(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "SPOC_"))}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60, env=clean | {"COLUMNS": "300"} | (env or {}))


def test_an_unset_variable_as_the_database_url_is_named() -> None:
    assert problems("database:\n  url: ${SPOC_DB}\n") == [
        "database.url: no database URL: write one like sqlite:///spoc.db or postgresql://user@host/spoc "
        "(${SPOC_DB} is not set)"]


def test_an_unsupported_database_scheme_is_refused() -> None:
    assert problems("database:\n  url: mysql://spoc:pw@db/spoc\n") == [
        "database.url: mysql:// is not a database spoc supports: use sqlite:///path/to/spoc.db (one process) "
        "or postgresql://user:password@host:5432/spoc (several)"]


def test_postgres_scheme_is_accepted_as_postgresql() -> None:
    config = parse_config("database:\n  url: postgres://spoc@db/spoc\n", environ={})
    assert config.database.url == "postgresql://spoc@db/spoc"
    config = parse_config("{}", environ={"SPOC_DATABASE_URL": "postgres://spoc@db/spoc"})
    assert config.database.url == "postgresql://spoc@db/spoc"


def test_a_negative_console_width_is_refused() -> None:
    assert problems("console:\n  width: -5\n") == ["console.width: Input should be greater than or equal to 40"]


def test_a_dashboard_max_age_too_short_for_a_refresh_to_finish_is_refused() -> None:
    assert problems("web:\n  dashboard_max_age: 2\n") == [
        "web.dashboard_max_age: Input should be greater than or equal to 10"]


def test_a_secret_with_an_environment_default_is_refused() -> None:
    assert problems("slack:\n  signing_secret: ${SLACK_SIGNING_SECRET:-hunter2}\n") == [
        "slack.signing_secret: a secret cannot have a default in the config: write ${SLACK_SIGNING_SECRET} and "
        "set SLACK_SIGNING_SECRET"]
    assert parse_config("slack:\n  signing_secret: ${SLACK_SIGNING_SECRET:-}\n", environ={})


def test_tokens_in_the_environment_are_enough_without_a_config() -> None:
    config = parse_config("{}", environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert config.adapters() == ("slack",) and config.run_problems() == []


def test_adapters_that_cannot_run_name_each_missing_key() -> None:
    config = parse_config("run:\n  adapters: [slack, discord]\nslack:\n  mode: http\n", environ={})
    assert [str(p) for p in config.run_problems()] == [
        "slack.bot_token: the Slack adapter needs the bot token, xoxb-... (OAuth & Permissions -> Bot User OAuth "
        "Token): set SLACK_BOT_TOKEN in the environment",
        "slack.signing_secret: HTTP mode needs the signing secret (Basic Information -> App Credentials -> "
        "Signing Secret): set SLACK_SIGNING_SECRET in the environment",
        "discord.bot_token: the Discord adapter needs the bot token (Developer Portal -> your application -> Bot "
        "-> Reset Token): set DISCORD_BOT_TOKEN in the environment",
    ]


def test_config_check_exits_2_naming_each_key_an_adapter_needs(tmp_path: Path) -> None:
    (tmp_path / "spoc.yaml").write_text("run:\n  adapters: [slack]\n")
    result = spoc("config", "check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "The config has 2 problem(s) for slack:",
        "  slack.bot_token: the Slack adapter needs the bot token, xoxb-... (OAuth & Permissions -> Bot User OAuth "
        "Token): set SLACK_BOT_TOKEN in the environment",
        "  slack.app_token: Socket Mode needs the app-level token, xapp-... (Basic Information -> App-Level Tokens, "
        "with the scope connections:write): set SLACK_APP_TOKEN in the environment",
    ]
    ok = spoc("config", "check", cwd=tmp_path, env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert ok.returncode == 0 and ok.stdout == "Config OK. Adapters: slack. Database: sqlite:///spoc.db.\n"


def test_run_refuses_an_adapter_without_its_token_the_same_way(tmp_path: Path) -> None:
    for adapter, key in (("slack", "slack.bot_token"), ("discord", "discord.bot_token")):
        result = spoc("run", "--adapter", adapter, cwd=tmp_path)
        assert result.returncode == 2, adapter
        assert result.stderr.splitlines()[0].startswith("The config has ") and "Traceback" not in result.stderr
        assert result.stderr.splitlines()[1].startswith(f"  {key}: the ")
    assert not (tmp_path / "spoc.db").exists()  # refused before touching anything


def test_the_web_pages_are_on_by_default_only_while_the_console_is_in_use() -> None:
    demo = parse_config("")
    assert demo.adapters() == ("console",) and demo.web_enabled()
    assert (demo.http_port(), demo.portal_url()) == (8080, "http://127.0.0.1:8080")
    for names in (("slack",), ("discord",), ("email",)):
        chat = demo.with_adapters(names)
        assert not chat.web_enabled() and chat.portal_url() == "", names
    assert demo.with_adapters(("discord",)).http_port() is None  # nothing is served: no port is opened
    assert demo.with_adapters(("console", "discord")).web_enabled()


def test_web_enabled_true_serves_the_pages_with_any_adapter_and_false_with_none() -> None:
    on = parse_config("web: {enabled: true}\nhttp: {port: 8000}\n").with_adapters(("discord",))
    assert on.web_enabled() and on.portal_url() == "http://127.0.0.1:8000"
    off = parse_config("web: {enabled: false}\n")
    assert not off.web_enabled() and off.http_port() is None and off.portal_url() == ""
