"""The parts of the ``security`` check: secret scanner, baseline, forbidden files, lock file
parsers and OSV advisory matching (secret formats and masking: :mod:`pytest_prove.redact`)."""
