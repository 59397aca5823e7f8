"""Loading the one YAML config: `${ENV_VAR}` expansion, validation into frozen settings, readable errors."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from adapters.console.settings import ConsoleSettings
from adapters.discord.settings import DiscordSettings
from adapters.slack.settings import SlackSettings
from core.settings import DeskSettings

DEFAULT_DATABASE_URL = "sqlite:///spoc.db"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
SECRET_WORDS = ("token", "secret", "password")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseSettings(Frozen):
    url: str = DEFAULT_DATABASE_URL


class KnowledgeSettings(Frozen):
    articles_dir: str = ""
    load_starter: bool = True
    threshold: float = Field(default=0.5, ge=0, le=1)
    max_suggestions: int = Field(default=3, ge=0, le=10)
    semantic: bool = False


class OutboxSettings(Frozen):
    max_attempts: int = Field(default=8, ge=1)
    base_delay_seconds: float = Field(default=2.0, gt=0)
    max_delay_seconds: float = Field(default=600.0, gt=0)
    poll_seconds: float = Field(default=0.5, gt=0)


class RunSettings(Frozen):
    adapters: tuple[Literal["console", "slack", "discord"], ...] = ()


class SpocConfig(Frozen):
    desk: DeskSettings = DeskSettings()
    database: DatabaseSettings = DatabaseSettings()
    run: RunSettings = RunSettings()
    console: ConsoleSettings = ConsoleSettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    kb: KnowledgeSettings = KnowledgeSettings()
    outbox: OutboxSettings = OutboxSettings()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    def adapters(self) -> tuple[str, ...]:
        """The platforms this desk talks to: as configured, else those with tokens, else the console."""
        if self.run.adapters:
            return self.run.adapters
        chosen = tuple(name for name, section in (("slack", self.slack), ("discord", self.discord))
                       if section.configured)
        return chosen or ("console",)

    def with_adapters(self, names: tuple[str, ...]) -> SpocConfig:
        return self.model_copy(update={"run": RunSettings(adapters=names)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class ConfigProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(top level)'}: {self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def expand_env(value: Any, environ: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _ENV.sub(lambda m: environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_env(v, environ) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v, environ) for k, v in value.items()}
    return value


def _literal_secrets(raw: Any, path: str = "") -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(value, str) and value and any(w in str(key).lower() for w in SECRET_WORDS) \
                    and not _ENV.search(value):
                name = child.replace(".", "_").upper()
                problems.append(ConfigProblem(child, f"secrets come from the environment: write ${{{name}}} "
                                                     f"and set {name}"))
            else:
                problems.extend(_literal_secrets(value, child))
    return problems


def _describe(error: Any) -> ConfigProblem:
    path = ".".join(str(p) for p in error["loc"])
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown key; config.example.yaml lists every valid key"
    elif error["type"] == "literal_error":
        message = f"{message} (got {error.get('input')!r})"
    return ConfigProblem(path, message)


def parse_config(text: str, *, environ: dict[str, str] | None = None, source: str = "config") -> SpocConfig:
    env = dict(os.environ) if environ is None else environ
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ConfigError([ConfigProblem(where, f"not valid YAML: {getattr(error, 'problem', error)}")]) from None
    if not isinstance(raw, dict):
        raise ConfigError([ConfigProblem("", "the config must be a mapping of sections (desk:, database:, ...)")])
    problems = _literal_secrets(raw)
    try:
        config = SpocConfig.model_validate(expand_env(raw, env))
    except ValidationError as error:
        problems.extend(_describe(e) for e in error.errors())
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    url = env.get("SPOC_DATABASE_URL")
    if url:
        config = config.model_copy(update={"database": DatabaseSettings(url=url)})
    return config


def load_config(path: Path | None, *, environ: dict[str, str] | None = None) -> SpocConfig:
    """The config at `path`; with no path, `spoc.yaml` if present, else the embedded defaults."""
    if path is None:
        candidate = Path("spoc.yaml")
        if not candidate.exists():
            return parse_config("{}", environ=environ)
        path = candidate
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([ConfigProblem(str(path), f"cannot read it: {error.strerror}")]) from None
    return parse_config(text, environ=environ, source=str(path))
