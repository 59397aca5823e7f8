"""The `slack:` section of the config, validated by the Slack adapter itself."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

BOT_TOKEN_WHERE = "OAuth & Permissions -> Bot User OAuth Token"
APP_TOKEN_WHERE = "Basic Information -> App-Level Tokens, with the scope connections:write"
SIGNING_SECRET_WHERE = "Basic Information -> App Credentials -> Signing Secret"
TOKEN_SHAPES = {"bot_token": ("xoxb-", "a bot token", BOT_TOKEN_WHERE),
                "app_token": ("xapp-", "an app-level token", APP_TOKEN_WHERE)}


class SlackSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bot_token: str = ""
    app_token: str = ""
    signing_secret: str = ""
    mode: Literal["socket", "http"] = "socket"
    api_url: str = "https://slack.com/api/"
    intake_channels: tuple[str, ...] = ()
    triage_channel: str = ""
    ticket_reaction: str = "ticket"
    agent_usergroup: str = ""
    per_channel_interval_seconds: float = Field(default=1.0, ge=0)
    # HTTP mode: a request body over this many bytes is refused with 413 (Slack's own stay far below).
    max_request_bytes: int = Field(default=1_048_576, ge=4096, le=67_108_864)
    # Socket Mode reconnects by itself; a connection lost for longer than this stops spoc (exit non-zero).
    reconnect_budget_seconds: float = Field(default=300.0, gt=0)
    # Socket Mode: after a connection lost for longer than this, the intake channels' and open tickets'
    # threads' history since the last message taken is read (Slack itself resends events for a while).
    catch_up_after_seconds: float = Field(default=60.0, gt=0)

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)

    @field_validator("bot_token", "app_token")
    @classmethod
    def _token_shape(cls, value: str, info: ValidationInfo) -> str:
        prefix, what, where = TOKEN_SHAPES[info.field_name or ""]
        if value and not value.startswith(prefix):
            raise ValueError(f"{what} starts with '{prefix}' ({where})")
        return value

    @field_validator("api_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"api_url must be an http(s) URL like https://slack.com/api/, not {value!r}")
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _catch_up_within_budget(self) -> SlackSettings:
        if self.catch_up_after_seconds >= self.reconnect_budget_seconds:
            raise ValueError(f"catch_up_after_seconds ({self.catch_up_after_seconds:g}) must be less than "
                             f"reconnect_budget_seconds ({self.reconnect_budget_seconds:g}): a connection lost for "
                             "the whole budget stops spoc before it could read what it missed")
        return self

    def run_problems(self) -> list[tuple[str, str]]:
        """What `spoc run --adapter slack` would miss: (key in this section, what is needed and where)."""
        problems: list[tuple[str, str]] = []
        if not self.bot_token:
            problems.append(("bot_token", f"the Slack adapter needs the bot token, xoxb-... ({BOT_TOKEN_WHERE})"))
        if self.mode == "socket" and not self.app_token:
            problems.append(("app_token", f"Socket Mode needs the app-level token, xapp-... ({APP_TOKEN_WHERE})"))
        if self.mode == "http" and not self.signing_secret:
            problems.append(("signing_secret", f"HTTP mode needs the signing secret ({SIGNING_SECRET_WHERE})"))
        return problems

    def channels(self) -> dict[str, str]:
        """This section's channels: id -> the key naming it."""
        found = {channel: "slack.intake_channels" for channel in self.intake_channels}
        if self.triage_channel:
            found.setdefault(self.triage_channel, "slack.triage_channel")
        return found
