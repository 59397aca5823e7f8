"""desk.people: each entry is bound by ids or a verified e-mail, never by a name alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as error:
        parse_config(text, environ={})
    return [str(p) for p in error.value.problems]


def test_an_entry_with_neither_ids_nor_email_is_refused_naming_its_key() -> None:
    found = problems("desk:\n  people:\n    - {name: Sam, role: agent, ids: {console: sam}}\n"
                     "    - {name: Priya, role: admin}\n")
    assert len(found) == 1 and found[0].startswith("desk.people.1: 'Priya' names neither ids nor")


def test_two_entries_cannot_claim_one_account_email_or_name() -> None:
    found = problems("desk:\n  people:\n    - {name: Sam, ids: {console: sam}}\n"
                     "    - {name: Samuel, ids: {console: sam}}\n")
    assert found == ["desk.people: 'Samuel' and 'Sam' share the account 'console sam'"]
    found = problems("desk:\n  people:\n    - {name: Sam, email: s@example.com}\n"
                     "    - {name: sam, email: t@example.com}\n")
    assert found == ["desk.people: 'sam' and 'Sam' share the name 'sam'"]


def test_an_email_that_is_not_one_is_refused() -> None:
    found = problems("desk:\n  people:\n    - {name: Sam, email: sam-at-example}\n")
    assert found[0].startswith("desk.people.0.email: 'sam-at-example' is not an e-mail address")


def test_config_check_exits_2_naming_the_entry_bound_to_no_one(tmp_path: Path) -> None:
    bad = tmp_path / "spoc.yaml"
    bad.write_text("desk:\n  people:\n    - name: Priya\n      role: admin\n")
    result = subprocess.run([sys.executable, "-m", "bot", "config", "check", "--config", str(bad)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "desk.people.0:" in result.stderr and "names neither ids nor an email" in result.stderr
