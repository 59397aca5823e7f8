"""Write the initial schema migration afresh from the models.

spoc has one schema revision until its first release; after a release, add revisions instead
(`alembic revision --autogenerate`). Run: python -m bot.migrations.regenerate
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from alembic import command

from bot.migrations import HERE, alembic_config


def regenerate() -> Path:
    versions = HERE / "versions"
    for old in versions.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        command.revision(alembic_config(f"sqlite:///{tmp}/empty.db"), message="schema", autogenerate=True,
                         rev_id="0001")
    path = next(versions.glob("0001_*.py"))
    text = path.read_text()
    # Migrations must not import model code: the UTC wrapper type is stored as a plain DateTime.
    text = re.sub(r"[\w.]+\.(?:UtcDateTime|_Utc)\([^)]*\)", "sa.DateTime(timezone=True)", text)
    text = re.sub(r"^import (?:core|kb)\..*$\n", "", text, flags=re.MULTILINE)
    text = "\n".join(line for line in text.splitlines() if "# ###" not in line) + "\n"
    text = re.sub(r"(from alembic import op\n)\n+", r"\1\n", text)  # the template's empty import slot
    path.write_text(text)
    return path


if __name__ == "__main__":
    print(regenerate())
