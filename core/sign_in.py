"""One-time sign-in links: a person asks in chat and gets a link that signs them in to the desk's pages as
the account they asked from. Only the hash of a link's code is kept, it works once, and for minutes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.context import Ctx
from core.one_time_codes import code_hash, store_code
from core.storage.access_models import SignInCodeRow

LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Account:
    """A chat account, as the platform names it: what a signed-in visitor acts as."""

    platform: str
    workspace: str
    user_id: str


def issue_sign_in(ctx: Ctx) -> str:
    """A fresh code for the account that asked; it replaces any link that account had pending."""
    code = secrets.token_urlsafe(32)
    store_code(ctx, SignInCodeRow, hashed=code_hash(code), lifetime=LIFETIME,
               refusal="Only a person in chat can ask for a sign-in link.")
    return code


def redeem_sign_in(session: Session, code: str, *, now: datetime) -> Account | None:
    """The account a code signs in as, once; None when it is unknown, used or expired."""
    if not code or len(code) > 200:
        return None
    row = session.get(SignInCodeRow, code_hash(code), with_for_update=True)
    if row is None:
        return None
    session.delete(row)
    if row.expires_at <= now:
        return None
    return Account(platform=row.platform, workspace=row.workspace, user_id=row.user_id)
