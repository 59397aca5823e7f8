"""The service catalog's files: items as Markdown with YAML front matter, and the starter items spoc ships."""
