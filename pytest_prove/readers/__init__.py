"""Reading YAML and TOML files with the line of every key, and turning validation errors
into messages that name the file, line and key."""
