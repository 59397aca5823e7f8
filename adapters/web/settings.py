"""The `web:` section of the config, validated by the web adapter itself."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEMO_PORT = 8080


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hook(Frozen):
    """An outgoing webhook: ticket and outage events are POSTed to `url`, signed with `secret`."""

    name: str
    url: str
    secret: str = ""
    events: tuple[str, ...] = ("ticket.*", "outage.*")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"a webhook url is http(s)://..., not {value!r}")
        return value


class WebSettings(Frozen):
    enabled: bool = True
    # Where people reach the pages (links in chat point here). Default: http://127.0.0.1:<port>.
    base_url: str = ""
    # The status page (and its feeds) without signing in.
    public_status: bool = False
    # Signs session cookies; unset, a random one per process (everyone signs in again after a restart).
    session_secret: str = ""
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # Requests per minute each API token may make (429 with Retry-After beyond).
    api_rate_per_minute: int = Field(default=120, ge=1)
    webhooks: tuple[Hook, ...] = ()

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError(f"base_url is http(s)://host[:port], not {value!r}")
        return value.rstrip("/")

    @field_validator("webhooks")
    @classmethod
    def _unique(cls, value: tuple[Hook, ...]) -> tuple[Hook, ...]:
        names = [hook.name for hook in value]
        if len(names) != len(set(names)):
            raise ValueError("two webhooks share a name")
        return value

    def url_on(self, port: int) -> str:
        return self.base_url or f"http://127.0.0.1:{port}"
