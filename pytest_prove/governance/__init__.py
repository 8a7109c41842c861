"""Migration and governance: ``prove init``, ``prove migrate``, ``prove sync``, access, audit."""
