"""Long work off the request: a job queue (RQ on Redis, or a background thread without Redis)
with its record, progress and file in the database. See README.md, "Jobs"."""
