"""The desk: the one entry point adapters call. Every call is one transaction, deduplicated by event id."""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core import attachments  # noqa: F401 - importing declares the scheduled jobs
from core.cards import Card, Reply
from core.catalog import jobs as catalog_jobs  # noqa: F401 - importing declares the scheduled jobs
from core.catalog.answers import answer_problems
from core.clock import Clock
from core.commands.forms import Form, form_for
from core.commands.line import strip_prefix
from core.config.catalog import CatalogItem
from core.context import Ctx, DeskDeps
from core.delivery import Destination
from core.desk import (  # noqa: F401 - importing declares the verbs
    change_verbs,
    kb_verbs,
    link_verbs,
    list_verbs,
    order_verbs,
    people_verbs,
    portal_verbs,
    problem_verbs,
    report_verbs,
    service_verbs,
    sla_verbs,
    ticket_verbs,
)
from core.desk.registry import VERBS, closest, find
from core.desk.run import desk_env, run_verb
from core.errors import DeskError
from core.intake import may_open_ticket, take_message
from core.itsm import notices  # noqa: F401 - importing declares the scheduled jobs
from core.lifecycle import IllegalTransition
from core.messages import Author, CommandRequest, Inbound, MessageChanged, ReadMark
from core.notify import audit, tell_agents
from core.outbox import Outbox
from core.pending import PendingEvents
from core.people import is_agent, resolve_account
from core.people_config import sync_people
from core.read_marks import TicketThread, advance_mark, live_ticket_threads, marks_on, set_first_mark
from core.refs import TicketRef, suggest_refs, thread_ref, ticket_ref
from core.reports import weekly  # noqa: F401 - importing declares the scheduled jobs
from core.roles import follow_platform_agents, platform_agent_accounts, platform_source, settle_role
from core.sla import housekeeping, sweep  # noqa: F401 - importing declares the scheduled jobs
from core.storage.boundary_models import RunRow
from core.storage.catalog_models import FormDraftRow
from core.storage.database import Database
from core.storage.models import ProcessedEventRow
from core.storage.writes import append
from core.telemetry import SYSTEM, Watch, watched
from core.text import clean_input
from core.tickets import ticket_opened_by

log = logging.getLogger(__name__)
T = TypeVar("T")
CONCURRENT_EDIT_RETRIES = 6
RETRY_PAUSE_SECONDS = 0.02
DRAFT_LIFETIME = timedelta(hours=1)  # a form's first part, kept while its person answers the rest


class Desk:
    def __init__(self, *, db: Database, deps: DeskDeps, clock: Clock) -> None:
        self.db = db
        self.deps = deps
        self.clock = clock
        self.pending = PendingEvents(db)  # requests kept before their platform is told they arrived

    def setup(self) -> None:
        self.run_as_system(sync_people)

    def handle_message(self, inbound: Inbound) -> bool:
        """Take a chat message; returns False when it was a redelivery or carried nothing."""
        with self._watched("message", inbound.author.platform, inbound.event_id) as watch:
            text = clean_input(inbound.text)
            if not text.strip():
                watch.outcome = "empty"
                return False
            # Ranked before the transaction: the write lock is not held while the knowledge base thinks.
            suggestions = self.deps.knowledge.suggest(text) if may_open_ticket(inbound) else None

            def work(ctx: Ctx) -> bool:
                take_message(ctx, inbound, text, suggestions=suggestions)
                if inbound.mark is not None:
                    advance_mark(ctx.session, platform=inbound.platform, mark=inbound.mark)
                return True

            taken = self._run(author=inbound.author, event_id=inbound.event_id, channel=inbound.channel,
                              thread=inbound.thread, work=work) is not None
            watch.outcome = "done" if taken else "repeated"
            return taken

    def handle_command(self, request: CommandRequest) -> Reply:
        """Run a command: a `/desk` line, or a verb with its answers (see `CommandRequest`)."""
        with self._watched("command", request.author.platform, request.event_id) as watch:
            reply = self._command(request)
            watch.outcome = reply.outcome
            return reply

    def _command(self, request: CommandRequest) -> Reply:
        if request.verb:
            name, rest = request.verb.strip().lower(), clean_input(request.text)
            found = VERBS.get(name)
        else:
            name, found, rest = find(clean_input(request.text))
        answers = {key: clean_input(value) if isinstance(value, str) else value
                   for key, value in request.answers.items()}
        if found is None:
            guess = closest(name, agent=self.is_agent(request.author)) if name else None
            hint = f" Did you mean `/desk {guess}`?" if guess else ""
            shown = f"Unknown command {name!r}." if name else "Which command?"
            return Reply(f"{shown}{hint} `/desk help` lists them all.", outcome="refused")

        def work(ctx: Ctx) -> Reply:
            env = desk_env(ctx.settings, now=ctx.now)
            command = found.syntax_for(env, text=rest, answers=answers).command(env, text=rest, answers=answers)
            try:
                return run_verb(ctx, found, command)
            except IllegalTransition as refused:
                raise DeskError(refused.advice(for_agent=is_agent(ctx.person()))) from None

        run = self._read if found.reads_only else self._run
        try:
            reply = run(author=request.author, event_id=request.event_id, channel=request.channel,
                        thread=request.thread, work=work)
        except (DeskError, IllegalTransition) as refusal:
            return Reply(str(refusal), outcome="refused")
        if reply is None:
            return Reply("Already done (this request arrived twice).", outcome="repeated")
        return reply

    def handle_change(self, change: MessageChanged) -> None:
        """Record an edit or deletion of a ticket's original message on the ticket. A change that leaves
        the text as it was (a link unfurled, a file attached) is no edit and changes nothing."""

        def work(ctx: Ctx) -> bool:
            ticket = ticket_opened_by(ctx.session, platform=change.platform, channel=change.channel,
                                      message=change.message_id)
            if ticket is None:
                return True
            if change.text is None:
                audit(ctx, ticket, "original_deleted")
                tell_agents(ctx, ticket, f"The requester deleted the original message of {ticket.key}.")
                return True
            text = clean_input(change.text)
            if text == ticket.description:
                return True
            audit(ctx, ticket, "original_edited", field="description", old=ticket.description, new=text)
            ticket.description = text
            tell_agents(ctx, ticket, f"The requester edited {ticket.key}: {ticket.description}")
            return True

        with self._watched("change", change.platform, change.event_id) as watch:
            done = self._run(author=None, event_id=change.event_id, channel=change.channel, thread=None,
                             work=work, platform=change.platform)
            watch.outcome = "done" if done else "repeated"

    def answer(self, *, platform: str, event_id: str, to: Destination, card: Card) -> bool:
        """Answer an event the desk does not take (a message refused before it reached a ticket), once:
        the answer is queued with the event id, so a redelivery sends nothing. False for a redelivery."""

        def work(ctx: Ctx) -> bool:
            return ctx.outbox.send(to, card)

        with self._watched("answer", platform, event_id) as watch:
            sent = bool(self._run(author=None, event_id=event_id, channel="", thread=None, work=work,
                                  platform=platform))
            watch.outcome = "done" if sent else "repeated"
            return sent

    def read_marks(self, platform: str) -> dict[str, int]:
        """How far the desk has read each place on `platform` (see `Inbound.mark`); waits out an outage."""
        return self.db.run(lambda session: marks_on(session, platform))

    def start_reading_at(self, platform: str, mark: ReadMark) -> None:
        """Mark where reading a place starts, unless the place has a mark already."""
        self.db.run(lambda session: set_first_mark(session, platform=platform, mark=mark))

    def ticket_threads(self, platform: str) -> list[TicketThread]:
        """The threads on `platform` of the tickets that are neither closed nor cancelled; waits out an outage."""
        return self.db.run(lambda session: live_ticket_threads(session, platform))

    def begin_run(self, platform: str) -> int:
        """A new run of an adapter whose platform makes no event ids: a number no other run gets."""

        def work(session: Session) -> int:
            run = RunRow(platform=platform, started_at=self.clock.now())
            session.add(run)
            session.flush()
            return run.id

        return self.db.run(work)

    def form(self, command: str, *, prompt: str = "", answered: Mapping[str, object] | None = None) -> Form | None:
        """The questions `command` still needs answered before it can run: a button's twin that asks first
        (`resolve INC-42`), or a bare verb for its whole form (`new`). None when it names no verb."""
        _name, found, rest = find(clean_input(command))
        if found is None:
            return None
        env = desk_env(self.deps.settings, now=self.clock.now())
        syntax = found.syntax_for(env, text=rest, answers={})
        try:
            given = syntax.read_line(env, rest)
        except DeskError:
            given = {}
        given.update({name: value for name, value in (answered or {}).items() if value not in (None, "")})
        # A form of many questions (an order's) keeps each question's own words.
        return form_for(syntax, env, command=strip_prefix(command), given=given,
                        prompt="" if found.opens_form else prompt)

    def form_to_open(self, line: str) -> Form | None:
        """The form a `/desk` line opens instead of running: a verb that opens forms (`order vpn-access`),
        named with enough to know its questions, whose line leaves a required one unanswered. None when the
        line is to run as it is (its answer then says what is wrong, if anything)."""
        _name, found, rest = find(clean_input(line))
        if found is None or not found.opens_form:
            return None
        env = desk_env(self.deps.settings, now=self.clock.now())
        syntax = found.syntax_for(env, text=rest, answers={})
        if syntax is found.syntax:
            return None
        try:
            given = syntax.read_line(env, rest)
        except DeskError:
            return None
        if all(p.is_given(given.get(p.name)) for p in syntax.params if p.required):
            return None
        return form_for(syntax, env, command=strip_prefix(line), given=given)

    def read_answer(self, command: str, name: str, text: str) -> str:
        """Why `text` cannot answer the field `name` of `command`'s form (one line), or "" when it can: a
        form asked field by field says so at once, before the next question."""
        _name, found, rest = find(clean_input(command))
        if found is None:
            return "That form is no longer known."
        env = desk_env(self.deps.settings, now=self.clock.now())
        param = found.syntax_for(env, text=rest, answers={}).param(name)
        if param is None:
            return f"The form has no question {name!r}."
        try:
            param.read(clean_input(text), env)
        except DeskError as bad:
            return str(bad)
        return ""

    def order_problems(self, item: CatalogItem, answers: Mapping[str, object], *, platform: str) -> dict[str, str]:
        """Why each answer to `item`'s form cannot be used, by field name; empty when the order can be placed
        (`/desk order ITEM` with these answers then reads them by the same rules). `platform`: where a person
        field's mention or user id is looked up."""
        env = desk_env(self.deps.settings, now=self.clock.now())
        cleaned = {name: clean_input(value) if isinstance(value, str) else value for name, value in answers.items()}
        with self.db.deferred_sessions() as session, session.begin():
            return answer_problems(session, env, item, cleaned, platform=platform)

    def keep_answers(self, author: Author, command: str, answers: dict[str, str]) -> str:
        """Keep the answers to the first part of `command`'s form, each checked first; returns the token the
        rest of the form goes on with. DeskError (one line) naming the first answer that cannot be used."""
        for name, text in answers.items():
            problem = self.read_answer(command, name, text)
            if problem:
                raise DeskError(f"{problem} Nothing was sent.")
        token = secrets.token_hex(12)

        def work(session: Session) -> str:
            session.add(FormDraftRow(token=token, platform=author.platform, user_id=author.user_id,
                                     command=strip_prefix(clean_input(command)), answers=dict(answers),
                                     created_at=self.clock.now()))
            return token

        return self.db.run(work)

    def kept_answers(self, author: Author, token: str) -> tuple[str, dict[str, str]] | None:
        """The command and answers kept under `token` for this account (None for anyone else, or when gone)."""

        def work(session: Session) -> tuple[str, dict[str, str]] | None:
            draft = session.get(FormDraftRow, token)
            if draft is None or (draft.platform, draft.user_id) != (author.platform, author.user_id) \
                    or draft.created_at < self.clock.now() - DRAFT_LIFETIME:
                return None
            return draft.command, {k: str(v) for k, v in draft.answers.items()}

        return self.db.run(work)

    def is_agent(self, author: Author) -> bool:
        return bool(self._run(author=author, event_id="", channel="", thread=None,
                              work=lambda ctx: is_agent(ctx.person())))

    def agent_accounts(self, platform: str) -> list[str]:
        """The user ids on `platform` its agents' group or role held when last asked."""
        return self.read_as_system(lambda ctx: platform_agent_accounts(ctx, platform))

    def follow_platform_agents(self, platform: str, verdicts: dict[str, bool]) -> int:
        """Apply what the platform's agents' group or role says now (user id -> holds it); the roles changed."""
        return self.run_as_system(lambda ctx: follow_platform_agents(ctx, platform=platform, verdicts=verdicts))

    def ticket_ref(self, key: str) -> TicketRef | None:
        """A ticket's key, title and requester thread; None when there is no such ticket."""
        with self.db.deferred_sessions() as session:
            return ticket_ref(session, key)

    def thread_ref(self, *, platform: str, channel: str, thread: str) -> TicketRef | None:
        """The ticket whose requester talks in this thread; None when it is no ticket's."""
        with self.db.deferred_sessions() as session:
            return thread_ref(session, platform=platform, channel=channel, thread=thread)

    def suggest_keys(self, author: Author, text: str, *, limit: int = 25) -> list[TicketRef]:
        """Open tickets matching what `author` has typed so far, for a key picker (read-only)."""
        with self.db.deferred_sessions() as session:
            return suggest_refs(session, author=author, text=text, limit=limit)

    def run_as_system(self, work: Callable[[Ctx], T]) -> T:
        """Scheduled and administrative work that no chat person caused."""
        with self._watched(SYSTEM):
            result = self._run(author=None, event_id="", channel="", thread=None, work=work)
        return result  # type: ignore[return-value]

    def read_as_system(self, work: Callable[[Ctx], T]) -> T:
        """Like `run_as_system`, for work that only reads (and at most sends): no write lock is held."""
        with self._watched(SYSTEM):
            result = self._read(author=None, event_id="", channel="", thread=None, work=work)
        return result  # type: ignore[return-value]

    def _watched(self, work: str, platform: str = "", event_id: str = "") -> AbstractContextManager[Watch]:
        return watched(self.deps.observer, work=work, platform=platform, event_id=event_id)

    def _run(
        self, *, author: Author | None, event_id: str, channel: str, thread: str | None,
        work: Callable[[Ctx], T], platform: str = "", settle_roles: bool = False,
    ) -> T | None:
        platform = author.platform if author else platform
        contexts: list[Ctx] = []

        def unit(session: Session) -> T:
            now = self.clock.now()
            if event_id:
                _remember_event(session, platform=platform, event_id=event_id, now=now)
            ctx = self._context(session, now=now, author=author, channel=channel, thread=thread,
                                event_id=event_id, settle_roles=settle_roles)
            contexts.append(ctx)
            result = work(ctx)
            ctx.outbox.write()
            session.flush()
            return result

        for attempt in range(1, CONCURRENT_EDIT_RETRIES + 1):
            try:
                result = self.db.run(unit)
            except _RoleChanged:
                # A role follows its source even when the work is then refused: settle it on its own first.
                self._run(author=author, event_id="", channel=channel, thread=thread, work=lambda ctx: None,
                          settle_roles=True)
                continue
            except IntegrityError as conflict:
                if event_id and self._seen(platform, event_id):
                    return None  # the same event, delivered twice at once: the other delivery won
                if attempt == CONCURRENT_EDIT_RETRIES:
                    raise
                # Not this event's own conflict: another worker stored what this one was about to (a thing
                # both met first at the same moment). Running again finds it stored, and loses nothing.
                log.info("conflict with another worker's write (event %s): %s; running again", event_id,
                         str(conflict.orig or conflict).splitlines()[0])
                time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * attempt))
                continue
            except StaleDataError:
                if attempt == CONCURRENT_EDIT_RETRIES:
                    raise
                log.info("concurrent change (event %s); running again", event_id)
                time.sleep(random.uniform(0, RETRY_PAUSE_SECONDS * attempt))  # not in step with the other again
                continue
            return self._after_commit(contexts[-1], result)
        raise AssertionError("unreachable")

    def _read(
        self, *, author: Author | None, event_id: str, channel: str, thread: str | None, work: Callable[[Ctx], T],
    ) -> T | None:
        """Work that only reads (a report, say) runs in a transaction that takes no write lock, however long
        it takes; its event id and what it sent are then stored in a short write transaction."""
        platform = author.platform if author else ""
        if author is not None:  # a new author is stored (and a role change settled) first: reading never writes
            self._run(author=author, event_id="", channel=channel, thread=thread, work=lambda ctx: None)
        with self.db.deferred_sessions() as session, session.begin():
            now = self.clock.now()
            ctx = self._context(session, now=now, author=author, channel=channel, thread=thread,
                                event_id=event_id)
            result = work(ctx)

        def record(write_session: Session) -> None:
            if event_id:
                _remember_event(write_session, platform=platform, event_id=event_id, now=now)
            ctx.outbox.write(write_session)

        if event_id or ctx.outbox.has_queued:
            try:
                self.db.run(record)
            except IntegrityError:
                if event_id and self._seen(platform, event_id):
                    return None  # the same request, answered by the other delivery
                raise
        return self._after_commit(ctx, result)

    def _context(self, session: Session, *, now: datetime, author: Author | None, channel: str,
                 thread: str | None, event_id: str, settle_roles: bool = False) -> Ctx:
        ctx = Ctx(session=session, now=now, deps=self.deps,
                  outbox=Outbox(session, now=now, platforms=self.deps.platforms), author=author,
                  channel=channel, thread=thread, event_id=event_id)
        if author is not None:
            ctx.actor, role_changed = resolve_account(session, author)
            if role_changed:  # what the platform says now about the account's agent role is new
                if not settle_roles:
                    raise _RoleChanged
                settle_role(ctx, ctx.actor, source=platform_source(author.platform))
        return ctx

    def _after_commit(self, ctx: Ctx, result: T) -> T:
        late: list[str] = []
        for work in ctx.after_commit:
            try:
                text = work()
            except Exception:  # the ticket is committed; side books must not undo the answer
                log.exception("after-commit work failed (event %s)", ctx.event_id)
                continue
            if text:
                late.append(text)
        if late and isinstance(result, Reply):
            return Reply(" ".join(filter(None, [result.text, *late])), card=result.card,  # type: ignore[return-value]
                         private=result.private)
        return result

    def _seen(self, platform: str, event_id: str) -> bool:
        return self.db.run(lambda s: s.get(ProcessedEventRow, (platform, event_id)) is not None)


class _RoleChanged(Exception):
    """The platform's word about the author's role is new: it is settled in a transaction of its own."""


def _remember_event(session: Session, *, platform: str, event_id: str, now: object) -> None:
    """Claim the event id first thing: a second delivery fails on the primary key and changes nothing."""
    append(session, ProcessedEventRow, platform=platform, event_id=event_id, at=now)
