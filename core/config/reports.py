"""The `desk.reports:` section of the config: the leads' weekly digest and where charts are drawn."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from core.config.sla import Weekday


class ReportSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # platform -> channel of the IT leads; the weekly digest goes to each platform this desk talks to.
    leads_channels: dict[str, str] = {}
    weekly_day: Weekday = "mon"
    weekly_at: str = "08:00"  # local time of the default calendar; "" sends no digest
    charts: bool = True
    charts_dir: str = ""  # where the console saves charts; default: spoc-charts in the system's temp directory

    @field_validator("leads_channels")
    @classmethod
    def _channel_ids_are_strings(cls, value: dict[str, str]) -> dict[str, str]:
        return {str(k): str(v) for k, v in value.items() if str(v)}

    @field_validator("weekly_at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        value = value.strip()
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
        if value and (match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59):
            raise ValueError(f"{value!r} is not a time of day: write it like 08:00, or \"\" for no digest")
        return value

    def chart_dir(self) -> Path:
        return Path(self.charts_dir) if self.charts_dir else Path(tempfile.gettempdir()) / "spoc-charts"
