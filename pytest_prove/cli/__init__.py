"""The `prove` command line: argument parsing in main.py, one module per subcommand."""
