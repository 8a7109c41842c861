"""``prove init`` and ``prove migrate``: a repository's own ``prove.yaml``, each choice
explained."""
