"""Loading the one YAML config: `${ENV_VAR}` expansion, validation into frozen settings, readable errors."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from adapters.console.settings import ConsoleSettings
from adapters.discord.settings import DiscordSettings
from adapters.email.settings import EmailSettings, list_problems
from adapters.slack.settings import SlackSettings
from adapters.web.settings import DEMO_PORT, WebSettings
from core.settings import DeskSettings
from core.storage.database import SUPPORTED_SCHEMES, normal_url

DEFAULT_DATABASE_URL = "sqlite:///spoc.db"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ONLY_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-)?\}")
SECRET_WORDS = ("token", "secret", "password")
# Secrets a config leaves out come from these environment variables, so that tokens in the environment
# are enough to run an adapter without a config file.
ENV_SECRETS = {
    ("slack", "bot_token"): "SLACK_BOT_TOKEN",
    ("slack", "app_token"): "SLACK_APP_TOKEN",
    ("slack", "signing_secret"): "SLACK_SIGNING_SECRET",
    ("discord", "bot_token"): "DISCORD_BOT_TOKEN",
    ("email", "imap", "password"): "EMAIL_IMAP_PASSWORD",
    ("email", "smtp", "password"): "EMAIL_SMTP_PASSWORD",
    ("web", "session_secret"): "SPOC_WEB_SESSION_SECRET",
    ("web", "slack_sign_in", "client_secret"): "SPOC_SLACK_SIGN_IN_SECRET",
    ("web", "discord_sign_in", "client_secret"): "SPOC_DISCORD_SIGN_IN_SECRET",
}
ADAPTERS = ("console", "slack", "discord", "email")
SLACK_HTTP_PORT = 3000


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseSettings(Frozen):
    url: str = DEFAULT_DATABASE_URL

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        value = normal_url(value.strip())
        if not value:
            raise ValueError("no database URL: write one like sqlite:///spoc.db or postgresql://user@host/spoc")
        scheme = value.partition(":")[0].partition("+")[0].lower()
        if "://" not in value or scheme not in SUPPORTED_SCHEMES:
            shown = f"{scheme}://" if "://" in value else repr(value)
            raise ValueError(f"{shown} is not a database spoc supports: use sqlite:///path/to/spoc.db (one "
                             "process) or postgresql://user:password@host:5432/spoc (several)")
        return value


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
    adapters: tuple[Literal["console", "slack", "discord", "email"], ...] = ()
    # SIGTERM: how long to finish the work in hand and deliver what the outbox can before exiting.
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)
    # A chat connection that keeps failing is retried this many times (backoff 1 s doubling to 5 min; a
    # connection that held for 2 minutes starts the count afresh), then spoc stops with a non-zero exit.
    reconnect_attempts: int = Field(default=10, ge=0)


class HttpSettings(Frozen):
    """The one HTTP server: GET /healthz and /readyz, and Slack's HTTP mode at POST /slack/events."""

    host: str = "0.0.0.0"
    # Unset: no HTTP server, except for Slack's HTTP mode, which then listens on 3000.
    port: int | None = Field(default=None, ge=0, le=65535)


class SpocConfig(Frozen):
    desk: DeskSettings = DeskSettings()
    database: DatabaseSettings = DatabaseSettings()
    run: RunSettings = RunSettings()
    console: ConsoleSettings = ConsoleSettings()
    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    email: EmailSettings = EmailSettings()
    kb: KnowledgeSettings = KnowledgeSettings()
    outbox: OutboxSettings = OutboxSettings()
    http: HttpSettings = HttpSettings()
    web: WebSettings = WebSettings()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    log_format: Literal["text", "json"] = "text"
    # key path -> the environment variable its value came from (for messages about what to set)
    _env_names: dict[str, str] = PrivateAttr(default_factory=dict)

    def adapters(self) -> tuple[str, ...]:
        """The platforms this desk talks to: as configured, else those with tokens, else the console."""
        if self.run.adapters:
            return self.run.adapters
        chosen = tuple(name for name, section in (("slack", self.slack), ("discord", self.discord),
                                                  ("email", self.email)) if section.configured)
        return chosen or ("console",)

    def http_port(self) -> int | None:
        """The port of the one HTTP server: `http.port`; unset, 3000 for Slack's HTTP mode, else the web
        pages' demo port while they are on; None when nothing is served."""
        if self.http.port is not None:
            return self.http.port
        if "slack" in self.adapters() and self.slack.mode == "http":
            return SLACK_HTTP_PORT
        return DEMO_PORT if self.web_enabled() else None

    def web_enabled(self) -> bool:
        """Whether the desk serves its web pages: `web.enabled`; unset, while the console is in use (the demo)."""
        return self.web.enabled if self.web.enabled is not None else "console" in self.adapters()

    def portal_url(self) -> str:
        """Where people reach the desk's pages ("" when they are off)."""
        port = self.http_port()
        return self.web.url_on(port) if self.web_enabled() and port is not None else ""

    def with_adapters(self, names: tuple[str, ...]) -> SpocConfig:
        return self.model_copy(update={"run": RunSettings(adapters=names)})  # type: ignore[arg-type]

    def run_problems(self, names: tuple[str, ...] | None = None) -> list[ConfigProblem]:
        """Everything `spoc run` with these adapters (default: the configured ones) would miss."""
        problems: list[ConfigProblem] = []
        for name in names or self.adapters():
            if name not in ADAPTERS:
                problems.append(ConfigProblem("--adapter", f"no adapter {name!r}: use {', '.join(ADAPTERS)}"))
                continue
            section = getattr(self, name)
            for key, message in section.run_problems() if hasattr(section, "run_problems") else ():
                path = f"{name}.{key}"
                problems.append(ConfigProblem(path, message + self._where_to_set(path)))
            if name == "email":
                problems.extend(ConfigProblem(path, message) for path, message in
                                list_problems(self.desk.channels_on("email")))
        return problems

    def _where_to_set(self, path: str) -> str:
        """For a secret, the environment variable to set (the file may not hold it)."""
        if not any(word in path.split(".")[-1] for word in SECRET_WORDS):
            return ""
        variable = self._env_names.get(path)
        if variable:
            return f": set {variable} in the environment"
        return f": write `{path.split('.')[-1]}: ${{{path.replace('.', '_').upper()}}}` in the config and set " \
               f"{path.replace('.', '_').upper()}"


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


def expand_env(value: Any, environ: dict[str, str], *, names: dict[str, str] | None = None,
               path: str = "") -> Any:
    """`${VAR}` and `${VAR:-default}` replaced from `environ`; `names` learns which key came from which VAR."""
    if isinstance(value, str):
        found = _ENV.search(value)
        if found and names is not None:
            names[path] = found.group(1)
        return _ENV.sub(lambda m: environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_env(v, environ, names=names, path=path) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v, environ, names=names, path=f"{path}.{k}" if path else str(k))
                for k, v in value.items()}
    return value


def _secret_problems(raw: Any, path: str = "") -> list[ConfigProblem]:
    """A secret is written `${VAR}`: neither a literal value nor a `${VAR:-default}` may sit in the file."""
    problems: list[ConfigProblem] = []
    if isinstance(raw, dict):
        for key, value in raw.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(value, str) and value and any(w in str(key).lower() for w in SECRET_WORDS):
                if _ONLY_ENV.fullmatch(value.strip()):
                    continue
                found = _ENV.search(value)
                name = found.group(1) if found else child.replace(".", "_").upper()
                what = "a secret cannot have a default in the config" if found and found.group(2) \
                    else "secrets come from the environment"
                problems.append(ConfigProblem(child, f"{what}: write ${{{name}}} and set {name}"))
            else:
                problems.extend(_secret_problems(value, child))
    return problems


def _with_env_secrets(raw: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Secrets the config leaves out read their usual environment variables; SPOC_DATABASE_URL, when set,
    is the database URL."""
    raw = dict(raw)
    for path, variable in ENV_SECRETS.items():
        raw = _with_default(raw, path, f"${{{variable}}}")
    if environ.get("SPOC_DATABASE_URL"):
        part = raw.get("database") or {}
        if isinstance(part, dict):
            raw["database"] = {**part, "url": "${SPOC_DATABASE_URL}"}
    return raw


def _with_default(raw: dict[str, Any], path: tuple[str, ...], value: str) -> dict[str, Any]:
    """`raw` with `value` at `path` (a copy along the way) unless something is there already."""
    head, rest = path[0], path[1:]
    if not rest:
        return raw if head in raw else {**raw, head: value}
    part = raw.get(head)
    if part is None:
        part = {}
    if not isinstance(part, dict):
        return raw
    return {**raw, head: _with_default(part, rest, value)}


def _describe(error: Any, *, names: dict[str, str], environ: dict[str, str]) -> ConfigProblem:
    path = ".".join(str(p) for p in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key; config.example.yaml lists every valid key"
    elif error["type"] == "literal_error":
        message = f"{message} (got {error.get('input')!r})"
    variable = names.get(path)
    if variable and not environ.get(variable):
        message += f" (${{{variable}}} is not set)"
    elif variable:
        message += f" (from ${{{variable}}})"
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
    problems = _secret_problems(raw)
    names: dict[str, str] = {}
    expanded = expand_env(_with_env_secrets(raw, env), env, names=names)
    try:
        config = SpocConfig.model_validate(expanded)
    except ValidationError as error:
        named = {p.path for p in problems}
        problems.extend(found for found in (_describe(e, names=names, environ=env) for e in error.errors())
                        if found.path not in named)
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    config._env_names.update(names)
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
