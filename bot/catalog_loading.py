"""The catalog the desk runs with: the starter items, the items in `desk.catalog.dirs`, and the config's own
(`desk.catalog.items`), checked against the people, groups and teams they name."""

from __future__ import annotations

from pathlib import Path

from catalog.files import load_dirs, starter_dir
from core.config.catalog import check_catalog
from core.settings import DeskSettings


def with_catalog(desk: DeskSettings, *, extra_dirs: tuple[Path, ...] = ()) -> tuple[DeskSettings, list[str]]:
    """The desk's settings with every catalog item loaded, and each problem on a line (`file:line: ...` for a
    file that cannot be read as an item; such a file is left out, the others load)."""
    settings = desk.catalog
    dirs = ([starter_dir()] if settings.load_starter else []) + [Path(d) for d in settings.dirs] + list(extra_dirs)
    loaded = load_dirs(dirs)
    catalog = settings.with_items(tuple(loaded.items))
    problems = [str(p) for p in loaded.problems]
    problems += [f"desk.catalog: {p}" for p in check_catalog(
        catalog, people={p.name.lower() for p in desk.people}, teams={t.name for t in desk.teams})]
    return desk.model_copy(update={"catalog": catalog}), problems
