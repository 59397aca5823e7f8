"""The `web:` section of the config, validated by the web adapter itself."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEMO_PORT = 8080


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WebSettings(Frozen):
    enabled: bool = True
    # Where people reach the pages (links in chat point here). Default: http://127.0.0.1:<port>.
    base_url: str = ""
    # The status page (and its feeds) without signing in.
    public_status: bool = False
    # Signs session cookies; unset, a random one per process (everyone signs in again after a restart).
    session_secret: str = ""
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"base_url is http(s)://host[:port], not {value!r}")
        return value.rstrip("/")

    def url_on(self, port: int) -> str:
        return self.base_url or f"http://127.0.0.1:{port}"
