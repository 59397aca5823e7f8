from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from core.front_matter import FileError
from kb.article import Article, slugify
from kb.parser import load_dir, parse_article, render
from tests.kb.conftest import article_text

BROKEN_YAML = """---
title: VPN
tags: [vpn, network
service: vpn
---

Body text.
"""


def test_broken_front_matter_is_reported_with_file_and_line() -> None:
    with pytest.raises(FileError) as caught:
        parse_article(BROKEN_YAML, file="vpn.md")
    problem = caught.value.problem
    assert problem.file == "vpn.md"
    assert problem.line == 4  # where the unclosed `[` of line 3 is found to be unclosed
    assert "YAML" in problem.message


def test_yaml_error_line_counts_from_the_top_of_the_file() -> None:
    with pytest.raises(FileError) as caught:
        parse_article("---\ntitle: a\nowner: x: y\n---\nbody", file="x.md")
    assert str(caught.value).startswith("x.md:3: ")


def test_a_broken_file_is_reported_and_the_others_still_load(
    write_articles: Callable[[dict[str, str]], Path],
) -> None:
    folder = write_articles(
        {
            "good.md": article_text(title="Printer jams", body="Open tray 2."),
            "bad.md": BROKEN_YAML,
        }
    )
    loaded = load_dir(folder)
    assert [article.slug for article in loaded.items] == ["good"]
    assert len(loaded.problems) == 1
    assert loaded.problems[0].file.endswith("bad.md")
    assert loaded.problems[0].line >= 2


def test_two_files_with_one_slug_are_both_refused_naming_each_other(
    write_articles: Callable[[dict[str, str]], Path],
) -> None:
    folder = write_articles(
        {
            "a.md": article_text(title="One", slug="same", body="First."),
            "b.md": article_text(title="Two", slug="same", body="Second."),
        }
    )
    loaded = load_dir(folder)
    assert loaded.items == []
    messages = {Path(problem.file).name: problem.message for problem in loaded.problems}
    assert "b.md" in messages["a.md"]
    assert "a.md" in messages["b.md"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("title: Hi\n---\nbody\n", 1, "front matter"),
        ("---\ntitle: Hi\nbody\n", 1, "never closed"),
        ("---\nslug: x\n---\n\nbody\n", 2, "title"),
        ("---\ntitle: Hi\nslug: Not A Slug\n---\n\nbody\n", 3, "slug"),
        ("---\ntitle: Hi\npublished: maybe\n---\n\nbody\n", 3, "published"),
        ("---\ntitle: Hi\ncolour: red\n---\n\nbody\n", 3, "unknown key"),
        ("---\ntitle: Hi\nupdated: last tuesday\n---\n\nbody\n", 3, "updated"),
        ("---\ntitle: Hi\n---\n\n", 3, "no text"),
    ],
)
def test_invalid_front_matter_names_the_line_and_the_problem(text: str, line: int, words: str) -> None:
    with pytest.raises(FileError) as caught:
        parse_article(text, file="x.md")
    assert caught.value.problem.line == line
    assert words in caught.value.problem.message


def test_rendered_article_parses_back_to_the_same_article() -> None:
    article = Article(
        slug="vpn-drops",
        title="VPN: keeps dropping",
        body="## Steps\n\n1. Use a cable.",
        tags=("vpn", "network"),
        service="vpn",
        category="network",
        also_asked_as=("vpn disconnects", "remote access: drops"),
        owner="network",
        updated=date(2025, 1, 2),
        published=False,
    )
    assert parse_article(render(article), file="x.md") == article


def test_slug_comes_from_the_file_name_when_front_matter_has_none(
    write_articles: Callable[[dict[str, str]], Path],
) -> None:
    folder = write_articles({"Wi-Fi Setup.md": article_text(title="Wi-Fi", body="Join it.")})
    assert [article.slug for article in load_dir(folder).items] == ["wi-fi-setup"]


def test_slugify_folds_accents_and_punctuation() -> None:
    assert slugify("Réinitialiser le mot de passe (SSO)!") == "reinitialiser-le-mot-de-passe-sso"
    assert slugify("!!!") == "article"
