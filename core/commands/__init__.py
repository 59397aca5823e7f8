"""Typed commands: the parameters a verb declares, the `/desk` line that writes them, and the forms that
ask for them. Whatever way a person (or a program) asks, the answer is the same typed `Command`: a line
is parsed into it, a form's answers and a REST body are read into it field by field, never quoted into a
line and parsed back. Plain values: no database, no platform.
"""
