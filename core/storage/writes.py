"""Writes that skip the ORM's unit of work, for the hot paths.

`append` writes a row nobody holds as an object: history, the outbox, the event inbox, thread links.
`store_now` writes a new object at once and keeps it in the session as stored, with its key. Both cost a
fraction of a flush, which is most of the price of a small write. Their `unless_taken` forms write nothing
when a row with the same unique columns exists or is being written by another transaction (which they wait
for): two processes meeting the same new thing at once store it once, and neither fails."""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Insert, insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from core.storage.base import Base

Row = TypeVar("Row", bound=Base)


def append(session: Session, row_type: type[Base], **values: Any) -> None:
    """Insert one row of `row_type` in the session's transaction (columns left out take their defaults)."""
    session.connection().execute(_insert_into(row_type), values)


def append_all(session: Session, row_type: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert rows of `row_type` (each with the same columns) in one statement, in their order."""
    if rows:
        session.connection().execute(_insert_into(row_type), rows)


def append_unless_taken(session: Session, row_type: type[Base], *, unique: tuple[str, ...], **values: Any) -> bool:
    """`append`, unless a row with the same `unique` columns exists: True when this one was written."""
    statement = _insert_unless_taken(session, row_type, unique)
    return session.connection().execute(statement, values).first() is not None


def append_all_unless_taken(session: Session, row_type: type[Base], rows: list[dict[str, Any]], *,
                            unique: tuple[str, ...]) -> dict[tuple[Any, ...], Any]:
    """`append_all`, leaving out each row whose `unique` columns are taken: the key of each row written,
    by its `unique` values."""
    if not rows:
        return {}
    table = row_type.__table__
    statement = _insert_or_nothing(row_type, session.get_bind().dialect.name, unique).returning(
        *(table.c[name] for name in unique))  # type: ignore[attr-defined]
    return {tuple(written[1:]): written[0] for written in session.connection().execute(statement, rows)}


def store_now(session: Session, row: Row) -> Row:
    """Insert a new object's row now (columns left unset take their defaults, on the object too) and
    attach the object to the session as stored. Its relationships are not written: set their ids."""
    stored = _store(session, row, _insert_into(type(row)), unless_taken=False)
    assert stored is not None
    return stored


def store_unless_taken(session: Session, row: Row, *, unique: tuple[str, ...]) -> Row | None:
    """`store_now`, unless a row with the same `unique` columns exists: then None, and `row` stays new."""
    return _store(session, row, _insert_unless_taken(session, type(row), unique), unless_taken=True)


def _store(session: Session, row: Row, statement: Insert, *, unless_taken: bool) -> Row | None:
    columns, key_attribute = _columns_of(type(row))
    given = row.__dict__
    values: dict[str, Any] = {}
    for attribute, column, default in columns:
        if attribute in given:
            values[column] = given[attribute]
        else:
            setattr(row, attribute, default)
            values[column] = default
    result = session.connection().execute(statement, values)
    if unless_taken:  # ON CONFLICT DO NOTHING ... RETURNING the key: no row when it was taken
        written = result.first()
        if written is None:
            return None
        key = written[0]
    else:
        (key,) = result.inserted_primary_key
    setattr(row, key_attribute, key)
    make_transient_to_detached(row)
    session.add(row)
    return row


@cache
def _columns_of(row_type: type[Base]) -> tuple[tuple[tuple[str, str, Any], ...], str]:
    """(attribute, column, value when unset) for each column but the key; and the key's attribute."""
    mapper = inspect(row_type)
    columns = []
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        if column.primary_key:
            continue
        if column is mapper.version_id_col:
            default = 1
        elif column.default is not None and column.default.is_scalar:
            default = column.default.arg
        else:
            default = None
        columns.append((attribute.key, column.key, default))
    return tuple(columns), mapper.primary_key[0].key


@cache
def _insert_into(row_type: type[Base]) -> Insert:
    return insert(row_type.__table__)  # type: ignore[arg-type]


def _insert_unless_taken(session: Session, row_type: type[Base], unique: tuple[str, ...]) -> Insert:
    dialect = session.get_bind().dialect.name
    return _insert_or_nothing(row_type, dialect, unique)


@cache
def _insert_or_nothing(row_type: type[Base], dialect: str, unique: tuple[str, ...]) -> Insert:
    table = row_type.__table__
    return (conflict_aware_insert(dialect)(table).on_conflict_do_nothing(index_elements=list(unique))
            .returning(*table.primary_key.columns))


def conflict_aware_insert(dialect: str) -> Any:
    """The dialect's `insert`, the one that knows `ON CONFLICT` (SQLite and PostgreSQL spell it alike)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - spoc runs on SQLite and PostgreSQL
        raise NotImplementedError(f"no INSERT ... ON CONFLICT for {dialect}")
    return dialect_insert
