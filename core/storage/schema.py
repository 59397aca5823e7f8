"""Every table of the core, for whoever needs them all at once (the schema migration): importing this
module loads each file of tables. Those files import the base and the column types, never each other."""

from __future__ import annotations

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
