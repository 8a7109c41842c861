"""The parts of the ``security`` check: secret rules and scanner, masking, baseline,
forbidden files, lock file parsers and OSV advisory matching."""
