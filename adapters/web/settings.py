"""The `web:` section of the config, validated by the web adapter itself."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEMO_PORT = 8080


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hook(Frozen):
    """An outgoing webhook: ticket, order and outage events are POSTed to `url`, signed with `secret`."""

    name: str
    url: str
    secret: str = ""
    events: tuple[str, ...] = ("ticket.*", "order.*", "outage.*")

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"a webhook url is http(s)://..., not {value!r}")
        return value


class OpenIdProvider(Frozen):
    """Sign-in with a chat platform's accounts (Slack: OpenID Connect; Discord: OAuth2). The endpoints are
    the platform's own by default, configurable so that tests use a local stand-in provider."""

    client_id: str = ""
    client_secret: str = ""
    authorize_url: str = ""
    token_url: str = ""
    userinfo_url: str = ""
    # Slack: only members of this workspace (its team id, T...) may sign in.
    team_id: str = ""


SLACK_ENDPOINTS = {"authorize_url": "https://slack.com/openid/connect/authorize",
                   "token_url": "https://slack.com/api/openid.connect.token",
                   "userinfo_url": "https://slack.com/api/openid.connect.userInfo"}
DISCORD_ENDPOINTS = {"authorize_url": "https://discord.com/oauth2/authorize",
                     "token_url": "https://discord.com/api/oauth2/token",
                     "userinfo_url": "https://discord.com/api/users/@me"}
PROVIDERS = {"slack": SLACK_ENDPOINTS, "discord": DISCORD_ENDPOINTS}


class WebSettings(Frozen):
    # Unset: on while the console is one of the adapters in use (the demo); true serves them with any adapter.
    enabled: bool | None = None
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
    # The dashboard's figures and charts are kept for everyone asking for the same period: never older than
    # this, refreshed in the background once half as old. A refresh must end within the other half, or the
    # next visitor waits for one: at least 10 s (a report over 100,000 tickets takes 2-3 s).
    dashboard_max_age: float = Field(default=60.0, ge=10, le=24 * 3600)
    slack_sign_in: OpenIdProvider = OpenIdProvider()
    discord_sign_in: OpenIdProvider = OpenIdProvider()

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

    def provider(self, name: str) -> OpenIdProvider | None:
        """A sign-in provider with its endpoints filled in; None when it is not set up (Slack also needs the
        workspace's team id: without it, any workspace's member could sign in)."""
        own = self.slack_sign_in if name == "slack" else self.discord_sign_in if name == "discord" else None
        if own is None or not (own.client_id and own.client_secret) or (name == "slack" and not own.team_id):
            return None
        return own.model_copy(update={k: getattr(own, k) or v for k, v in PROVIDERS[name].items()})
