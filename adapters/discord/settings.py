"""The `discord:` section of the config, validated by the Discord adapter itself."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DiscordSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bot_token: str = ""
    application_id: str = ""
    api_url: str = "https://discord.com/api/v10"
    guilds: tuple[str, ...] = ()
    intake_channels: tuple[str, ...] = ()
    triage_channel: str = ""
    agent_role: str = ""
    private_threads: bool = True

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)
