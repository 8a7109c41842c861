"""Loading, merging and validating configuration: repository files, the orchestrator file,
presets and access roles."""
