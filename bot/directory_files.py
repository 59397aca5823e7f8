"""People directory exports read for `spoc people import`: a CSV (columns `email`, `name`, `manager` (the
manager's e-mail), optionally `department` and `active`) or an LDIF export (`mail`, `cn` or `displayName`,
`manager` as the manager's DN, `department` or `ou`). Every problem names its file and line."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from pathlib import Path

from core.catalog.directory_import import Entry
from core.settings import EMAIL

NO = {"no", "false", "0", "inactive", "left", "n"}


class DirectoryFileError(ValueError):
    pass


def read_directory(path: Path) -> list[Entry]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DirectoryFileError(f"{path}: cannot be read: {error}") from None
    entries = read_ldif(text, source=str(path)) if path.suffix.lower() == ".ldif" else read_csv(text, source=str(path))
    seen: dict[str, int] = {}
    for entry in entries:
        if entry.email in seen:
            raise DirectoryFileError(f"{path}:{entry.line}: {entry.email} is also on line {seen[entry.email]}")
        seen[entry.email] = entry.line
    return entries


def read_csv(text: str, *, source: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {c.strip().lower() for c in reader.fieldnames or ()}
    if "email" not in columns:
        raise DirectoryFileError(f"{source}:1: no `email` column; the columns are email, name, manager, "
                                 "department, active")
    entries = []
    for row in reader:
        values = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        line = reader.line_num
        entries.append(_entry(source, line, email=values.get("email", ""), name=values.get("name", ""),
                              manager=values.get("manager", ""), department=values.get("department", ""),
                              active=values.get("active", "").lower() not in NO))
    return entries


def read_ldif(text: str, *, source: str) -> list[Entry]:
    records: list[tuple[int, dict[str, str]]] = []
    current: dict[str, str] = {}
    start = 0
    last = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if current:
                records.append((start, current))
            current, last = {}, ""
            continue
        if raw.startswith(" ") and last:
            current[last] += raw[1:]
            continue
        key, sep, value = raw.partition(":")
        if not sep:
            raise DirectoryFileError(f"{source}:{number}: not an LDIF line (`attribute: value`)")
        if not current:
            start = number
        key = key.strip().lower()
        if value.startswith(":"):
            try:
                value = base64.b64decode(value[1:].strip()).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise DirectoryFileError(f"{source}:{number}: `{key}::` is not base64 text") from None
        current.setdefault(key, value.strip())
        last = key
    if current:
        records.append((start, current))
    mail_of_dn = {r.get("dn", "").lower(): r.get("mail", "") for _line, r in records}
    entries = []
    for line, record in records:
        if "mail" not in record:
            continue  # groups and organisational units carry no person
        manager = record.get("manager", "")
        name = record.get("displayname") or record.get("cn", "")
        entries.append(_entry(source, line, email=record["mail"], name=name,
                              manager=mail_of_dn.get(manager.lower(), manager),
                              department=record.get("department") or record.get("ou", ""), active=True))
    return entries


def _entry(source: str, line: int, *, email: str, name: str, manager: str, department: str, active: bool) -> Entry:
    if not EMAIL.fullmatch(email):
        raise DirectoryFileError(f"{source}:{line}: {email or 'an empty e-mail'!r} is not an e-mail address")
    if manager and not EMAIL.fullmatch(manager):
        raise DirectoryFileError(f"{source}:{line}: manager {manager!r} is not an e-mail address (or a DN in this "
                                 "file)")
    return Entry(email=email.lower(), name=name or email.split("@")[0], manager=manager.lower(),
                 department=department, active=active, line=line)
