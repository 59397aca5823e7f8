"""Reports: how well IT serves, as numbers over a period.

`metrics` holds the query functions (each one SQL aggregate over a Session), `business` the business-time
averages that need the team's calendar, `report` puts them together into one `Report`, `card` shows it in
chat, `charts` draws it (matplotlib, imported only when asked), `satisfaction` asks requesters how we did,
and `weekly` sends the leads their digest.
"""
