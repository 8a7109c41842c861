"""Which test belongs to which source: layouts, name templates, references and comments."""
