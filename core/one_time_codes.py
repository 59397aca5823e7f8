"""One-time codes handed to a chat account (to link accounts, to sign in to the pages): only a code's hash
is kept, a new code replaces the account's pending one, and expired codes are swept as new ones come."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import delete

from core.context import Ctx
from core.errors import DeskError


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def store_code(ctx: Ctx, row_type: Any, *, hashed: str, lifetime: timedelta, refusal: str) -> None:
    """Keep `hashed` as the asking account's only pending code of `row_type`; `refusal` answers a caller
    that is no chat account (a scheduled job, an API token)."""
    author = ctx.author
    if author is None:
        raise DeskError(refusal)
    ctx.session.execute(delete(row_type).where(
        (row_type.expires_at <= ctx.now)
        | ((row_type.platform == author.platform) & (row_type.workspace == author.workspace)
           & (row_type.user_id == author.user_id))))
    ctx.session.add(row_type(code_hash=hashed, platform=author.platform, workspace=author.workspace,
                             user_id=author.user_id, expires_at=ctx.now + lifetime))
