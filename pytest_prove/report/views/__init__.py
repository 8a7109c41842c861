"""What `prove report` and `prove status` show of stored runs: summaries, output formats,
the dashboard page and its server, shard merging, and JSON reports read back."""
