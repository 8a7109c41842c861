"""The run history: its SQLite store and schema, the writer that records a run as it goes,
and whether a run is still alive."""
