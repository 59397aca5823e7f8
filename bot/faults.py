"""Faults the command line turns into one line and exit code 2 (kept apart so that loading it costs nothing)."""

from __future__ import annotations


class DatabaseFault(Exception):
    """The database cannot be used; the message is the one line to show."""
