"""The pytest adapter: the entry point, items, session hooks, scheduling and prefetching.

Its ``__init__`` stays empty: pytest imports the entry point (:mod:`.entry`) at every start-up."""
