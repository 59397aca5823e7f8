"""The `discord:` section of the config, validated by the Discord adapter itself."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DISCORD_API = "https://discord.com/api/v10"
BOT_TOKEN_WHERE = "Developer Portal -> your application -> Bot -> Reset Token"


def _snowflake(value: Any, what: str) -> str:
    text = str(value).strip()
    if text and not text.isdigit():
        raise ValueError(f"{what} must be a numeric Discord id (Developer Mode > Copy ID), not {text!r}")
    return text


class DiscordSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bot_token: str = ""
    application_id: str = ""
    api_url: str = DISCORD_API
    # Where the gateway (websocket) is. Empty: Discord's own, or for another api_url the one its
    # `GET /gateway` names (a local stand-in in tests).
    gateway_url: str = ""
    guilds: tuple[str, ...] = ()
    intake_channels: tuple[str, ...] = ()
    triage_channel: str = ""
    agent_role: str = ""
    private_threads: bool = True
    # Where `/desk` is registered: guild (each server in `guilds`, at once; not in direct messages) or
    # global (every server and direct messages). auto: guild when `guilds` lists servers, else global.
    commands: Literal["auto", "guild", "global"] = "auto"
    # Several workers on one bot: each connects the gateway shards listed here, of `shard_count` in all
    # (Discord gives each server's events to shard (server id >> 22) % shard_count, and direct messages
    # to shard 0). Empty: this worker is the only one and connects every shard Discord asks for.
    shard_ids: tuple[int, ...] = ()
    shard_count: int | None = Field(default=None, ge=1)

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)

    @property
    def commands_in_guilds(self) -> bool:
        return self.commands == "guild" or (self.commands == "auto" and bool(self.guilds))

    @property
    def custom_api(self) -> bool:
        return self.api_url.rstrip("/") != DISCORD_API

    @field_validator("guilds", "intake_channels", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(_snowflake(v, "each id") for v in value)
        return value

    @field_validator("application_id", "triage_channel", "agent_role", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return _snowflake(value, "this id") if isinstance(value, int | str) else value

    @field_validator("api_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"api_url must be an http(s) URL like {DISCORD_API}, not {value!r}")
        return value.rstrip("/")

    @field_validator("gateway_url")
    @classmethod
    def _websocket(cls, value: str) -> str:
        if value and not value.startswith(("wss://", "ws://")):
            raise ValueError(f"gateway_url must be a ws(s):// URL, not {value!r}")
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, value: Any) -> Any:
        # "0,1" from an environment variable (one config file for every worker) is the list [0, 1].
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("shard_count", mode="before")
    @classmethod
    def _no_count(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _shards_fit(self) -> DiscordSettings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("shard_ids needs shard_count: how many shards the bot has across all workers")
        wrong = [shard for shard in self.shard_ids if not 0 <= shard < (self.shard_count or 0)]
        if wrong:
            raise ValueError(f"shard_ids {wrong} are outside 0..{(self.shard_count or 1) - 1} "
                             f"(shard_count is {self.shard_count})")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids lists a shard twice")
        return self

    @property
    def registers_commands(self) -> bool:
        """One worker registers `/desk` (the one with shard 0, which also gets direct messages)."""
        return not self.shard_ids or 0 in self.shard_ids

    @model_validator(mode="after")
    def _token_looks_right(self) -> DiscordSettings:
        token = self.bot_token
        if not token:
            return self
        if token.lower().startswith("bot "):
            raise ValueError("bot_token: write the token without the 'Bot ' prefix (set DISCORD_BOT_TOKEN)")
        if any(ch.isspace() for ch in token) or token.count(".") != 2:
            raise ValueError("bot_token does not look like a Discord bot token (three parts separated by "
                             "dots); copy it from the Developer Portal's Bot page into DISCORD_BOT_TOKEN")
        return self

    def run_problems(self) -> list[tuple[str, str]]:
        """What `spoc run --adapter discord` would miss: (key in this section, what is needed and where)."""
        problems: list[tuple[str, str]] = []
        if not self.bot_token:
            problems.append(("bot_token", f"the Discord adapter needs the bot token ({BOT_TOKEN_WHERE})"))
        if self.commands == "guild" and not self.guilds:
            problems.append(("guilds", "commands: guild registers /desk in each server listed here, and none "
                                       "is: add your server ids, or set discord.commands: global"))
        return problems

    def channels(self) -> dict[str, str]:
        """This section's channels: id -> the key naming it."""
        found = {channel: "discord.intake_channels" for channel in self.intake_channels}
        if self.triage_channel:
            found.setdefault(self.triage_channel, "discord.triage_channel")
        return found
