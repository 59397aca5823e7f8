"""Outages of services, the problems behind recurring incidents, and planned changes."""
