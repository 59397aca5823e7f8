"""Reports: how well IT serves, as numbers over a period.

`flows` and `metrics` hold the query functions (SQL aggregates over a Session), `business` the business-time
means that need the team's calendar, `report` puts them together into one `Report`, `card` and `export`
show it in chat and as CSV, `charts` draws it (matplotlib, imported only when asked), `satisfaction` asks
requesters how we did, and `weekly` sends the leads their digest.
"""
