"""The `console:` section of the config."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ConsoleSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    intake_channels: tuple[str, ...] = ("it-help",)
    triage_channel: str = "it-triage"
    speaker: str = "dana"
    # The console's own source of roles, as a Slack user group or a Discord role is elsewhere.
    agents: tuple[str, ...] = ("sam", "lee")
    width: int = Field(default=100, ge=40, le=1000)  # characters a field line may take
