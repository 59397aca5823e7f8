"""Tools for the people who work on spoc itself (not part of a running desk)."""
