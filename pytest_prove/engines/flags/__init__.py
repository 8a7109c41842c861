"""Feature flags: the registry file and the references to flags in code."""
