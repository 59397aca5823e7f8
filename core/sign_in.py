"""One-time sign-in links: a person asks in chat and gets a link that signs them in to the desk's pages as
the account they asked from. Only the hash of a link's code is kept, it works once, and for minutes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.context import Ctx
from core.errors import DeskError
from core.storage.access_models import SignInCodeRow

LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Account:
    """A chat account, as the platform names it: what a signed-in visitor acts as."""

    platform: str
    workspace: str
    user_id: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_sign_in(ctx: Ctx) -> str:
    """A fresh code for the account that asked; it replaces any link that account had pending."""
    author = ctx.author
    if author is None:
        raise DeskError("Only a person in chat can ask for a sign-in link.")
    ctx.session.execute(delete(SignInCodeRow).where(
        (SignInCodeRow.expires_at <= ctx.now)
        | ((SignInCodeRow.platform == author.platform) & (SignInCodeRow.workspace == author.workspace)
           & (SignInCodeRow.user_id == author.user_id))))
    code = secrets.token_urlsafe(32)
    ctx.session.add(SignInCodeRow(code_hash=_hash(code), platform=author.platform, workspace=author.workspace,
                                  user_id=author.user_id, expires_at=ctx.now + LIFETIME))
    return code


def redeem_sign_in(session: Session, code: str, *, now: datetime) -> Account | None:
    """The account a code signs in as, once; None when it is unknown, used or expired."""
    if not code or len(code) > 200:
        return None
    row = session.get(SignInCodeRow, _hash(code), with_for_update=True)
    if row is None:
        return None
    session.delete(row)
    if row.expires_at <= now:
        return None
    return Account(platform=row.platform, workspace=row.workspace, user_id=row.user_id)
