"""`spoc triage stats|export|import|reset`: what triage learned, out and back in, and forgotten."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.service import Desk
from tests.conftest import DANA, SAM, Chat

Spoc = Callable[..., tuple[int, str, str]]


@pytest.fixture
def spoc(database_url: str) -> Spoc:
    def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["triage", *args], input=input,
                                    env={"SPOC_DATABASE_URL": database_url, "SPOC_CONFIG": "", "COLUMNS": "200"})
        return result.exit_code, result.stdout, result.stderr

    return run


def test_stats_say_nothing_is_learned_yet_and_show_the_built_in_words(spoc: Spoc) -> None:
    code, out, _ = spoc("stats")
    assert code == 0
    assert out.startswith("Nothing learned yet")
    assert "Words that say incident: " in out and "'error'" in out


def test_a_correction_is_counted_exported_and_comes_back_after_a_reset(spoc: Spoc, desk: Desk, tmp_path: Path) -> None:
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "kind INC-1 request")
    code, out, _ = spoc("stats", "--format", "json")
    stats = json.loads(out)
    assert code == 0 and (stats["examples"], stats["corrected"], stats["corrected_fields"]) == (1, 1, {"kind": 1})
    backup = tmp_path / "triage.jsonl"
    assert spoc("export", str(backup))[1].strip() == f"1 example(s) written to {backup}"
    [line] = backup.read_text(encoding="utf-8").splitlines()
    assert json.loads(line) | {"created_at": ""} == {
        "text": "my laptop won't turn on", "kind": "request", "category": "hardware", "impact": 2, "urgency": 2,
        "corrected": "kind", "source": "ticket", "created_at": ""}
    assert spoc("reset", input="n\n")[0] == 1
    assert json.loads(spoc("stats", "--format", "json")[1])["examples"] == 1
    assert spoc("reset", "--yes")[1].startswith("1 learned example(s) forgotten")
    assert json.loads(spoc("stats", "--format", "json")[1])["examples"] == 0
    code, out, _ = spoc("import", str(backup))
    assert code == 0 and out.startswith("1 example(s) imported")
    stats = json.loads(spoc("stats", "--format", "json")[1])
    assert (stats["examples"], stats["imported"], stats["by_kind"]) == (1, 1, {"request": 1})


def test_import_reads_a_csv_of_old_tickets_and_names_each_bad_line(spoc: Spoc, tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("title,body,ticket_type,category\n"
                   "printer broken,the printer on floor 2 shows an error,0,hardware\n"
                   "new laptop,please order a laptop for the new hire,1,hardware\n"
                   "what,,7,\n"
                   ",,1,\n", encoding="utf-8")
    code, out, err = spoc("import", str(old))
    assert code == 1
    assert out.startswith("2 example(s) imported")
    assert f"{old}:4: kind is incident or request" in err
    assert f"{old}:5: no text" in err
    assert json.loads(spoc("stats", "--format", "json")[1])["by_kind"] == {"incident": 1, "request": 1}


def test_import_of_a_broken_json_line_or_a_missing_file_is_one_clear_line(spoc: Spoc, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "vpn down", "kind": "incident"}\n{not json\n', encoding="utf-8")
    code, out, err = spoc("import", str(broken))
    assert code == 1 and out.startswith("1 example(s) imported") and f"{broken}:2: not JSON" in err
    code, _, err = spoc("import", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "Cannot read" in err


def test_hostile_text_in_examples_is_inert_in_stats_and_export(spoc: Spoc, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.jsonl"
    lines = [{"text": f"[red]ransom\u001b[2J <script> {n}", "kind": "incident", "category": "x\u202egnp"}
             for n in range(4)]
    hostile.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert spoc("import", str(hostile))[0] == 0
    code, out, _ = spoc("stats")
    assert code == 0 and "\u001b" not in out and "\u202e" not in out
    assert "By category: xgnp 4" in out
    exported = spoc("export")[1]
    assert "\u001b" not in exported and "<script>" not in exported
    assert json.loads(exported.splitlines()[0])["text"] == "[red]ransom\u001b[2J <script> 0"
