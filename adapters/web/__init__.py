"""The desk's own web pages, its REST API and outgoing webhooks: routes on the process's one HTTP server."""
