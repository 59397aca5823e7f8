"""Linking one person's accounts on two chat platforms with a one-time code."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from core.cards import Reply
from core.commands.params import Text
from core.context import Ctx
from core.desk.permissions import ANYONE
from core.desk.registry import verb
from core.errors import DeskError
from core.one_time_codes import code_hash, store_code
from core.people import account_of
from core.roles import join_people
from core.storage.models import IdentityRow, LinkCodeRow

# No 0/O or 1/I: a code is read on one screen and typed on another. 32 ** 8 = 2 ** 40 codes.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 8
LIFETIME = timedelta(minutes=10)


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return code_hash(_normal(code))


def issue_code(ctx: Ctx) -> str:
    """A fresh code for the account that asked; it replaces any code that account had pending."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    store_code(ctx, LinkCodeRow, hashed=_hash(raw), lifetime=LIFETIME,
               refusal="Only a person in chat can link accounts.")
    return f"{raw[:4]}-{raw[4:]}"


def redeem_code(ctx: Ctx, code: str) -> str:
    author, me = ctx.author, ctx.person()
    if author is None:
        raise DeskError("Only a person in chat can link accounts.")
    row = ctx.session.get(LinkCodeRow, _hash(code))
    if row is None or row.expires_at <= ctx.now:
        raise DeskError("That code is unknown or has expired. `/desk link` on your other account gives "
                        "a new one.")
    if row.platform == author.platform:
        raise DeskError(f"Type this code as yourself on your other platform, not on {row.platform}.")
    issuer = account_of(ctx.session, platform=row.platform, workspace=row.workspace, user_id=row.user_id)
    if issuer is None:
        raise DeskError("That code's account is gone. `/desk link` on your other account gives a new one.")
    ctx.session.delete(row)
    keep = issuer.person
    if keep.id == me.id:
        return f"Your {row.platform} and {author.platform} accounts are already linked."
    if _has_account(ctx, me.id, row.platform):
        raise DeskError(f"This account is already linked to another {row.platform} account.")
    if _has_account(ctx, keep.id, author.platform):
        raise DeskError("The account that asked for this code is already linked to another "
                        f"{author.platform} account.")
    join_people(ctx, keep=keep, absorb=me, source="/desk link")
    return (f"Linked: your {row.platform} and {author.platform} accounts are one person now, "
            f"{keep.display_name}. Your tickets follow you on both.")


def _has_account(ctx: Ctx, person_id: int, platform: str) -> bool:
    return ctx.session.scalar(select(IdentityRow.id).where(IdentityRow.person_id == person_id,
                                                           IdentityRow.platform == platform)) is not None


@verb("link", Text(name="code", required=False, many_lines=False), allow=ANYONE, examples=("link", "link K7QX-M2PD"))
def link(ctx: Ctx, *, code: str) -> Reply:
    """Link your accounts on two chat platforms: `/desk link` gives a one-time code; within 10 minutes type
    `/desk link CODE` as yourself on the other platform, and both accounts are one person with one set of
    tickets. Never share the code: whoever types it becomes you."""
    if not code:
        shown = issue_code(ctx)
        minutes = int(LIFETIME.total_seconds() // 60)
        return Reply(f"Your link code is {shown}. Within {minutes} minutes, type `/desk link {shown}` as "
                     "yourself on your other chat platform. Never share it: whoever types it becomes you.")
    return Reply(redeem_code(ctx, code))
