"""`spoc people list|show|link|unlink` and `/desk people`: who is who, with each role's source; accounts
linked and unlinked by hand, audited, the role worked out again."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.messages import Author
from core.service import Desk
from tests.conftest import SAM, Chat, person
from tests.integration.helpers import tickets

LEE = person("Lee")
KIM_AGENT = person("Kim", agent=True)
KIM_ELSEWHERE = Author(platform="other", user_id="U-KIM", display_name="Kim K.")
Spoc = Callable[..., tuple[int, str, str]]


@pytest.fixture
def spoc(desk: Desk, database_url: str) -> Spoc:
    chat = Chat(desk)
    chat.desk_command(KIM_AGENT, "queue")
    chat.say(person("Dana"), "my [red]laptop[/red] won't boot")

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["people", *args], env={"SPOC_DATABASE_URL": database_url,
                                                                  "SPOC_CONFIG": "", "COLUMNS": "250"})
        return result.exit_code, result.stdout, result.stderr

    return run


def test_list_shows_each_role_with_where_it_comes_from(spoc: Spoc) -> None:
    code, out, err = spoc("list", "--format", "json")
    assert code == 0, err
    found = {p["name"]: p for p in json.loads(out)}
    assert found["Lee"]["role"] == "admin" and found["Lee"]["sources"] == ["admin: config (desk.people), entry 'Lee'"]
    assert found["Kim"]["sources"] == ["agent: console agents' group or role holds console kim"]
    assert found["Dana"]["sources"] == ["requester: no source gives more"]
    code, out, _ = spoc("list", "--role", "agent")
    assert code == 0 and "Kim" in out and "Sam" in out and "Dana" not in out and "(console.agents)" in out
    assert spoc("list", "--role", "boss")[0] == 2


def test_show_names_the_accounts_and_the_history(spoc: Spoc) -> None:
    code, out, err = spoc("show", "kim")
    assert code == 0, err
    assert "Kim (#" in out and "console kim (in the agents group or role)" in out
    assert "role requester -> agent (console agents' group or role)" in out
    code, _, err = spoc("show", "nobody@example.com")
    assert code == 1 and err.startswith("No one is known as 'nobody@example.com'.")


def test_link_joins_an_account_and_unlink_takes_it_away_again(desk: Desk, spoc: Spoc) -> None:
    Chat(desk).say(KIM_ELSEWHERE, "headset crackles")
    code, out, err = spoc("link", "@kim", "other:U-KIM")
    assert code == 0, err
    assert out.startswith("other U-KIM was Kim K.'s: Kim K. and Kim are one person now")
    assert [t["key"] for t in tickets(desk)] == ["INC-1", "INC-2"]
    assert "other U-KIM" in spoc("show", "kim")[1]
    code, out, err = spoc("unlink", "other:U-KIM")
    assert code == 0, err
    assert out.startswith("other U-KIM is a person of its own now (Kim K., requester); Kim keeps their tickets")
    assert spoc("unlink", "console:kim")[0] == 1  # Kim's only account now
    assert spoc("link", "kim", "not-an-account")[0] == 2


def test_desk_people_is_for_admins(chat: Chat) -> None:
    chat.desk_command(KIM_AGENT, "queue")
    assert chat.desk_command(SAM, "people").startswith("Only desk admins can use `/desk people`.")
    listed = chat.desk_command(LEE, "people")
    assert "Kim (agent): agent: console agents' group or role holds console kim" in listed
    one = chat.desk_command(LEE, "people @kim")
    assert one.startswith("Kim (#")
