"""`spoc tokens create|list|revoke`: a token shown once, kept as a hash, refused once revoked."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import app
from core.integrations import integration_for
from core.service import Desk


def spoc(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["tokens", *args], env={"SPOC_DATABASE_URL": database_url, "SPOC_CONFIG": "",
                                                              "COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_a_token_is_printed_once_works_and_is_refused_after_revoking(desk: Desk, database_url: str) -> None:
    code, out, err = spoc(database_url, "create", "Monitoring", "--scope", "outages:write", "-s", "outages:read")
    assert code == 0, err
    token = out.strip()
    assert token.startswith("spoc_") and "shown once" in err
    found = desk.db.run(lambda s: integration_for(s, token))
    assert found is not None and found.name == "monitoring" and found.acts_as_agent
    assert found.scopes == {"outages:write", "outages:read"}
    code, out, _ = spoc(database_url, "list", "--format", "json")
    listed = json.loads(out)
    assert listed[0]["name"] == "monitoring" and token not in out and listed[0]["revoked_at"] is None
    assert spoc(database_url, "revoke", "monitoring")[0] == 0
    assert desk.db.run(lambda s: integration_for(s, token)) is None
    assert "revoked" in spoc(database_url, "list")[1]


def test_bad_names_scopes_and_a_taken_name_exit_2_with_the_reason(desk: Desk, database_url: str) -> None:
    code, _, err = spoc(database_url, "create", "monitoring", "--scope", "tickets:everything")
    assert code == 2 and "Unknown scope tickets:everything" in err
    code, _, err = spoc(database_url, "create", "no spaces please", "--scope", "tickets:read")
    assert code == 2 and "is not a token name" in err
    assert spoc(database_url, "create", "hr", "--scope", "tickets:read")[0] == 0
    code, _, err = spoc(database_url, "create", "hr", "--scope", "tickets:read")
    assert code == 2 and "A token named hr exists" in err
    code, _, err = spoc(database_url, "revoke", "nobody")
    assert code == 2 and "No active token named nobody" in err
