"""The `/desk` command grammar: one parser and one set of handlers for every platform."""
