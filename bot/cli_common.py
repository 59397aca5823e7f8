"""What every CLI command shares: the --config option and loading the config with readable errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bot.config import ConfigError, SpocConfig, load_config

if TYPE_CHECKING:
    from core.storage.database import Database

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML config file (default: $SPOC_CONFIG, ./spoc.yaml, built-in defaults)."),
]
err = Console(stderr=True)


def open_database(config: SpocConfig) -> Database:
    from bot.wiring import database_for

    return database_for(config)


def config_or_exit(path: Path | None) -> SpocConfig:
    if path is None and os.environ.get("SPOC_CONFIG"):
        path = Path(os.environ["SPOC_CONFIG"])
    try:
        return load_config(path)
    except ConfigError as error:
        err.print(f"[red]The config has {len(error.problems)} problem(s):[/red]")
        for problem in error.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
