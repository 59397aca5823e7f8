from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kb import cli_ops
from kb.service import KnowledgeService
from kb.typer_app import build_kb_app
from tests.kb.conftest import SMALL_KB

runner = CliRunner()


def test_search_prints_ranked_json_with_reasons(service: KnowledgeService) -> None:
    app = build_kb_app(lambda: service)
    result = runner.invoke(app, ["search", "pw reset", "--format", "json", "--explain", "--limit", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["query"] == "pw reset"
    assert data["results"][0]["slug"] == "password-reset"
    assert data["results"][0]["why"]
    assert len(data["results"]) <= 2


def test_search_without_text_answers_each_stdin_line_with_one_json_line(service: KnowledgeService) -> None:
    app = build_kb_app(lambda: service)
    result = runner.invoke(app, ["search"], input="pw reset\n\nprinter jammed\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["pw reset", "printer jammed"]
    assert lines[1]["results"][0]["slug"] == "printer"


def test_search_table_marks_results_below_the_threshold(service: KnowledgeService) -> None:
    app = build_kb_app(lambda: service)
    result = runner.invoke(app, ["search", "printer", "--explain"])
    assert result.exit_code == 0
    assert "printer" in result.output


def test_import_reports_invalid_files_with_line_and_fails(
    service: KnowledgeService, write_articles: Callable[[dict[str, str]], Path]
) -> None:
    folder = write_articles({"broken.md": "---\ntitle: [x\n---\n\nbody\n"})
    result = runner.invoke(build_kb_app(lambda: service), ["import", str(folder), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert len(data["unchanged"]) == len(SMALL_KB)
    assert data["invalid"][0]["line"] == 2 and data["invalid"][0]["file"].endswith("broken.md")


def test_export_writes_one_file_per_article(service: KnowledgeService, tmp_path: Path) -> None:
    result = runner.invoke(build_kb_app(lambda: service), ["export", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert len(list((tmp_path / "out").glob("*.md"))) == len(SMALL_KB)


def test_stats_count_feedback_and_name_articles_never_suggested(service: KnowledgeService) -> None:
    service.record(slug="printer", kind="suggested")
    service.record(slug="printer", kind="viewed")
    service.record(slug="printer", kind="solved", text="the printer only blinks orange")
    stats = cli_ops.stats(service)
    assert (stats.suggested, stats.views, stats.solved, stats.learned_phrasings) == (1, 1, 1, 1)
    assert "printer" not in stats.never_suggested and "outlook" in stats.never_suggested
    result = runner.invoke(build_kb_app(lambda: service), ["stats", "--format", "json"])
    assert json.loads(result.output)["articles"] == len(SMALL_KB)


@pytest.mark.parametrize("command", ["import", "export", "search", "stats"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    def no_service() -> KnowledgeService:
        raise AssertionError("help must not build the service")

    result = runner.invoke(build_kb_app(no_service), [command, "--help"])
    assert result.exit_code == 0
    assert "Example: spoc kb" in result.output


def test_the_app_mounts_under_spoc_as_kb(service: KnowledgeService) -> None:
    import typer

    spoc = typer.Typer()

    @spoc.command()
    def version() -> None:
        """Another command, so that `kb` is a group of the parent."""

    spoc.add_typer(build_kb_app(lambda: service), name="kb")
    result = runner.invoke(spoc, ["kb", "search", "pw reset", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"][0]["slug"] == "password-reset"
