"""What an organisation does with its fleet beyond running it: ``sync/`` (one update to many
repositories, and its rollback), ``audit/`` (the hash-chained log and who is acting),
``onboard/`` (``prove init`` and ``prove migrate``), the compliance report, and the reading of
the orchestrator file these commands share."""
