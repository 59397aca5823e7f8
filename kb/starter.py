"""The starter knowledge base shipped with spoc: practical IT articles a new desk can use at once."""

from __future__ import annotations

from pathlib import Path


def starter_articles_dir() -> Path:
    """The folder of the shipped `*.md` articles (inside the installed package)."""
    return Path(__file__).resolve().parent / "articles"
