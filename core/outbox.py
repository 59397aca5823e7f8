"""The transactional outbox: notifications are written with the change that caused them and delivered later."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from core.cards import Attachment, Card
from core.delivery import Destination
from core.storage.blobs import digest_of, store_blobs
from core.storage.models import CardMessageRow, OutboxRow, ThreadRow
from core.storage.writes import append_all, append_unless_taken

PENDING, SENT, DEAD, SUPERSEDED = "pending", "sent", "dead", "superseded"
LEASE = timedelta(seconds=60)
PER_PLACE = 3  # leased at once for one channel or person: a paced channel lets out about one a second
BEYOND_ANY_ID = 2 ** 62
# Living cards drawn afresh when they go out, by the prefix of their key: a card that sums up rows written by
# transactions that could not see each other's (a storm card) shows all of them that have committed.
Drawing = Callable[[Session, str], Card]
DRAWN_WHEN_LEASED: dict[str, Drawing] = {}


def drawn_when_leased(prefix: str) -> Callable[[Drawing], Drawing]:
    """Register how living cards whose key starts with `prefix` are drawn when they go out."""
    def register(draw: Drawing) -> Drawing:
        DRAWN_WHEN_LEASED[prefix] = draw
        return draw

    return register


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 2.0
    max_delay: float = 600.0

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.max_delay, self.base_delay * 2 ** max(0, attempts - 1)))


class Outbox:
    """Written to inside a unit of work; only platforms this desk talks to receive anything. What is sent
    is written in one statement when the unit's work is done (`write`): nothing reads a unit's own
    notifications back, and most units send several."""

    def __init__(self, session: Session, *, now: datetime, platforms: frozenset[str]) -> None:
        self.session = session
        self.now = now
        self.platforms = platforms
        self._queued: list[dict[str, Any]] = []
        self._files: dict[str, tuple[str, bytes]] = {}

    def attach(self, *, name: str, media_type: str, data: bytes) -> Attachment:
        """A file for a card to carry: its bytes are stored with the notifications (once, by digest)."""
        digest = digest_of(data)
        self._files[digest] = (media_type, data)
        return Attachment(name=name, media_type=media_type, digest=digest)

    def send(
        self,
        destination: Destination,
        card: Card,
        *,
        ticket_id: int | None = None,
        ticket_key: str = "",
        card_key: str = "",
        thread_audience: str = "",
        in_thread_of: str = "",
        quiet: bool = False,
        ahead: bool = False,
    ) -> bool:
        """Queue `card`. A `card_key` makes it a living card: later sends with that key edit it in place.
        A `thread_audience` makes the posted message the root of a ticket thread for that audience.
        `in_thread_of` (a living card's key) posts it in the thread under that card, once it is posted.
        `quiet`: a lightweight acknowledgement to `destination.user_id` about the message `destination.thread`
        in `destination.channel`, outside the channel's pace and order (an ephemeral message, a reaction).
        `ahead`: a living card that sums up what is true when it goes out (drawn when leased) goes before the
        other messages waiting for its place, which would only delay news they cannot make stale.
        False when it is for a platform this desk does not talk to."""
        if destination.platform not in self.platforms:
            return False
        self._queued.append(dict(
            created_at=self.now,
            platform=destination.platform,
            channel=destination.channel,
            thread=destination.thread,
            user_id=destination.user_id,
            fallback_user_id=destination.fallback_user_id,
            card=card.to_dict(),
            card_key=card_key,
            ticket_id=ticket_id,
            ticket_key=ticket_key,
            thread_audience=thread_audience,
            in_thread_of=in_thread_of,
            quiet=quiet,
            ahead=ahead,
            status=PENDING,
            attempts=0,
            next_attempt_at=self.now,
        ))
        return True

    @property
    def has_queued(self) -> bool:
        return bool(self._queued)

    def write(self, session: Session | None = None) -> None:
        """Store what was sent, in the order it was sent (delivery order follows it), in `session` when
        given (the notifications of work that only read), else in the unit's own."""
        store_blobs(session or self.session, self._files.values(), now=self.now)
        append_all(session or self.session, OutboxRow, self._queued)
        self._queued, self._files = [], {}


def _queue(columns: Any) -> tuple[Any, ...]:
    """A queue of messages delivered in order: a place (a channel, or a person) and whether they go ahead."""
    return columns.platform, columns.channel, columns.user_id, columns.ahead


def _same_queue(columns: Any, other: Any) -> list[Any]:
    return [mine == theirs for mine, theirs in zip(_queue(columns), _queue(other), strict=True)]


def _free(columns: Any) -> tuple[Any, ...]:
    """Pending, due and leased to nobody at `now`."""
    now = bindparam("now")
    return (columns.status == PENDING, columns.next_attempt_at <= now,
            or_(columns.locked_until.is_(None), columns.locked_until < now))


# Built once (every worker claims on every commit): each due queue's first message and the few after it.
_queued = aliased(OutboxRow, name="queued")
_LAST = (select(_queued.id).where(*_same_queue(_queued, OutboxRow), *_free(_queued))
         .order_by(_queued.id).offset(PER_PLACE - 1).limit(1).scalar_subquery())
_QUEUES = (select(*_queue(OutboxRow), func.min(OutboxRow.id).label("first"), _LAST.label("last"))
           .where(OutboxRow.platform.in_(bindparam("platforms", expanding=True)), *_free(OutboxRow))
           .group_by(*_queue(OutboxRow)).order_by(func.min(OutboxRow.id)).limit(bindparam("limit")).subquery())
CLAIM = (select(OutboxRow)
         .join(_QUEUES, and_(*_same_queue(OutboxRow, _QUEUES.c),
                             OutboxRow.id.between(_QUEUES.c.first, func.coalesce(_QUEUES.c.last, BEYOND_ANY_ID))))
         .where(*_free(OutboxRow)).order_by(OutboxRow.ahead.desc(), OutboxRow.id).limit(bindparam("limit")))
CLAIM_LOCKING = CLAIM.with_for_update(skip_locked=True, of=OutboxRow)


def claim_due(session: Session, *, now: datetime, platforms: frozenset[str], limit: int = 50) -> list[OutboxRow]:
    """Lease the due notifications of our platforms: the first few of each queue (a place, a channel or a
    person, and whether they go `ahead`), so that a channel with a long backlog, which its platform's pace lets
    out at one message a second, holds up no other place; those that go ahead first. The queues are read
    through their index (`ix_outbox_queue`): each queue's first due message and its few next ones, never a
    rank of every pending row. A living card goes out with its newest pending version, in the place of the
    oldest; the versions between are superseded, since the card shows the latest state anyway."""
    query = CLAIM_LOCKING if session.bind is not None and session.bind.dialect.name == "postgresql" else CLAIM
    rows = list(session.scalars(query, {"now": now, "platforms": sorted(platforms), "limit": limit}))
    behind = _behind_others(session, [row.id for row in rows])
    held: set[tuple[Any, ...]] = set()  # queues in which a message waits: the later ones of the batch wait too
    leased: list[OutboxRow] = []
    for row in rows:
        if row.status != PENDING:  # superseded by an earlier version of its card in this batch
            continue
        if _queue(row) in held or row.id in behind or not _thread_known(session, row):
            held.add(_queue(row))
            continue
        if row.card_key:
            _take_newest_version(session, row)
            draw = next((d for prefix, d in DRAWN_WHEN_LEASED.items() if row.card_key.startswith(prefix)), None)
            if draw is not None:
                row.card = draw(session, row.card_key).to_dict()
        row.locked_until = now + LEASE
        leased.append(row)
    return leased


def begin_attempts(rows: list[OutboxRow], *, now: datetime) -> dict[int, datetime | None]:
    """Note, before anything is handed to a platform, that these rows' attempts begin: a process that dies
    after the platform took a message and before `mark_sent` leaves the mark, and the next attempt looks for
    the message before sending it again. The mark keeps the earliest such attempt until the row is sent.
    Returns each row's earlier unconfirmed attempt (None where there was none)."""
    earlier = {row.id: row.attempt_started_at for row in rows}
    for row in rows:
        row.attempt_started_at = row.attempt_started_at or now
    return earlier


def _take_newest_version(session: Session, row: OutboxRow) -> None:
    newer = session.scalars(select(OutboxRow).where(OutboxRow.card_key == row.card_key, OutboxRow.status == PENDING,
                                                    OutboxRow.id > row.id).order_by(OutboxRow.id)).all()
    if not newer:
        return
    row.card = newer[-1].card
    row.thread_audience = row.thread_audience or next((r.thread_audience for r in newer if r.thread_audience), "")
    for version in newer:
        version.status = SUPERSEDED


def _behind_others(session: Session, batch: list[int]) -> set[int]:
    """Messages of one queue arrive in the order they were written: those of `batch` behind an earlier one of
    their queue that is still pending elsewhere (leased by another worker, or waiting for its retry). This also
    keeps a living card from being posted twice instead of edited. Messages that go ahead are a queue of their
    own: they wait for no other message to their place, and none of those waits for them."""
    if not batch:
        return set()
    return set(session.scalars(BEHIND_OTHERS, {"batch": batch}))


_earlier = aliased(OutboxRow, name="earlier")
BEHIND_OTHERS = (select(OutboxRow.id).distinct()
                 .join(_earlier, and_(*_same_queue(_earlier, OutboxRow), _earlier.id < OutboxRow.id))
                 .where(OutboxRow.id.in_(bindparam("batch", expanding=True)), _earlier.status == PENDING,
                        _earlier.id.not_in(bindparam("batch", expanding=True))))


def _thread_known(session: Session, row: OutboxRow) -> bool:
    """A reply under a living card waits until the card is posted, then takes the card's message as its
    thread. Without a card to wait for (never sent, or dead) it goes to the channel itself."""
    if not row.in_thread_of or row.thread:
        return True
    posted = session.get(CardMessageRow, row.in_thread_of)
    if posted is not None:
        row.thread = posted.message_id
        return True
    waiting = session.scalar(select(OutboxRow.id).where(OutboxRow.card_key == row.in_thread_of,
                                                        OutboxRow.status == PENDING).limit(1))
    return waiting is None


def last_sent_at(session: Session, *, platform: str, channel: str) -> datetime | None:
    """When any worker last sent a message to this channel (None for a direct message or never)."""
    if not channel:
        return None
    return session.scalar(select(func.max(OutboxRow.sent_at)).where(
        OutboxRow.platform == platform, OutboxRow.channel == channel, OutboxRow.status == SENT,
        OutboxRow.quiet.is_(False)))


def message_to_replace(session: Session, row: OutboxRow) -> str:
    if not row.card_key:
        return ""
    found = session.get(CardMessageRow, row.card_key)
    return found.message_id if found else ""


def mark_sent(session: Session, *, outbox_id: int, message_id: str, channel: str, now: datetime) -> None:
    row = session.get(OutboxRow, outbox_id)
    if row is None:
        return
    row.status, row.sent_at, row.message_id, row.locked_until = SENT, now, message_id, None
    row.channel = row.channel or channel
    if row.card_key:
        append_unless_taken(session, CardMessageRow, unique=("card_key",), card_key=row.card_key,
                            platform=row.platform, channel=row.channel, message_id=message_id)
    if row.thread_audience and row.ticket_id is not None and message_id:
        append_unless_taken(session, ThreadRow, unique=("platform", "channel", "thread"), ticket_id=row.ticket_id,
                            platform=row.platform, channel=row.channel, thread=message_id,
                            audience=row.thread_audience)


def mark_failed(
    session: Session,
    *,
    outbox_id: int,
    reason: str,
    now: datetime,
    policy: RetryPolicy,
    permanent: bool = False,
    retry_after: float | None = None,
) -> str:
    """Record a failed attempt; returns the new status (pending again, or dead)."""
    row = session.get(OutboxRow, outbox_id)
    if row is None:
        return DEAD
    row.locked_until = None
    row.last_error = reason[:2000]
    if retry_after is not None and not permanent:
        # A rate limit is the platform asking us to wait, not a failure of the message.
        row.next_attempt_at = now + timedelta(seconds=retry_after)
        return row.status
    row.attempts += 1
    if permanent or row.attempts >= policy.max_attempts:
        row.status = DEAD
    else:
        row.next_attempt_at = now + policy.delay(row.attempts)
    return row.status


def retry(session: Session, *, now: datetime, outbox_id: int | None = None) -> int:
    """Send dead notifications again: one by id, or all of them."""
    query = update(OutboxRow).where(OutboxRow.status == DEAD)
    if outbox_id is not None:
        query = query.where(OutboxRow.id == outbox_id)
    result = session.execute(
        query.values(status=PENDING, attempts=0, next_attempt_at=now, locked_until=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def listing(session: Session, *, failed_only: bool = False, limit: int = 200) -> list[OutboxRow]:
    query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
    if failed_only:
        query = query.where(OutboxRow.status == DEAD)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Backlog:
    pending: int
    dead: int
    oldest_pending_seconds: float | None


# Read at every health check and metrics scrape: both through the index on status, never the sent rows.
WAITING_BY_STATUS = select(OutboxRow.status, func.count()).where(OutboxRow.status.in_((PENDING, DEAD))) \
    .group_by(OutboxRow.status)
OLDEST_PENDING = select(func.min(OutboxRow.created_at)).where(OutboxRow.status == PENDING)


def backlog(session: Session, *, now: datetime) -> Backlog:
    """What waits to be delivered and what never will be, for health checks and metrics."""
    counts: dict[str, int] = {status: count for status, count in session.execute(WAITING_BY_STATUS)}
    oldest = session.scalar(OLDEST_PENDING)
    return Backlog(pending=counts.get(PENDING, 0), dead=counts.get(DEAD, 0),
                   oldest_pending_seconds=round((now - oldest).total_seconds(), 1) if oldest else None)
