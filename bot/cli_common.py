"""What every CLI command shares: the --config option and loading the config with readable errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from core.text import for_terminal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from bot.config import ConfigProblem, SpocConfig
    from core.storage.database import Database

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML config file (default: $SPOC_CONFIG, ./spoc.yaml, built-in defaults)."),
]


class LazyConsole:
    """A Rich console made on first use: `spoc --help` and commands that print nothing load no Rich."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return getattr(self._console, name)


err = LazyConsole(stderr=True)


def open_database(config: SpocConfig) -> Database:
    from bot.wiring import database_for

    return database_for(config)


def config_or_exit(path: Path | None) -> SpocConfig:
    # Imported here, as every heavy module of the CLI: `spoc --help` must not load pydantic or SQLAlchemy.
    from bot.config import ConfigError, load_config

    if path is None and os.environ.get("SPOC_CONFIG"):
        path = Path(os.environ["SPOC_CONFIG"])
    try:
        return load_config(path)
    except ConfigError as error:
        exit_with_problems(error.problems)


def exit_with_problems(problems: list[ConfigProblem], *, doing: str = "") -> NoReturn:
    """Each problem on a line of its own, with its key; exit code 2."""
    err.print(f"[red]The config has {len(problems)} problem(s){doing}:[/red]")
    for problem in problems:
        err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def cell(value: object, *, limit: int | None = None, style: str = "") -> Text:
    """A value shown in the terminal by its rule (core/text.py `for_terminal`): inert, cut to `limit`, and
    never read as Rich markup, so a title like `printer [/red] broken` is shown as written."""
    from rich.text import Text

    return Text(for_terminal("-" if value is None else value, limit=limit), style=style)
