"""The `slack:` section of the config, validated by the Slack adapter itself."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SlackSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bot_token: str = ""
    app_token: str = ""
    signing_secret: str = ""
    mode: Literal["socket", "http"] = "socket"
    port: int = Field(default=3000, ge=1, le=65535)
    api_url: str = "https://slack.com/api/"
    intake_channels: tuple[str, ...] = ()
    triage_channel: str = ""
    ticket_reaction: str = "ticket"
    agent_usergroup: str = ""
    per_channel_interval_seconds: float = Field(default=1.0, ge=0)

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)

    @model_validator(mode="after")
    def _tokens_fit_the_mode(self) -> SlackSettings:
        if not self.bot_token:
            return self
        if not self.bot_token.startswith("xoxb-"):
            raise ValueError("bot_token must be a bot token starting with 'xoxb-' (set SLACK_BOT_TOKEN)")
        if self.mode == "socket" and not self.app_token.startswith("xapp-"):
            raise ValueError("socket mode needs app_token starting with 'xapp-' (set SLACK_APP_TOKEN)")
        if self.mode == "http" and not self.signing_secret:
            raise ValueError("http mode needs signing_secret (set SLACK_SIGNING_SECRET)")
        return self
