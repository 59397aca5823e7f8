"""Every table of the core, for whoever needs them all at once (the schema migration): importing this
module loads each file of tables. Those files import the base and the column types, never each other.

The partial indexes (a WHERE on the rows they hold) are declared here rather than with their tables: naming
a dialect's option (`sqlite_where`, `postgresql_where`) imports that dialect's whole package, about 0.1 s of
every command, and only the schema migration reads them; queries use the index the database has."""

from __future__ import annotations

from sqlalchemy import Index, Table, text

from core.storage import (  # noqa: F401 - each declares its tables
    access_models,
    boundary_models,
    catalog_models,
    itsm_models,
    models,
    report_models,
    storm_models,
    triage_models,
)
from core.storage.base import Base

metadata = Base.metadata


def partial_index(name: str, table: Table, *columns: str, where: str) -> Index:
    """An index of the rows `where` holds, on both databases spoc runs on."""
    return Index(name, *(table.c[column] for column in columns), sqlite_where=text(where),
                 postgresql_where=text(where))


# Reports read the tickets first answered, resolved or closed in a period. Those instants are empty on a new
# ticket: the indexes hold only the tickets that have the instant.
for _column in ("first_response_at", "resolved_at", "closed_at"):
    partial_index(f"ix_tickets_{_column}", models.TicketRow.__table__, _column, where=f"{_column} IS NOT NULL")
# Reports read the status changes of a period (the day in progress, the backlog as it stood then); only status
# changes are indexed, so the other trail rows cost no index write.
partial_index("ix_audit_status_at", models.AuditRow.__table__, "at", where="action = 'status'")
# The queues of pending messages, one per place and `ahead`, in order: a worker leases the first few of each
# through it, and a message finds the earlier ones it waits for.
partial_index("ix_outbox_queue", models.OutboxRow.__table__, "platform", "channel", "user_id", "ahead", "id",
              where="status = 'pending'")
