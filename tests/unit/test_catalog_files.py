"""Catalog items as Markdown files with YAML front matter: the starter items, and every mistake named by its
file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog_loading import with_catalog
from catalog.files import load_dirs, starter_dir
from core.config.catalog import CatalogSettings
from core.settings import DeskSettings

GOOD = """---
name: Access to a shared drive
fields:
  - {name: share, label: "Which share?"}
tasks:
  - {team: infrastructure, title: Grant access}
---
Read or write access to a share.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_ten_starter_items_load_and_check_clean() -> None:
    loaded = load_dirs([starter_dir()])
    assert loaded.problems == []
    assert len(loaded.items) == 10
    settings, problems = with_catalog(DeskSettings())
    assert problems == []
    assert {i.slug for i in settings.catalog.items} >= {"shared-drive-access", "admin-rights", "guest-wifi"}
    assert len(settings.catalog.item("admin-rights").approval) == 2  # type: ignore[union-attr]
    assert settings.catalog.item("software-licence").licence is not None  # type: ignore[union-attr]


def test_a_good_file_becomes_an_item_named_after_its_file(tmp_path: Path) -> None:
    [item] = load_dirs([write(tmp_path, "share.md", GOOD)]).items
    assert (item.slug, item.name, item.description) == ("share", "Access to a shared drive",
                                                       "Read or write access to a share.")


@pytest.mark.parametrize(("text", "line", "said"), [
    (GOOD.replace('label: "Which share?"', "label: Which share?, kind: colour"), 4, "not valid YAML"),
    (GOOD.replace('{name: share, label: "Which share?"}', '{name: share, label: "S", kind: colour}'), 4,
     "fields.0.kind"),
    (GOOD.replace("  - {team: infrastructure, title: Grant access}\n", "  - {team: infrastructure}\n"), 6,
     "tasks.0.title: Field required"),
    (GOOD.replace("name: Access to a shared drive\n", "name: X\nsurprise: 1\n"), 3, "surprise: Extra inputs"),
    (GOOD.replace('{name: share, label: "Which share?"}', '{name: share, label: "S", kind: choice}'), 4,
     "list its `choices`"),
    ("no front matter\n", 1, "must start with front matter"),
])
def test_a_bad_file_is_named_with_its_line(tmp_path: Path, text: str, line: int, said: str) -> None:
    loaded = load_dirs([write(tmp_path, "bad.md", text)])
    [problem] = loaded.problems
    assert problem.line == line, problem
    assert said in problem.message
    assert str(problem).startswith(f"{tmp_path / 'bad.md'}:{line}: ")


def test_two_files_with_one_slug_are_both_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.md", GOOD.replace("---\nname", "---\nslug: same\nname"))
    write(tmp_path, "b.md", GOOD.replace("---\nname", "---\nslug: same\nname"))
    loaded = load_dirs([tmp_path])
    assert loaded.items == [] and len(loaded.problems) == 2


def test_the_catalog_check_names_unknown_teams_groups_and_people(tmp_path: Path) -> None:
    steps = "approval:\n  - {approver: group, group: auditors}\n  - {approver: people, people: [Zed]}\n"
    text = GOOD.replace("team: infrastructure", "team: nowhere").replace("---\nname", f"---\n{steps}name")
    write(tmp_path, "x.md", text)
    catalog = CatalogSettings(load_starter=False, dirs=(str(tmp_path),))
    _settings, problems = with_catalog(DeskSettings(catalog=catalog))
    assert "desk.catalog: item x: no team 'nowhere' in desk.teams" in problems
    assert "desk.catalog: item x: no group 'auditors' in desk.catalog.groups" in problems
    assert "desk.catalog: item x: approver 'Zed' is not a name in desk.people" in problems
