"""Signing in to the desk's own pages from chat."""

from __future__ import annotations

from core.cards import Reply
from core.context import Ctx
from core.desk.permissions import ANYONE
from core.desk.registry import verb
from core.errors import DeskError
from core.sign_in import LIFETIME, issue_sign_in


@verb("web", allow=ANYONE, exact=True, examples=("web",))
def web(ctx: Ctx) -> Reply:
    """Get a one-time link that signs you in to the desk's pages (your tickets, the knowledge base, the
    status page). It works once, within 15 minutes; never share it: whoever opens it acts as you."""
    base = ctx.deps.portal_url.rstrip("/")
    if not base:
        raise DeskError("This desk has no web pages (web.enabled is off in its config).")
    code = issue_sign_in(ctx)
    minutes = int(LIFETIME.total_seconds() // 60)
    return Reply(f"Your sign-in link, for you alone (works once, within {minutes} minutes): "
                 f"{base}/signin/{code}")
