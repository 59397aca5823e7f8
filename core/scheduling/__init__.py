"""Scheduled work: the registry processes declare their jobs in, what runs them (one transaction per call),
and which process leads (only the leader runs jobs). It imports no process: processes import it.

bot/scheduler.py puts the registered jobs on the runtime's timers.
"""
