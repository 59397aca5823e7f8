"""`spoc doctor` on a SQLite desk with Slack (the local stand-in of its Web API): a line per check, each
failure with its fix, exit code 0 only when all pass, JSON for monitoring."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.slack.manifest import bot_scopes
from bot.cli import app
from bot.config import load_config
from bot.wiring import knowledge_for
from core.storage.database import Database
from core.storage.models import OutboxRow
from tests.standins.slack_api import SlackApiStandIn

HELP, TRIAGE, NETWORK = "CHELP", "CTRIAGE", "CNETWORK"
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-doctor", "SLACK_APP_TOKEN": "xapp-doctor"}


@pytest.fixture
def slack() -> Iterator[SlackApiStandIn]:
    with SlackApiStandIn() as standin:
        standin.granted_scopes = sorted(bot_scopes())
        yield standin


@pytest.fixture
def config_file(tmp_path: Path, slack: SlackApiStandIn) -> Path:
    path = tmp_path / "spoc.yaml"
    path.write_text(f"""
database: {{url: "sqlite:///{tmp_path}/spoc.db"}}
slack:
  api_url: {slack.url}
  intake_channels: [{HELP}]
  triage_channel: {TRIAGE}
desk:
  teams:
    - {{name: service-desk, tier: 1}}
    - {{name: network, tier: 2, channels: {{slack: {NETWORK}}}}}
""")
    return path


def doctor(config_file: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["doctor", "--config", str(config_file), *args],
                                env=TOKENS | {"SPOC_DATABASE_URL": "", "COLUMNS": "300"})
    return result.exit_code, result.stdout


def ready(config_file: Path) -> None:
    """The database migrated and the starter articles loaded, as `spoc run` leaves them."""
    knowledge_for(load_config(config_file, environ=TOKENS))


def test_a_healthy_installation_passes_every_check_and_exits_0(config_file: Path, slack: SlackApiStandIn,
                                                               tmp_path: Path) -> None:
    ready(config_file)
    code, out = doctor(config_file)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[-1] == f"All {len(lines) - 1} checks passed."
    assert lines[:-1] == [
        "ok    config: adapters slack: nothing `spoc run` needs is missing",
        f"ok    database sqlite:///{tmp_path}/spoc.db: reachable, schema up to date (0001)",
        "ok    knowledge base: 37 published article(s)",
        "ok    outbox: no dead letters",
        "ok    clock against the database: SQLite: the same machine's clock",
        lines[5],  # the time zone line says what time it is
        "ok    slack bot token: valid: spoc in the workspace spoc test (auth.test)",
        f"ok    slack scopes: all {len(bot_scopes())} the manifest asks for",
        lines[8],  # the clock against Slack's Date header
        "ok    slack app-level token: valid: Socket Mode can connect (apps.connections.open)",
        f"ok    slack channel {HELP} (slack.intake_channels): #channel-chelp: spoc is a member",
        f"ok    slack channel {TRIAGE} (slack.triage_channel): #channel-ctriage: spoc is a member",
        f"ok    slack channel {NETWORK} (desk.teams[network].channels.slack): #channel-cnetwork: spoc is a member",
    ]
    assert lines[5].startswith("ok    time zone of calendar default: UTC: it is ")
    assert lines[8].startswith("ok    clock against Slack: ") and lines[8].endswith(" s off Slack's")
    slack.assert_calls_match_spec()


def test_each_failure_is_one_line_with_its_fix_and_the_exit_code_is_1(config_file: Path, slack: SlackApiStandIn,
                                                                      tmp_path: Path) -> None:
    ready(config_file)
    db = Database(f"sqlite:///{tmp_path}/spoc.db")
    now = datetime.now(UTC)
    db.run(lambda s: s.add(OutboxRow(platform="slack", channel=NETWORK, card={"title": "x"}, status="dead",
                                     attempts=8, last_error="spoc is not a member of channel", created_at=now,
                                     next_attempt_at=now)))
    db.dispose()
    slack.granted_scopes = sorted(bot_scopes() - {"mpim:history", "usergroups:read"})
    slack.set_channel(TRIAGE, member=False, name="it-triage")
    slack.set_channel(NETWORK, exists=False)
    slack.reject_token("xapp-doctor")
    code, out = doctor(config_file)
    assert code == 1
    failures = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert failures == [
        "FAIL  outbox: 1 notification(s) could not be delivered (latest: spoc is not a member of channel); "
        "`spoc outbox list --failed` shows them: fix the cause, then `spoc outbox retry --all-failed`.",
        "FAIL  slack scopes: the bot token lacks mpim:history, usergroups:read: add them under OAuth & Permissions -> "
        "Scopes (or create the app again from `spoc slack manifest`), then reinstall the app to the workspace.",
        "FAIL  slack app-level token: Slack refused the app-level token (invalid_auth) while opening a Socket Mode "
        "connection: create one at Basic Information -> App-Level Tokens, with the scope connections:write and put "
        "it in SLACK_APP_TOKEN.",
        f"FAIL  slack channel {TRIAGE} (slack.triage_channel): spoc is not a member of channel #it-triage "
        "(not_in_channel): type /invite @spoc in that channel.",
        f"FAIL  slack channel {NETWORK} (desk.teams[network].channels.slack): Slack has no channel {NETWORK} that "
        "spoc can see (channel_not_found): check the id (channel details -> About -> Channel ID); for a private "
        "channel, type /invite @spoc in it first.",
    ]
    assert out.splitlines()[-1] == f"5 of {len(out.splitlines()) - 1} checks failed."


def test_a_refused_bot_token_and_a_database_not_created_yet_are_named(config_file: Path,
                                                                     slack: SlackApiStandIn, tmp_path: Path) -> None:
    slack.reject_token("xoxb-doctor")
    code, out = doctor(config_file)
    assert code == 1
    assert f"FAIL  database sqlite:///{tmp_path}/spoc.db: Cannot open the database sqlite:///{tmp_path}/spoc.db: " \
           f"{tmp_path}/spoc.db does not exist yet. Run `spoc db upgrade` (or `spoc run`) to create it." in out
    assert "FAIL  slack bot token: Slack refused the bot token (invalid_auth) while checking the token (auth.test): " \
           "copy it again from OAuth & Permissions -> Bot User OAuth Token into SLACK_BOT_TOKEN (reinstall the app " \
           "if it was removed)." in out
    assert "slack scopes" not in out  # nothing more can be asked with a refused token


def test_json_is_for_monitoring(config_file: Path, slack: SlackApiStandIn) -> None:
    ready(config_file)
    slack.set_channel(HELP, member=False)
    code, out = doctor(config_file, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert {"name", "ok", "detail"} == set(report["checks"][0])
    assert [c["name"] for c in report["checks"] if not c["ok"]] == [f"slack channel {HELP} (slack.intake_channels)"]


def test_a_config_that_cannot_run_fails_its_checks_and_the_platform_is_not_asked(tmp_path: Path,
                                                                                 slack: SlackApiStandIn) -> None:
    path = tmp_path / "spoc.yaml"
    path.write_text(f"database: {{url: 'sqlite:///{tmp_path}/spoc.db'}}\nrun: {{adapters: [slack]}}\n"
                    f"slack: {{api_url: '{slack.url}'}}\n")
    result = CliRunner().invoke(app, ["doctor", "--config", str(path)], env={"SLACK_BOT_TOKEN": "",
                                                                             "SLACK_APP_TOKEN": "", "COLUMNS": "300"})
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("FAIL  config slack.bot_token: the Slack adapter needs the bot "
                                                    "token")
    assert slack.calls == []


def test_the_database_checks_on_sqlite_and_postgresql(database_url: str) -> None:
    from bot.config import parse_config
    from bot.doctor import diagnose

    checks = {c.name: c for c in diagnose(parse_config("kb: {load_starter: false}\n",
                                                       environ={"SPOC_DATABASE_URL": database_url}))}
    database = next(c for name, c in checks.items() if name.startswith("database "))
    assert database.ok and database.detail == "reachable, schema up to date (0001)"
    assert "secret" not in database.name  # the URL is shown with its password masked
    clock = checks["clock against the database"]
    assert clock.ok, clock.detail
    assert checks["knowledge base"].detail == ("no published articles (kb.load_starter is false): `spoc kb import "
                                               "DIR` imports yours, so reports can be answered with articles.")


def test_a_database_that_was_never_migrated_says_to_upgrade(tmp_path: Path) -> None:
    from bot.config import parse_config
    from bot.doctor import diagnose

    (tmp_path / "spoc.db").write_bytes(b"")
    url = f"sqlite:///{tmp_path}/spoc.db"
    [database] = [c for c in diagnose(parse_config("{}", environ={"SPOC_DATABASE_URL": url}))
                  if c.name.startswith("database ")]
    assert database.line() == (f"FAIL  database {url}: reachable, but its schema is at nothing, not 0001: run `spoc "
                               "db upgrade` (spoc run does it too).")
