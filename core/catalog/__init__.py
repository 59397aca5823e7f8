"""The service catalog as a process: orders of catalog items, their approvals, and their fulfilment by
teams (TSK tickets). The items themselves are settings (`core.config.catalog`)."""
